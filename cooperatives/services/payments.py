"""Card payments through Stripe's hosted Checkout, order-first.

The order is placed before the shopper pays: its parts wait (``awaiting``) until Stripe
says the money is in, or are cancelled when the time to pay runs out. The signed webhook
is the source of truth; the shopper's return from Stripe only settles sooner. Both go
through ``card_session_settle``, which is idempotent, so whichever comes first does the
work and the other changes nothing, in any order of events.

Money is never dropped on the floor: a payment that lands on a part already cancelled
(not paid in time, or cancelled by the shopper) marks that part paid, with a note that
it must be refunded, and staff give it back with ``fulfilment_refund``.

Writes are recorded the oscar way too: one ``Source`` of type "Stripe" per order (its
reference is the Checkout Session), a Debit ``Transaction`` holding the PaymentIntent id,
Refund transactions, and ``PaymentEvent`` rows for the order's history.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cooperatives import statuses
from cooperatives.models import Fulfilment
from cooperatives.selectors import order_page_url
from cooperatives.services.fulfillment import (
    _event,
    _locked,
    _payment_set,
    fulfilment_cancel,
    fulfilment_card_paid,
)
from order.models import Order, PaymentEvent, PaymentEventQuantity, PaymentEventType
from payment import methods as payment_methods
from payment import stripe_gateway
from payment.models import Source, SourceType, StripeEvent, Transaction
from payment.money import vnd

logger = logging.getLogger(__name__)

SOURCE_TYPE_CODE = "stripe"
EVENT_TYPE_SETTLED = ("settled", "Settled")  # (code, name) of oscar's PaymentEventType
EVENT_TYPE_REFUNDED = ("refunded", "Refunded")

SESSION_COMPLETED = "checkout.session.completed"
SESSION_ASYNC_SUCCEEDED = "checkout.session.async_payment_succeeded"
SESSION_EXPIRED = "checkout.session.expired"
CHARGE_REFUNDED = "charge.refunded"

# Stripe keeps a session open between 30 minutes and 24 hours; a minute of margin on each
# side for the request's own travel time.
SESSION_MIN_LIFETIME = datetime.timedelta(minutes=31)
SESSION_MAX_LIFETIME = datetime.timedelta(hours=24) - datetime.timedelta(minutes=1)
# The part's deadline falls this long after the session closes, so the webhook (which
# says exactly what happened) normally decides, and ``payments_expire`` is the fallback.
EXPIRY_GRACE = datetime.timedelta(minutes=5)

# The parts still waiting for the card: not cancelled and still allowed to be.
_CANCELLABLE = [
    status for status, nexts in statuses.FULFILMENT_PIPELINE.items() if statuses.CANCELLED in nexts
]


# --- helpers --------------------------------------------------------------------------------


def _source_type() -> SourceType:
    source_type, _created = SourceType.objects.get_or_create(
        code=SOURCE_TYPE_CODE, defaults={"name": "Stripe"}
    )
    return source_type


def _stripe_source(order: Order) -> Source | None:
    return order.sources.filter(source_type__code=SOURCE_TYPE_CODE).order_by("pk").first()


def _source_for_session(order: Order, session_id: str) -> Source:
    source = _stripe_source(order)
    if source is None:
        source = Source(
            order=order,
            source_type=_source_type(),
            currency=order.currency,
            reference=session_id,
            label="Stripe Checkout",  # stored data: the same whatever the shopper's language
        )
        source.full_clean()
        source.save()
    return source


def _payment_event(*, order: Order, kind: tuple[str, str], amount, reference: str, lines):
    code, name = kind
    event_type, _created = PaymentEventType.objects.get_or_create(
        code=code, defaults={"name": name}
    )
    event = PaymentEvent.objects.create(
        order=order, amount=amount, reference=reference, event_type=event_type
    )
    PaymentEventQuantity.objects.bulk_create(
        PaymentEventQuantity(event=event, line=line, quantity=line.quantity) for line in lines
    )
    return event


def _awaiting_parts(order: Order):
    return order.fulfilments.filter(
        payment_status=statuses.PAYMENT_AWAITING, status__in=_CANCELLABLE
    ).order_by("pk")


def _order_of_session(session: Mapping[str, Any]) -> Order | None:
    """The order named in the session's metadata, locked; None if the session is not ours."""
    number = (session.get("metadata") or {}).get("order_number")
    if not number:
        return None
    return Order.objects.select_for_update().filter(number=number).first()


