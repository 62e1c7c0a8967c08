"""Journey 5: a shopper pays by card on the local fake of Stripe's hosted page.

The fake serves its payment page and API on 127.0.0.1; the browser may reach it (and the
test server) but nothing else. The signed webhook is posted to the live server the way
Stripe posts it.
"""

import pytest
from django.utils import translation
from playwright.sync_api import expect

from cooperatives import statuses
from order.models import Order
from payment.models import StripeEvent
from tests.factories import CooperativeFactory, ProductFactory, WeightBasedFactory
from tests.fakes.fixtures import fake_stripe, loopback_only  # noqa: F401
from tests.fakes.stripe_api import deliver

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SECRET = "whsec_test_cho_phien"


@pytest.fixture
def stripe_on(settings, live_server, fake_stripe):  # noqa: F811
    # The live server runs in this process, so these settings reach it too.
    settings.STRIPE_SECRET_KEY = "sk_test_cho_phien"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_cho_phien"
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.STRIPE_API_BASE = fake_stripe.url
    settings.SHOP_BASE_URL = live_server.url
    return fake_stripe


def test_shopper_pays_by_card_on_the_hosted_page(page, live_server, stripe_on):
    farm = CooperativeFactory(name="HTX Chè Tân Cương")
    WeightBasedFactory(cooperative=farm)
    tea = ProductFactory(title="Chè búp Tân Cương", cooperative=farm, net_weight_grams=500)
    # Registered after the fixture's catch-all, so Playwright tries it first.
    page.route(f"{stripe_on.url}/**", lambda route: route.continue_())

    page.goto(tea.get_absolute_url())
    page.locator("#add_to_basket_form button[type=submit]").click()
    page.goto("/shop/checkout/")
    page.fill("[name=full_name]", "Hoàng Thị Lan")
    page.fill("[name=phone]", "0912345678")
    page.select_option("[name=province_code]", "19")
    expect(page.locator("[name=commune_code] option[value='01906']")).to_have_count(1)
    page.select_option("[name=commune_code]", "01906")
    page.fill("[name=line1]", "Thôn Pác Ngòi")
    page.check("#payment_card")
    page.locator("form.checkout-delivery button[type=submit]").click()
    page.locator("form.place-order button[type=submit]").click()

    page.wait_for_url(f"{stripe_on.url}/pay/cs_test_*")
    order = Order.objects.get()
    # Stripe takes VND in whole đồng (zero-decimal), not ×100.
    expect(page.locator("#total")).to_have_text(f"₫{int(order.total_incl_tax):,}")
    page.locator("#pay").click()

    # Back on the shop's own order page (success_url), before or after the webhook.
    page.wait_for_url(f"{live_server.url}/don-hang/{order.number}/**")
    [session_id] = stripe_on.sessions
    [event] = [
        event
        for event in stripe_on.events_of("checkout.session.completed")
        if event["data"]["object"]["id"] == session_id
    ]
    answer = deliver(event, url=live_server.url + "/payments/stripe/webhook/", secret=SECRET)
    assert answer.status == 200
    assert StripeEvent.objects.get(event_id=event["id"]).processed_at is not None

    assert set(order.fulfilments.values_list("payment_status", flat=True)) == {
        statuses.PAYMENT_PAID
    }
    with translation.override("vi"):
        paid = str(dict(statuses.PAYMENT_CHOICES)[statuses.PAYMENT_PAID])
    page.reload()
    expect(page.locator(".order-part__payment")).to_have_text(paid)
    expect(page.get_by_role("button", name="Thanh toán bằng thẻ")).to_have_count(0)
