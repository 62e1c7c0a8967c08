"""Card payment through the shop's own URLs: pay button, Stripe's page, return, signed webhook.

The fake Stripe runs on 127.0.0.1; webhooks are signed with Stripe's scheme and posted
through Django's test client, and after-commit work (the Celery task, eager in tests)
runs inside ``django_capture_on_commit_callbacks``.
"""

import time
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from cooperatives import statuses
from cooperatives.models import FulfilmentEvent
from cooperatives.selectors import order_page_path
from order.models import Order, PaymentEvent
from payment.models import StripeEvent
from tests.factories import CooperativeFactory, ProductFactory, UserFactory, WeightBasedFactory
from tests.factories import place_order as _place_order
from tests.fakes.fixtures import fake_stripe, loopback_only  # noqa: F401
from tests.fakes.stripe_api import deliver, sign, webhook_payload

pytestmark = pytest.mark.django_db

SECRET = "whsec_test_cho_phien"
WEBHOOK = "/payments/stripe/webhook/"


@pytest.fixture
def stripe_on(settings, fake_stripe):  # noqa: F811
    settings.STRIPE_SECRET_KEY = "sk_test_cho_phien"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_cho_phien"
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.STRIPE_API_BASE = fake_stripe.url
    settings.SHOP_BASE_URL = "http://shop.test"
    return fake_stripe


@pytest.fixture
def card_order(stripe_on):
    """Two cooperatives' parts, 155.000 ₫ and 120.000 ₫: 275.000 ₫ by card."""
    items = []
    for name, price in (("HTX Chè Tân Cương", "125000"), ("HTX Gạo Bắc Hương", "90000")):
        farm = CooperativeFactory(name=name)
        WeightBasedFactory(cooperative=farm, bands=[(1, 30000)])
        product = ProductFactory(
            cooperative=farm, net_weight_grams=500, stockrecords__price=Decimal(price)
        )
        items.append((product, 1))
    order = _place_order(*items, payment_method="card")
    return Order.objects.get(pk=order.pk)


def pay_url(order) -> str:
    return reverse(
        "stripe:pay", kwargs={"number": order.number, "token": order.verification_hash()}
    )


def payment_statuses(order) -> set[str]:
    return set(order.fulfilments.values_list("payment_status", flat=True))


def start(client, order, fake) -> str:
    """Press "pay by card"; returns the Checkout Session id the shopper was sent to."""
    response = client.post(pay_url(order))
    assert response.status_code == 302
    assert response["Location"].startswith(f"{fake.url}/pay/cs_test_")
    return response["Location"].rsplit("/", 1)[1]


