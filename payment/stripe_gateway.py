"""The one module that talks to Stripe: hosted Checkout Sessions, webhooks and refunds, in VND.

Everything Stripe sends back leaves this module as plain dicts (Stripe's JSON), the same
shape a stored webhook payload has, so callers handle one kind of object whichever way a
session reached them. Stripe's own exceptions stay in here too: callers see
``ValidationError`` for amounts, ``WebhookInvalid`` for webhooks they must refuse, and
``GatewayError`` when Stripe could not be reached or refused a request.

VND is a zero-decimal currency at Stripe: 170.000 ₫ is sent as ``170000``, never ×100.
Tests run this module, unmocked, against the local fake in ``tests/fakes/stripe_api.py``
(``STRIPE_API_BASE`` points every Stripe host at it).
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal, InvalidOperation
from typing import Any

import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils.translation import gettext as _

from payment.money import vnd

CURRENCY = "vnd"
# Every host the library may call; in tests all of them are the fake.
_BASE_ADDRESS_NAMES = ("api", "connect", "files", "meter_events")
# A dropped connection is retried with the same idempotency key, so retrying is safe;
# a few tries keep a shopper's click from hanging for long when Stripe is down.
MAX_NETWORK_RETRIES = 2


class GatewayError(Exception):
    """Stripe could not be reached, or refused the request; ``code`` is Stripe's, if any."""

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message)
        self.code = code


class WebhookInvalid(Exception):
    """A webhook whose signature is missing, forged or stale, or whose body is not JSON."""


def is_configured() -> bool:
    """Card payment is on only when both the API key and the webhook secret are set."""
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET)


def get_client() -> stripe.StripeClient:
    """A client for the configured account; built per call, so settings changes apply."""
    if not settings.STRIPE_SECRET_KEY:
        raise ImproperlyConfigured("STRIPE_SECRET_KEY is not set: card payment is off.")
    options: dict[str, Any] = {
        "max_network_retries": MAX_NETWORK_RETRIES,
        # The library waits 80 s by default; a shopper on a phone does not.
        "http_client": stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT),
    }
    if settings.STRIPE_API_BASE:
        base = settings.STRIPE_API_BASE.rstrip("/")
        options["base_addresses"] = {name: base for name in _BASE_ADDRESS_NAMES}
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, **options)


def check_amount(amount) -> int:
    """The amount in whole đồng as Stripe takes it; ``ValidationError`` if Stripe would refuse.

    Stripe's limits for VND: at least the equivalent of USD 0.50 (``STRIPE_MIN_AMOUNT``) and
    at most eight digits. Checking here lets the shopper choose another way to pay before
    any order is placed, instead of meeting Stripe's error after.
    """
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError(
            _("A card payment must be a whole number of đồng."), code="amount_not_whole"
        ) from None
    if not value.is_finite() or value != value.to_integral_value():
        raise ValidationError(
            _("A card payment must be a whole number of đồng."), code="amount_not_whole"
        )
    if value < settings.STRIPE_MIN_AMOUNT:
        raise ValidationError(
            _(
                "Card payment needs an order of at least %(minimum)s; this order comes to "
                "%(amount)s. Add something to your basket or choose another way to pay."
            )
            % {"minimum": vnd(settings.STRIPE_MIN_AMOUNT), "amount": vnd(value)},
            code="amount_too_small",
        )
    if value > settings.STRIPE_MAX_AMOUNT:
        raise ValidationError(
            _(
                "Card payment is limited to %(maximum)s per order; this order comes to "
                "%(amount)s. Please choose another way to pay."
            )
            % {"maximum": vnd(settings.STRIPE_MAX_AMOUNT), "amount": vnd(value)},
            code="amount_too_large",
        )
    return int(value)


def _plain(obj) -> dict[str, Any]:
    return obj.to_dict()


def _call(function, *args, **kwargs) -> dict[str, Any]:
    try:
        return _plain(function(*args, **kwargs))
    except stripe.StripeError as error:
        raise GatewayError(
            error.user_message or str(error) or type(error).__name__,
            code=getattr(error, "code", None),
        ) from error


def checkout_session_create(
    *,
    order_number: str,
    amount,
    description: str,
    success_url: str,
    cancel_url: str,
    expires_at: datetime.datetime,
    customer_email: str = "",
) -> dict[str, Any]:
    """A hosted Checkout Session for one order, in whole đồng.

    The idempotency key names the order, amount and currency: a retry (double click, dropped
    connection) gets the same session back, and a different amount can never reuse it.
    """
    whole = check_amount(amount)
    metadata = {"order_number": order_number}
    params: dict[str, Any] = {
        "mode": "payment",
        "currency": CURRENCY,
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": CURRENCY,
                    "unit_amount": whole,
                    "product_data": {"name": description},
                },
            }
        ],
        "success_url": success_url,
        "cancel_url": cancel_url,
        "client_reference_id": order_number,
        "metadata": metadata,
        # Also on the PaymentIntent and its charge: what Stripe's dashboard shows for a refund.
        "payment_intent_data": {"metadata": metadata, "description": description},
        "expires_at": int(expires_at.timestamp()),
    }
    if customer_email:
        params["customer_email"] = customer_email
    key = f"cs-{order_number}-{whole}-{CURRENCY}"
    return _call(
        get_client().v1.checkout.sessions.create,
        params=params,
        options={"idempotency_key": key},
    )


def checkout_session_retrieve(session_id: str) -> dict[str, Any]:
    """The session as Stripe knows it now (status, payment_status, payment_intent id)."""
    return _call(get_client().v1.checkout.sessions.retrieve, session_id)


def webhook_event_construct(*, payload: bytes, signature: str) -> dict[str, Any]:
    """The event in a webhook body, once its ``Stripe-Signature`` proves Stripe sent it.

    Verified on the raw bytes (a re-encoded body would not match); a signature older than
    Stripe's default tolerance (five minutes) is refused, so a captured request cannot be
    replayed later. Raises ``WebhookInvalid``.
    """
    if not settings.STRIPE_WEBHOOK_SECRET:
        raise WebhookInvalid("STRIPE_WEBHOOK_SECRET is not set.")
    if not signature:
        raise WebhookInvalid("No Stripe-Signature header.")
    try:
        get_client().construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
        event = json.loads(payload)
    except (ValueError, stripe.SignatureVerificationError) as error:
        raise WebhookInvalid(str(error)) from error
    if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
        raise WebhookInvalid("Not a Stripe event.")
    return event


def refund_create(*, payment_intent: str, amount, idempotency_key: str) -> dict[str, Any]:
    """Give ``amount`` đồng of a paid PaymentIntent back to the card; returns the refund."""
    whole = Decimal(amount)
    if whole <= 0 or whole != whole.to_integral_value():
        raise ValidationError(
            _("A card payment must be a whole number of đồng."), code="amount_not_whole"
        )
    return _call(
        get_client().v1.refunds.create,
        params={
            "payment_intent": payment_intent,
            "amount": int(whole),
            "reason": "requested_by_customer",
        },
        options={"idempotency_key": idempotency_key},
    )