def _intent_id(session: Mapping[str, Any]) -> str:
    intent = session.get("payment_intent") or ""
    return intent["id"] if isinstance(intent, Mapping) else str(intent)


def _note_once(*, order: Order, note: str) -> None:
    """A note on every part of the order for staff, written once however often it is seen."""
    for part in order.fulfilments.order_by("pk"):
        if not part.events.filter(note=note).exists():
            _event(
                fulfilment=part,
                actor=None,
                kind=statuses.EVENT_PAYMENT,
                from_state=part.payment_status,
                to_state=part.payment_status,
                channel=statuses.CHANNEL_STRIPE,
                note=note,
            )


def _return_path(session_id: str) -> str:
    return reverse("stripe:return") + f"?session_id={session_id}"


# --- reads ----------------------------------------------------------------------------------
def order_for_card_session(*, session_id: str) -> Order | None:
    """The order whose card payment runs through this Checkout Session, if it is one of ours."""
    source = (
        Source.objects.filter(source_type__code=SOURCE_TYPE_CODE, reference=session_id)
        .select_related("order")
        .first()
    )
    return source.order if source is not None else None


# --- starting a payment ---------------------------------------------------------------------
@transaction.atomic
def card_checkout_start(*, order: Order) -> str:
    """The address to send the shopper to, to pay this order by card on Stripe's page.

    One Checkout Session per order, for the order total: asked again (a second tap, a
    return to the order page), the same open session is returned. If that session has
    already been paid or has expired, the address is our return page, which settles or
    cancels the order and tells the shopper. ``ValidationError`` when there is nothing
    to pay or Stripe cannot be reached; nothing is written then.
    """
    if order.payment_method != payment_methods.CARD:
        raise ValidationError(_("This order is not paid by card."), code="not_card")
    if not stripe_gateway.is_configured():
        raise ValidationError(
            _("Card payment is not available right now; please try again later."),
            code="card_off",
        )
    order = Order.objects.select_for_update().get(pk=order.pk)
    awaiting = list(_awaiting_parts(order))
    if not awaiting:
        if order.fulfilments.filter(payment_status=statuses.PAYMENT_PAID).exists():
            raise ValidationError(_("This order is already paid."), code="already_paid")
        raise ValidationError(_("This order no longer waits for a payment."), code="nothing_to_pay")

    source = _stripe_source(order)
    if source is not None and source.reference:
        try:
            session = stripe_gateway.checkout_session_retrieve(source.reference)
        except stripe_gateway.GatewayError as error:
            raise _unreachable(error) from error
        if session["status"] == "open" and session.get("url"):
            return session["url"]
        # Paid or expired while the shopper was away: the return page settles or cancels.
        return _return_path(session["id"])

    amount = stripe_gateway.check_amount(order.total_incl_tax)
    now = timezone.now()
    due_by = min(
        (part.payment_due_by for part in awaiting if part.payment_due_by),
        default=now + datetime.timedelta(minutes=settings.CARD_PAYMENT_MINUTES),
    )
    # From the stored deadline rather than the clock whenever Stripe allows it, so a retry
    # after a lost commit sends the same parameters under the same idempotency key (Stripe
    # refuses a key reused with other parameters).
    expires_at = max(due_by - EXPIRY_GRACE, now + SESSION_MIN_LIFETIME)
    expires_at = min(expires_at, now + SESSION_MAX_LIFETIME)
    try:
        session = stripe_gateway.checkout_session_create(
            order_number=order.number,
            amount=amount,
            description=_("Chợ Phiên order %(number)s") % {"number": order.number},
            success_url=(
                settings.SHOP_BASE_URL
                + reverse("stripe:return")
                + "?session_id={CHECKOUT_SESSION_ID}"
            ),
            cancel_url=order_page_url(order),
            expires_at=expires_at,
            customer_email=order.email or "",
        )
    except stripe_gateway.GatewayError as error:
        raise _unreachable(error) from error

    _source_for_session(order, session["id"])
    # Stripe may still take the money until the session closes (a shopper who came back
    # late gets the 30 minutes Stripe insists on): the stock is held until then.
    new_due_by = expires_at + EXPIRY_GRACE
    if new_due_by > due_by:
        Fulfilment.objects.filter(pk__in=[part.pk for part in awaiting]).update(
            payment_due_by=new_due_by, updated_at=now
        )
    return session["url"]