def webhook(client, event, capture, **kwargs):
    with capture(execute=True):
        return deliver(event, url=WEBHOOK, secret=SECRET, client=client, **kwargs)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def pay_on_stripes_page(fake, session_id) -> str:
    """The shopper presses Pay on the hosted page; returns where Stripe sends them back."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect)
    page = opener.open(f"{fake.url}/pay/{session_id}", timeout=5).read().decode()
    assert "275,000" in page  # the fake shows amounts the way Stripe does
    data = urllib.parse.urlencode({"action": "pay"}).encode()
    try:
        opener.open(f"{fake.url}/pay/{session_id}", data=data, timeout=5)
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 303
        return redirect.headers["Location"]
    raise AssertionError("Stripe's page did not send the shopper back")


# --- the whole way ----------------------------------------------------------------------------
def test_happy_path_order_pay_stripe_webhook_paid(
    client, card_order, stripe_on, django_capture_on_commit_callbacks
):
    session_id = start(client, card_order, stripe_on)
    session = stripe_on.sessions[session_id]
    # VND is zero-decimal at Stripe: the order total, in đồng, not ×100.
    assert session["amount_total"] == int(card_order.total_incl_tax) == 275_000
    [line] = stripe_on.line_items[session_id]
    assert line["price"]["unit_amount"] == int(card_order.total_incl_tax)
    assert payment_statuses(card_order) == {statuses.PAYMENT_AWAITING}

    event = stripe_on.complete_session(session_id)
    response = webhook(client, event, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert payment_statuses(card_order) == {statuses.PAYMENT_PAID}
    stored = StripeEvent.objects.get(event_id=event["id"])
    assert stored.processed_at is not None
    assert stored.event_type == "checkout.session.completed"
    assert PaymentEvent.objects.filter(order=card_order).count() == 1


def test_the_same_webhook_twice_is_processed_once(
    client, card_order, stripe_on, django_capture_on_commit_callbacks
):
    event = stripe_on.complete_session(start(client, card_order, stripe_on))

    first = webhook(client, event, django_capture_on_commit_callbacks)
    second = webhook(client, event, django_capture_on_commit_callbacks)

    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.json()["duplicate"], second.json()["duplicate"]) == (False, True)
    assert StripeEvent.objects.count() == 1
    assert PaymentEvent.objects.filter(order=card_order).count() == 1
    assert FulfilmentEvent.objects.filter(to_state=statuses.PAYMENT_PAID).count() == 2


def test_return_before_webhook_pays_once(
    client, card_order, stripe_on, django_capture_on_commit_callbacks
):
    session_id = start(client, card_order, stripe_on)
    back = pay_on_stripes_page(stripe_on, session_id)
    assert back == f"http://shop.test/payments/stripe/return/?session_id={session_id}"

    response = client.get(back.removeprefix("http://shop.test"))

    assert response.status_code == 302
    assert response["Location"] == order_page_path(card_order)
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]
    assert payment_statuses(card_order) == {statuses.PAYMENT_PAID}

    [completed] = stripe_on.events_of("checkout.session.completed")
    assert webhook(client, completed, django_capture_on_commit_callbacks).status_code == 200
    assert payment_statuses(card_order) == {statuses.PAYMENT_PAID}
    assert PaymentEvent.objects.filter(order=card_order).count() == 1
    assert FulfilmentEvent.objects.filter(to_state=statuses.PAYMENT_PAID).count() == 2


def test_webhook_before_return_pays_once(
    client, card_order, stripe_on, django_capture_on_commit_callbacks
):
    session_id = start(client, card_order, stripe_on)
    webhook(client, stripe_on.complete_session(session_id), django_capture_on_commit_callbacks)

    response = client.get(reverse("stripe:return"), {"session_id": session_id})

    assert response["Location"] == order_page_path(card_order)
    assert payment_statuses(card_order) == {statuses.PAYMENT_PAID}
    assert PaymentEvent.objects.filter(order=card_order).count() == 1


def test_returning_unpaid_changes_nothing(client, card_order, stripe_on):
    session_id = start(client, card_order, stripe_on)

    response = client.get(reverse("stripe:return"), {"session_id": session_id})

    assert response["Location"] == order_page_path(card_order)
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["info"]
    assert payment_statuses(card_order) == {statuses.PAYMENT_AWAITING}


def test_returning_with_a_session_that_is_not_ours_is_404(client, card_order, stripe_on):
    start(client, card_order, stripe_on)
    assert client.get(reverse("stripe:return"), {"session_id": "cs_test_x"}).status_code == 404
    assert client.get(reverse("stripe:return")).status_code == 404


# --- events out of order ----------------------------------------------------------------------
def test_expired_after_completed_stays_paid(
    client, card_order, stripe_on, django_capture_on_commit_callbacks
):
    completed = stripe_on.complete_session(start(client, card_order, stripe_on))
    expired = stripe_on.event(
        "checkout.session.expired", {**completed["data"]["object"], "status": "expired"}
    )

    webhook(client, completed, django_capture_on_commit_callbacks)
    webhook(client, expired, django_capture_on_commit_callbacks)

    assert payment_statuses(card_order) == {statuses.PAYMENT_PAID}
    assert set(card_order.fulfilments.values_list("status", flat=True)) == {statuses.NEW}
    assert StripeEvent.objects.filter(processed_at__isnull=False).count() == 2


def test_completed_after_expired_is_recorded_and_flagged_for_refund(
    client, card_order, stripe_on, django_capture_on_commit_callbacks
):
    session_id = start(client, card_order, stripe_on)
    expired = stripe_on.event(
        "checkout.session.expired", {**stripe_on.sessions[session_id], "status": "expired"}
    )
    webhook(client, expired, django_capture_on_commit_callbacks)
    assert payment_statuses(card_order) == {statuses.PAYMENT_EXPIRED}

    webhook(client, stripe_on.complete_session(session_id), django_capture_on_commit_callbacks)

    for part in card_order.fulfilments.all():
        assert (part.status, part.payment_status) == (statuses.CANCELLED, statuses.PAYMENT_PAID)
        assert "cần hoàn" in part.events.get(to_state=statuses.PAYMENT_PAID).note  # "refund"
    assert PaymentEvent.objects.filter(order=card_order).count() == 1


def test_an_expired_session_cancels_the_order_at_once(
    client, card_order, stripe_on, django_capture_on_commit_callbacks
):
    session_id = start(client, card_order, stripe_on)

    webhook(client, stripe_on.expire_session(session_id), django_capture_on_commit_callbacks)

    assert set(card_order.fulfilments.values_list("status", flat=True)) == {statuses.CANCELLED}
    assert payment_statuses(card_order) == {statuses.PAYMENT_EXPIRED}
    # Pressing "pay" again now says so instead of opening a new page.
    response = client.post(pay_url(card_order))
    assert response["Location"] == order_page_path(card_order)
    assert len(stripe_on.sessions) == 1


# --- refused webhooks -------------------------------------------------------------------------
@pytest.mark.parametrize("problem", ["forged", "stale", "tampered", "unsigned"])
def test_a_bad_signature_is_400_and_changes_nothing(
    client, card_order, stripe_on, django_capture_on_commit_callbacks, problem
):
    event = stripe_on.complete_session(start(client, card_order, stripe_on))
    payload = webhook_payload(event)
    headers = {
        "forged": {"Stripe-Signature": sign(payload, "whsec_not_ours")},
        "stale": {"Stripe-Signature": sign(payload, SECRET, timestamp=int(time.time()) - 3600)},
        "tampered": {"Stripe-Signature": sign(payload.replace("paid", "PAID"), SECRET)},
        "unsigned": {},
    }[problem]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            WEBHOOK, data=payload, content_type="application/json", headers=headers
        )

    assert response.status_code == 400
    assert not StripeEvent.objects.exists()
    assert payment_statuses(card_order) == {statuses.PAYMENT_AWAITING}
    assert not PaymentEvent.objects.exists()


def test_webhook_is_400_while_stripe_is_not_configured(
    client, settings, card_order, stripe_on, django_capture_on_commit_callbacks
):
    event = stripe_on.complete_session(start(client, card_order, stripe_on))
    settings.STRIPE_WEBHOOK_SECRET = ""

    assert webhook(client, event, django_capture_on_commit_callbacks).status_code == 400
    assert not StripeEvent.objects.exists()


def test_webhook_takes_post_only(client, stripe_on):
    assert client.get(WEBHOOK).status_code == 405


# --- the pay button ---------------------------------------------------------------------------
def test_pay_needs_the_orders_token_and_a_post(client, card_order, stripe_on):
    wrong = reverse("stripe:pay", kwargs={"number": card_order.number, "token": "x:y"})
    assert client.post(wrong).status_code == 404
    assert client.get(pay_url(card_order)).status_code == 405
    assert stripe_on.sessions == {}


def test_pressing_pay_twice_opens_one_page(client, card_order, stripe_on):
    assert start(client, card_order, stripe_on) == start(client, card_order, stripe_on)
    assert len(stripe_on.sessions) == 1


# --- refunds in Django's admin ----------------------------------------------------------------
def test_staff_refund_a_part_from_the_admin(
    client, card_order, stripe_on, django_capture_on_commit_callbacks
):
    webhook(
        client,
        stripe_on.complete_session(start(client, card_order, stripe_on)),
        django_capture_on_commit_callbacks,
    )
    part = card_order.fulfilments.order_by("pk").first()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    changelist = reverse("admin:cooperatives_fulfilment_changelist")
    assert client.get(changelist).status_code == 200
    assert (
        client.get(reverse("admin:cooperatives_fulfilment_change", args=[part.pk])).status_code
        == 200
    )

    response = client.post(
        changelist, {"action": "refund_card_payment", "_selected_action": [part.pk]}
    )

    assert response.status_code == 302
    [refund] = stripe_on.refunds.values()
    assert refund["amount"] == int(part.total) == 155_000
    part.refresh_from_db()
    assert part.payment_status == statuses.PAYMENT_REFUNDED


def test_staff_without_the_permission_cannot_refund_from_the_admin(
    client, card_order, stripe_on, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import Permission

    webhook(
        client,
        stripe_on.complete_session(start(client, card_order, stripe_on)),
        django_capture_on_commit_callbacks,
    )
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_fulfilment"))
    client.force_login(user)
    part = card_order.fulfilments.order_by("pk").first()

    client.post(
        reverse("admin:cooperatives_fulfilment_changelist"),
        {"action": "refund_card_payment", "_selected_action": [part.pk]},
    )

    assert stripe_on.refunds == {}
    part.refresh_from_db()
    assert part.payment_status == statuses.PAYMENT_PAID
