"""The Content Security Policy refuses nothing the shop itself needs.

A real browser walks the shopper's journey (home → product → basket → checkout form →
review → order page, VietQR included) and a manager's (inbox → order card → product
form). Every Content Security Policy violation the browser reports fails the test: an
inline script or style attribute left in a template would silently stop working for
real users, as the policy blocks it.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.test_manager_journey import log_in
from tests.factories import CooperativeFactory, ProductFactory, UserFactory, WeightBasedFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BANK = {
    "bank_bin": "970405",
    "bank_account_number": "8300205123456",
    "bank_account_holder": "HTX THU NGHIEM",
}

# Runs before any page script: collects every violation the page reports.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolations.push(
        `${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
        `at ${event.sourceFile || document.location.pathname}:${event.lineNumber}`
    );
});
"""


class Violations(list):
    """Every CSP violation on every page visited, from the DOM event and the console."""

    def __init__(self, page):
        super().__init__()
        self.page = page
        page.add_init_script(LISTEN)
        page.on("console", self.on_console)

    def on_console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.append(f"console: {message.text}")

    def collect(self) -> None:
        """Take what the current page reported so far (call before leaving it)."""
        self.extend(self.page.evaluate("window.__cspViolations.splice(0)"))


@pytest.fixture
def violations(page):
    return Violations(page)


def visit(page, violations, url):
    response = page.goto(url)
    assert response.status == 200, url
    policy = response.header_value("content-security-policy") or ""
    assert "script-src 'self'" in policy, url
    assert "frame-ancestors 'none'" in policy, url
    page.wait_for_load_state("load")
    violations.collect()


@pytest.fixture
def shop():
    manager = UserFactory()
    farm = CooperativeFactory(name="HTX Nông sản Ba Bể", managers=[manager], **BANK)
    WeightBasedFactory(cooperative=farm)
    honey = ProductFactory(title="Mật ong rừng", cooperative=farm, net_weight_grams=700)
    return {"manager": manager, "farm": farm, "honey": honey}


def test_shopper_journey_has_no_policy_violation(page, violations, shop):
    honey = shop["honey"]
    visit(page, violations, "/")
    visit(page, violations, "/shop/catalogue/")
    visit(page, violations, honey.get_absolute_url())
    page.locator("#add_to_basket_form button[type=submit]").click()
    page.wait_for_load_state("load")
    visit(page, violations, "/shop/basket/")
    visit(page, violations, "/tim-kiem/?q=mat+ong")
    visit(page, violations, f"/hop-tac-xa/{shop['farm'].slug}/")

    visit(page, violations, "/shop/checkout/")
    page.fill("[name=full_name]", "Hoàng Thị Lan")
    page.fill("[name=phone]", "0912 345 678")
    page.select_option("[name=province_code]", "19")
    # The commune list arrives from /dia-chi/xa/ by script: the policy must allow it.
    expect(page.locator("[name=commune_code] option[value='01906']")).to_have_count(1)
    page.fill("#commune-search", "ba be")
    expect(page.locator("[name=commune_code]")).to_have_value("01906")
    page.fill("[name=line1]", "Thôn Pác Ngòi")
    page.locator("[name=payment_method][value=transfer]").check()
    page.locator("form.checkout-delivery button[type=submit]").click()
    expect(page.locator("form.place-order")).to_be_visible()
    violations.collect()
    page.locator("form.place-order button[type=submit]").click()
    expect(page.locator(".order-part")).to_have_count(1)
    expect(page.locator("svg[role=img]").first).to_be_visible()  # the VietQR code
    violations.collect()

    assert not violations, "\n".join(violations)


def test_manager_journey_has_no_policy_violation(page, violations, shop):
    from cooperatives.models import Fulfilment
    from tests.factories import place_order

    farm = shop["farm"]
    order = place_order((shop["honey"], 1))
    fulfilment = Fulfilment.objects.get(order=order, cooperative=farm)
    log_in(page, shop["manager"])
    violations.collect()
    visit(page, violations, f"/quan-ly/{farm.slug}/don-hang/")
    page.locator(f"#fulfilment-{fulfilment.pk}").get_by_role("link").first.click()
    expect(page.locator("form[action$='/confirm/']")).to_be_visible()  # the order card
    violations.collect()
    visit(page, violations, f"/quan-ly/{farm.slug}/san-pham/")
    visit(page, violations, f"/quan-ly/{farm.slug}/san-pham/{shop['honey'].pk}/")
    visit(page, violations, f"/quan-ly/{farm.slug}/dat-hang-ho/")
    visit(page, violations, f"/quan-ly/{farm.slug}/so-lieu/")

    assert not violations, "\n".join(violations)


def test_admin_sites_work_under_their_relaxed_policy(page, violations):
    """Wagtail's page editor and Django's admin: no violation of the admin policy."""
    from stories.models import HomePage

    UserFactory(username="bientap", is_staff=True, is_superuser=True)
    home = HomePage.objects.get()
    page.goto("/cms/login/")
    page.fill("[name=username]", "bientap")
    page.fill("[name=password]", "secret-password")
    page.locator("form [type=submit]").first.click()
    page.wait_for_url("**/cms/")
    violations.collect()
    for url in [
        "/cms/",
        f"/cms/pages/{home.pk}/edit/",
        "/cms/images/",
        "/django-admin/",
        "/django-admin/cooperatives/cooperative/add/",
    ]:
        response = page.goto(url)
        assert response.status == 200, url
        assert "'unsafe-inline'" in response.header_value("content-security-policy"), url
        page.wait_for_load_state("load")
        violations.collect()

    assert not violations, "\n".join(violations)
