"""payment/stripe_gateway.py against the local fake of Stripe, over real HTTP on 127.0.0.1."""

import ast
import datetime
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone, translation

from payment import stripe_gateway
from tests.fakes.fixtures import fake_stripe, loopback_only  # noqa: F401
from tests.fakes.stripe_api import sign, webhook_payload

SECRET = "whsec_test_cho_phien"
NBSP = "\xa0"


@pytest.fixture
def stripe_on(settings, fake_stripe):  # noqa: F811
    settings.STRIPE_SECRET_KEY = "sk_test_cho_phien"
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.STRIPE_API_BASE = fake_stripe.url
    return fake_stripe


def create_session(amount=Decimal("170000.00"), number="100001", **overrides):
    params = {
        "order_number": number,
        "amount": amount,
        "description": f"Chợ Phiên order {number}",
        "success_url": "http://shop.test/payments/stripe/return/?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "http://shop.test/don-hang/100001/x/",
        "expires_at": timezone.now() + datetime.timedelta(minutes=55),
        **overrides,
    }
    return stripe_gateway.checkout_session_create(**params)


# --- the client -------------------------------------------------------------------------------
def test_client_sends_every_host_to_stripe_api_base(stripe_on):
    client = stripe_gateway.get_client()
    addresses = client._requestor.base_addresses
    assert set(addresses.values()) == {stripe_on.url}
    assert set(addresses) >= {"api", "connect", "files", "meter_events"}


def test_no_client_without_a_secret_key(settings):
    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(ImproperlyConfigured):
        stripe_gateway.get_client()


def test_the_gateway_knows_nothing_of_cooperatives():
    """payment/ is below cooperatives/: importing it back would make a cycle."""
    root = Path(__file__).resolve().parents[2] / "payment"
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(name.split(".")[0] == "cooperatives" for name in names), path


# --- amounts ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "amount, whole",
    [(13000, 13000), (Decimal("170000.00"), 170000), (Decimal("99999999"), 99_999_999)],
)
def test_amounts_stripe_takes_are_whole_dong(amount, whole):
    assert stripe_gateway.check_amount(amount) == whole


def test_below_the_minimum_is_refused_with_the_amounts_in_vietnamese_style():
    with translation.override("vi"), pytest.raises(ValidationError) as caught:
        stripe_gateway.check_amount(Decimal("12999"))
    assert caught.value.code == "amount_too_small"
    message = caught.value.messages[0]
    assert f"13.000{NBSP}₫" in message
    assert f"12.999{NBSP}₫" in message


def test_above_the_maximum_and_fractions_are_refused():
    with pytest.raises(ValidationError) as too_large:
        stripe_gateway.check_amount(Decimal("100000000"))
    assert too_large.value.code == "amount_too_large"
    with pytest.raises(ValidationError) as fraction:
        stripe_gateway.check_amount(Decimal("170000.50"))
    assert fraction.value.code == "amount_not_whole"


def test_the_minimum_follows_settings(settings):
    settings.STRIPE_MIN_AMOUNT = 20000
    with pytest.raises(ValidationError):
        stripe_gateway.check_amount(15000)


# --- Checkout Sessions ------------------------------------------------------------------------
def test_session_is_created_in_whole_dong_never_times_100(stripe_on):
    session = create_session(amount=Decimal("170000.00"))

    assert isinstance(session, dict)
    assert (session["amount_total"], session["currency"]) == (170_000, "vnd")
    assert session["url"] == f"{stripe_on.url}/pay/{session['id']}"
    assert session["metadata"] == {"order_number": "100001"}
    assert session["client_reference_id"] == "100001"
    request = stripe_on.requests[-1]
    assert request.params["line_items"][0]["price_data"]["unit_amount"] == "170000"
    assert request.params["currency"] == "vnd"
    assert request.params["payment_intent_data"]["metadata"] == {"order_number": "100001"}
    assert request.idempotency_key == "cs-100001-170000-vnd"


def test_a_retried_create_gets_the_same_session(stripe_on):
    expires_at = timezone.now() + datetime.timedelta(minutes=50)
    first = create_session(expires_at=expires_at)
    again = create_session(expires_at=expires_at)

    assert again["id"] == first["id"]
    assert len(stripe_on.sessions) == 1
    assert stripe_on.requests[-1].replayed


def test_another_amount_is_another_idempotency_key(stripe_on):
    create_session(amount=Decimal("170000"))
    create_session(amount=Decimal("180000"))

    assert [r.idempotency_key for r in stripe_on.requests] == [
        "cs-100001-170000-vnd",
        "cs-100001-180000-vnd",
    ]
    assert len(stripe_on.sessions) == 2


def test_customer_email_is_sent_only_when_known(stripe_on):
    create_session()
    assert "customer_email" not in stripe_on.requests[-1].params
    create_session(number="100002", customer_email="lan@example.vn")
    assert stripe_on.requests[-1].params["customer_email"] == "lan@example.vn"


def test_retrieve_returns_what_stripe_knows_now(stripe_on):
    session = create_session()
    stripe_on.complete_session(session["id"])

    fresh = stripe_gateway.checkout_session_retrieve(session["id"])

    assert (fresh["status"], fresh["payment_status"]) == ("complete", "paid")
    assert fresh["payment_intent"].startswith("pi_")


def test_stripe_refusals_become_gateway_errors(stripe_on):
    with pytest.raises(stripe_gateway.GatewayError) as caught:
        stripe_gateway.checkout_session_retrieve("cs_test_nope")
    assert caught.value.code == "resource_missing"


# --- refunds ----------------------------------------------------------------------------------
def test_refund_is_whole_dong_and_idempotent(stripe_on):
    session = create_session()
    stripe_on.complete_session(session["id"])
    intent = stripe_gateway.checkout_session_retrieve(session["id"])["payment_intent"]

    refund = stripe_gateway.refund_create(
        payment_intent=intent, amount=Decimal("50000.00"), idempotency_key="re-part-1"
    )
    again = stripe_gateway.refund_create(
        payment_intent=intent, amount=Decimal("50000.00"), idempotency_key="re-part-1"
    )

    assert again["id"] == refund["id"]
    assert list(stripe_on.refunds) == [refund["id"]]
    assert stripe_on.refunds[refund["id"]]["amount"] == 50_000
    assert stripe_on.requests[-1].params["amount"] == "50000"


# --- webhooks ---------------------------------------------------------------------------------
@pytest.fixture
def completed_event(stripe_on):
    session = create_session()
    return stripe_on.complete_session(session["id"])


def test_a_signed_event_is_returned_as_stripe_sent_it(completed_event):
    payload = webhook_payload(completed_event)

    event = stripe_gateway.webhook_event_construct(
        payload=payload.encode(), signature=sign(payload, SECRET)
    )

    assert event == completed_event


@pytest.mark.parametrize("problem", ["forged", "stale", "tampered", "missing", "not json"])
def test_bad_webhooks_are_refused(completed_event, problem):
    payload = webhook_payload(completed_event)
    signature = sign(payload, SECRET)
    if problem == "forged":
        signature = sign(payload, "whsec_someone_else")
    elif problem == "stale":
        signature = sign(payload, SECRET, timestamp=int(time.time()) - 3600)
    elif problem == "tampered":
        payload = payload.replace('"amount_total": 170000', '"amount_total": 1700')
    elif problem == "missing":
        signature = ""
    elif problem == "not json":
        payload = "not json"
        signature = sign(payload, SECRET)

    with pytest.raises(stripe_gateway.WebhookInvalid):
        stripe_gateway.webhook_event_construct(payload=payload.encode(), signature=signature)