def _unreachable(error: stripe_gateway.GatewayError) -> ValidationError:
    logger.warning("Stripe refused or could not be reached: %s (%s)", error, error.code)
    return ValidationError(
        _("The card payment page could not be opened just now; please try again in a moment."),
        code="gateway",
    )


# --- Stripe says what happened --------------------------------------------------------------
@transaction.atomic
def card_session_settle(*, session: Mapping[str, Any]) -> bool:
    """Record a paid Checkout Session against its order. True if this call recorded it.

    Checked against the order before anything moves: the order number in its metadata,
    the currency and the amount. Every part the payment covers becomes paid; a part
    cancelled in the meantime becomes paid too, with a note to refund it, so the money
    stays visible until it is given back. Called again with the same session: False.
    """
    order = _order_of_session(session)
    if order is None:
        logger.warning("Stripe session %s names no order of ours.", session.get("id"))
        return False
    if session.get("payment_status") != "paid":
        return False  # not yet: async methods send async_payment_succeeded later
    intent = _intent_id(session)
    amount_total = session.get("amount_total")
    if (
        str(session.get("currency", "")).lower() != stripe_gateway.CURRENCY
        or not isinstance(amount_total, int)
        or Decimal(amount_total) != order.total_incl_tax  # VND: whole đồng, never ×100
    ):
        logger.error(
            "Stripe session %s for order %s: %s %s, expected %s vnd.",
            session.get("id"),
            order.number,
            amount_total,
            session.get("currency"),
            order.total_incl_tax,
        )
        _note_once(
            order=order,
            note=_(
                "Stripe reports a card payment of %(amount)s %(currency)s (%(intent)s) that "
                "does not match this order's total: check it in Stripe before anything ships."
            )
            % {
                "amount": amount_total,
                "currency": str(session.get("currency", "")).upper(),
                "intent": intent,
            },
        )
        return False

    source = _source_for_session(order, session["id"])
    if source.transactions.filter(txn_type=Transaction.DEBIT, reference=intent).exists():
        return False
    source.debit(order.total_incl_tax, reference=intent, status="paid")
    _payment_event(
        order=order,
        kind=EVENT_TYPE_SETTLED,
        amount=order.total_incl_tax,
        reference=intent,
        lines=order.lines.all(),
    )
    for part in order.fulfilments.order_by("pk"):
        if part.status == statuses.CANCELLED:
            note = _(
                "Paid by card (%(intent)s) after this part was cancelled: refund %(amount)s "
                "to the shopper."
            ) % {"intent": intent, "amount": vnd(part.total)}
        else:
            note = _("Paid by card (%(intent)s).") % {"intent": intent}
        fulfilment_card_paid(fulfilment=part, note=note)
    return True


