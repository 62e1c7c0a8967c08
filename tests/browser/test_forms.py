"""Every form field has a label and every control is big enough for a thumb (44 px), on a
360 px phone: the shopper's product, basket, checkout and log-in pages and the manager's
inbox and order card.

axe checks some of this; here it is explicit. A field's name must come from a label (a
``<label for>``, a wrapping ``<label>``, ``aria-labelledby``, ``aria-label`` or ``title``):
a placeholder disappears as soon as the shopper types, so it does not count.
"""

import pytest
from playwright.sync_api import expect

from cooperatives import statuses
from cooperatives.models import Fulfilment
from cooperatives.services.fulfillment import fulfilment_confirm, fulfilment_pack
from tests.browser.test_manager_journey import log_in
from tests.factories import (
    CooperativeFactory,
    ProductFactory,
    UserFactory,
    WeightBasedFactory,
    place_order,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

UNLABELLED = """() => {
    const text = (element) => (element ? element.textContent : "").trim();
    const visible = (element) => {
        const box = element.getBoundingClientRect();
        return box.width > 0 && box.height > 0 && getComputedStyle(element).visibility !== "hidden";
    };
    const name = (field) => {
        if (field.getAttribute("aria-labelledby")) {
            return field.getAttribute("aria-labelledby").split(/\\s+/)
                .map((id) => text(document.getElementById(id))).join(" ").trim();
        }
        const ariaLabel = (field.getAttribute("aria-label") || "").trim();
        if (ariaLabel) return ariaLabel;
        const labels = Array.from(field.labels || []).map(text).join(" ").trim();
        if (labels) return labels;
        if (["submit", "reset", "button"].includes(field.type)) return field.value;
        if (field.type === "image") return field.alt;
        return (field.getAttribute("title") || "").trim();
    };
    return Array.from(document.querySelectorAll("input, select, textarea"))
        .filter((field) => field.type !== "hidden" && visible(field))
        .filter((field) => !name(field))
        .map((field) => field.outerHTML.slice(0, 160));
}"""

# What a thumb must hit: buttons, links styled as buttons, fields, and the labels of radios
# and checkboxes (the label is the target, the little circle is too small on any site).
# Oscar's layout has no <main>; .page_inner holds the page below the header (breadcrumbs,
# the console's menu, the content).
TAP_TARGETS = ", ".join(
    f".page_inner {target}:visible"
    for target in (
        "button",
        ".btn",
        ".nav-link",
        ".page-link",
        ".form-check-label",
        "select",
        "textarea",
        "input:not([type=hidden]):not([type=radio]):not([type=checkbox])",
    )
)


def assert_fields_labelled(page, where: str) -> int:
    fields = page.locator("input:not([type=hidden]):visible, select:visible, textarea:visible")
    unlabelled = page.evaluate(UNLABELLED)
    assert not unlabelled, f"fields without a label on {where}:\n" + "\n".join(unlabelled)
    return fields.count()


def small_tap_targets(page) -> list[str]:
    # One evaluation for all targets: a message fading out must not shift the list midway.
    sizes = page.locator(TAP_TARGETS).evaluate_all(
        """targets => targets.map(target => [
            target.outerHTML.slice(0, 120), target.getBoundingClientRect().height,
        ])"""
    )
    assert sizes, "no tap targets found: has the layout changed?"
    return [f"{html}: {height:.0f}px" for html, height in sizes if 0 < height < 44]


@pytest.fixture
def shop():
    manager = UserFactory()
    farm = CooperativeFactory(name="HTX Nông sản Ba Bể Xanh", managers=[manager])
    WeightBasedFactory(cooperative=farm)
    honey = ProductFactory(title="Mật ong rừng", cooperative=farm, net_weight_grams=700)
    return {"manager": manager, "farm": farm, "honey": honey}


def shopper_pages(page, honey):
    """Walk the shopper's pages, yielding each one's name once it is ready to check."""
    page.goto(honey.get_absolute_url())
    yield "product"
    page.locator("#add_to_basket_form button[type=submit]").click()
    page.goto("/shop/basket/")
    expect(page.locator(".basket-part")).to_have_count(1)
    yield "basket"
    page.goto("/shop/checkout/")
    page.select_option("[name=province_code]", "19")
    expect(page.locator("[name=commune_code] option[value='01906']")).to_have_count(1)
    expect(page.locator("#commune-search")).to_be_visible()
    yield "checkout delivery"
    page.fill("[name=full_name]", "Hoàng Thị Lan")
    page.fill("[name=phone]", "0912345678")
    page.select_option("[name=commune_code]", "01906")
    page.fill("[name=line1]", "Thôn Pác Ngòi")
    page.locator("form.checkout-delivery button[type=submit]").click()
    expect(page.locator("form.place-order")).to_have_count(1)
    # The form is there as soon as the page is parsed; its sizes only once the stylesheet
    # has loaded (a busy machine measured "place order" unstyled, 21 px high).
    page.wait_for_load_state("load")
    yield "checkout review"


def manager_pages(page, shop):
    """The inbox, and the order card at each of its forms (confirm, then ship)."""
    farm, manager = shop["farm"], shop["manager"]
    new = Fulfilment.objects.get(order=place_order((shop["honey"], 1)), cooperative=farm)
    packed = Fulfilment.objects.get(order=place_order((shop["honey"], 1)), cooperative=farm)
    fulfilment_confirm(fulfilment=packed, actor=manager, channel=statuses.CHANNEL_PHONE)
    fulfilment_pack(fulfilment=packed, actor=manager)
    log_in(page, manager)
    page.goto(f"/quan-ly/{farm.slug}/don-hang/")
    expect(page.locator(f"#fulfilment-{new.pk}")).to_have_count(1)
    yield "manager inbox"
    page.locator(f"#fulfilment-{new.pk}").get_by_role("link").first.click()
    expect(page.locator("form[action$='/confirm/']")).to_be_visible()
    page.wait_for_load_state("load")  # sizes are measured: the stylesheet must be in
    yield "manager order card, to confirm"
    page.goto(f"/quan-ly/{farm.slug}/don-hang/")
    page.locator(f"#fulfilment-{packed.pk}").get_by_role("link").first.click()
    expect(page.locator("form[action$='/ship/']")).to_be_visible()
    page.wait_for_load_state("load")  # sizes are measured: the stylesheet must be in
    yield "manager order card, to ship"


def test_every_field_a_shopper_fills_has_a_label(page, open_page, shop):
    counted = {}
    for where in shopper_pages(page, shop["honey"]):
        counted[where] = assert_fields_labelled(page, where)
    # The log-in and registration forms, for a shopper who is not signed in.
    visitor = open_page()
    visitor.goto("/shop/accounts/login/")
    expect(visitor.locator("[name=login-username]")).to_be_visible()
    counted["log in and register"] = assert_fields_labelled(visitor, "log in and register")
    # The account menu, folded on a phone, holds a language list.
    visitor.locator("button.navbar-toggler[data-target='.account-collapse']").click()
    expect(visitor.locator(".account-collapse select[name=language]")).to_be_visible()
    counted["account menu"] = assert_fields_labelled(visitor, "the account menu")
    # Each page has fields to check, so a page that lost its form does not pass quietly
    # (the review page has only its "place order" button).
    assert all(count for where, count in counted.items() if where != "checkout review"), counted


def test_every_field_a_manager_fills_has_a_label(page, shop):
    counted = {where: assert_fields_labelled(page, where) for where in manager_pages(page, shop)}
    assert all(counted.values()), counted


def test_shopper_tap_targets_are_at_least_44px(page, shop):
    small = {where: small_tap_targets(page) for where in shopper_pages(page, shop["honey"])}
    small = {where: targets for where, targets in small.items() if targets}
    assert not small, "tap targets under 44 px:\n" + "\n".join(
        f"{where}: {target}" for where, targets in small.items() for target in targets
    )


def test_manager_tap_targets_are_at_least_44px(page, shop):
    small = {where: small_tap_targets(page) for where in manager_pages(page, shop)}
    small = {where: targets for where, targets in small.items() if targets}
    assert not small, "tap targets under 44 px:\n" + "\n".join(
        f"{where}: {target}" for where, targets in small.items() for target in targets
    )


def test_a_province_chosen_before_the_picker_script_runs_still_loads_its_communes(page, shop):
    """On a slow phone the deferred script can arrive after the shopper chose a province."""
    page.goto(shop["honey"].get_absolute_url())
    page.locator("#add_to_basket_form button[type=submit]").click()
    page.goto("/shop/basket/")
    expect(page.locator(".basket-part")).to_have_count(1)
    held = []

    def hold(route):
        held.append(route)

    page.route("**/commune-picker*.js", hold)
    # A deferred script holds DOMContentLoaded back: wait for the page's first bytes only.
    page.goto("/shop/checkout/", wait_until="commit")
    page.select_option("[name=province_code]", "19")  # no script yet to hear it
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the page asks for the picker script"
    page.unroute("**/commune-picker*.js")
    held[0].continue_()
    expect(page.locator("[name=commune_code] option[value='01906']")).to_have_count(1)