@transaction.atomic
def card_session_expire(*, session: Mapping[str, Any]) -> int:
    """The Checkout Session closed unpaid: cancel the parts still waiting, return their stock.

    Parts already paid (a ``completed`` event that overtook this one) are left alone.
    Returns how many parts were cancelled; 0 when run again.
    """
    order = _order_of_session(session)
    if order is None:
        return 0
    source = _stripe_source(order)
    if source is not None and source.reference and source.reference != session.get("id"):
        return 0  # not the session this order waits on
    cancelled = 0
    for part in _awaiting_parts(order):
        fulfilment_cancel(
            fulfilment=part,
            actor=None,
            channel=statuses.CHANNEL_STRIPE,
            note=_("The card payment page closed before payment."),
            payment_status=statuses.PAYMENT_EXPIRED,
        )
        cancelled += 1
    return cancelled


@transaction.atomic
def card_charge_refunded(*, charge: Mapping[str, Any]) -> bool:
    """Stripe refunded (part of) a charge; record what the shop has not recorded yet.

    Refunds made here (``fulfilment_refund``) are already recorded, so their event changes
    nothing. A refund made in Stripe's dashboard is recorded on the order; if it gave back
    everything, every paid part becomes refunded, otherwise staff are told to check which.
    """
    intent = charge.get("payment_intent") or ""
    debit = (
        Transaction.objects.filter(
            source__source_type__code=SOURCE_TYPE_CODE,
            txn_type=Transaction.DEBIT,
            reference=intent,
        )
        .select_related("source")
        .first()
    )
    if not intent or debit is None:
        logger.warning("Stripe refunded charge %s of no order of ours.", charge.get("id"))
        return False
    order = Order.objects.select_for_update().get(pk=debit.source.order_id)
    source = Source.objects.get(pk=debit.source_id)  # re-read under the order's lock
    unrecorded = Decimal(int(charge.get("amount_refunded") or 0)) - source.amount_refunded
    if unrecorded <= 0:
        return False
    reference = str(charge.get("id", ""))
    source.refund(unrecorded, reference=reference, status="stripe")
    _payment_event(
        order=order,
        kind=EVENT_TYPE_REFUNDED,
        amount=unrecorded,
        reference=reference,
        lines=order.lines.none(),
    )
    paid = order.fulfilments.filter(payment_status=statuses.PAYMENT_PAID).order_by("pk")
    if charge.get("refunded"):
        for part in paid:
            _payment_set(
                fulfilment=_locked(part),
                to_state=statuses.PAYMENT_REFUNDED,
                actor=None,
                channel=statuses.CHANNEL_STRIPE,
                note=_("Refunded in Stripe's dashboard."),
            )
    else:
        _note_once(
            order=order,
            note=_(
                "%(amount)s was refunded in Stripe's dashboard (%(charge)s); check which part "
                "it was for."
            )
            % {"amount": vnd(unrecorded), "charge": reference},
        )
    return True


def stripe_event_record(*, event: Mapping[str, Any]) -> tuple[StripeEvent, bool]:
    """Store a verified webhook event once and queue its processing after commit.

    Stripe delivers at least once: the unique event id makes a redelivery a no-op (False).
    A redelivered event that was never processed (the queue was down) is queued again.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                stored = StripeEvent(
                    event_id=event["id"], event_type=event["type"], payload=dict(event)
                )
                stored.full_clean(validate_unique=False)  # the constraint decides, race-free
                stored.save()
            created = True
        except IntegrityError:
            stored = StripeEvent.objects.get(event_id=event["id"])
            created = False
        if stored.processed_at is None:
            from cooperatives.queue import enqueue
            from cooperatives.tasks import stripe_event_process_task

            pk = stored.pk
            transaction.on_commit(lambda: enqueue(stripe_event_process_task, stripe_event_id=pk))
    return stored, created


@transaction.atomic
def stripe_event_process(*, stripe_event: StripeEvent) -> bool:
    """Apply one stored event; False if it was processed before (or is being, elsewhere)."""
    locked = StripeEvent.objects.select_for_update().get(pk=stripe_event.pk)
    if locked.processed_at is not None:
        return False
    obj = (locked.payload.get("data") or {}).get("object") or {}
    if locked.event_type in (SESSION_COMPLETED, SESSION_ASYNC_SUCCEEDED):
        card_session_settle(session=obj)
    elif locked.event_type == SESSION_EXPIRED:
        card_session_expire(session=obj)
    elif locked.event_type == CHARGE_REFUNDED:
        card_charge_refunded(charge=obj)
    # Anything else (payment_intent.*, refund.created, ...) is stored for the record only.
    locked.processed_at = timezone.now()
    locked.save(update_fields=["processed_at"])
    stripe_event.processed_at = locked.processed_at
    return True


# --- giving money back ----------------------------------------------------------------------
def _can_refund(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm("order.change_order")
    )


@transaction.atomic
def fulfilment_refund(*, fulfilment: Fulfilment, actor) -> Fulfilment:
    """Give one cooperative's part of a card order back to the shopper's card.

    Staff only. The refund is for the part's total (goods and shipping) on the order's
    PaymentIntent; its idempotency key names the part, so a retry after a timeout can
    never refund twice. The part becomes refunded, with an event saying who did it.
    A part not yet shipped is cancelled with its refund (its stock goes back), so it
    cannot be refunded and still sent; a parcel on its way is refunded once it is
    delivered or returned.
    """
    if not _can_refund(actor):
        raise PermissionDenied(_("Only staff who may change orders can refund card payments."))
    order = Order.objects.select_for_update().get(pk=fulfilment.order_id)
    locked = _locked(fulfilment)
    if locked.payment_status == statuses.PAYMENT_REFUNDED:
        raise ValidationError(_("This part was already refunded."), code="already_refunded")
    source = _stripe_source(order)
    debit = (
        source.transactions.filter(txn_type=Transaction.DEBIT).order_by("pk").first()
        if source is not None
        else None
    )
    if (
        order.payment_method != payment_methods.CARD
        or locked.payment_status != statuses.PAYMENT_PAID
        or debit is None
    ):
        raise ValidationError(
            _("This part has no card payment to refund."), code="not_paid_by_card"
        )
    if locked.status == statuses.SHIPPED:
        raise ValidationError(
            _("This parcel is on its way: refund it once it is delivered or returned."),
            code="in_transit",
        )
    if locked.status in statuses.STOCK_HELD:
        locked = fulfilment_cancel(
            fulfilment=locked,
            actor=actor,
            channel=statuses.CHANNEL_WEB,
            note=_("Cancelled to refund the card payment."),
        )
    amount = locked.total
    try:
        refund = stripe_gateway.refund_create(
            payment_intent=debit.reference,
            amount=amount,
            idempotency_key=f"re-{order.number}-part-{locked.pk}-{int(amount)}-vnd",
        )
    except stripe_gateway.GatewayError as error:
        raise ValidationError(
            _("Stripe did not refund this part: %(reason)s") % {"reason": error},
            code="gateway",
        ) from error
    source.refund(amount, reference=refund["id"], status=str(refund.get("status", "")))
    _payment_event(
        order=order,
        kind=EVENT_TYPE_REFUNDED,
        amount=amount,
        reference=refund["id"],
        lines=order.lines.filter(partner=locked.cooperative.partner),
    )
    _payment_set(
        fulfilment=locked,
        to_state=statuses.PAYMENT_REFUNDED,
        actor=actor,
        channel=statuses.CHANNEL_STRIPE,
        note=_("%(amount)s refunded to the card (%(refund)s).")
        % {"amount": vnd(amount), "refund": refund["id"]},
    )
    return locked


def stripe_events_unprocessed(*, older_than: datetime.timedelta) -> list[int]:
    """Ids of stored Stripe events nobody processed (their task was lost); safe to rerun."""
    cutoff = timezone.now() - older_than
    return list(
        StripeEvent.objects.filter(processed_at__isnull=True, received_at__lt=cutoff)
        .order_by("received_at")
        .values_list("pk", flat=True)[:500]
    )
