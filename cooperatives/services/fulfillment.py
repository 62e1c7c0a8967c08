"""Moving one cooperative's part of an order along: status and payment, each move logged.

Every function locks the fulfilment row (``select_for_update``) and re-reads it, so two
people acting on the same part at once cannot both apply a change: the second sees the
first one's result and is refused with a message that says what happened.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.apps.partner.exceptions import InvalidStockAdjustment

from cooperatives import statuses
from cooperatives.models import Cooperative, Fulfilment, FulfilmentEvent
from cooperatives.queue import enqueue


def cooperative_is_managed_by(*, cooperative: Cooperative, user) -> bool:
    """Managers of this cooperative, and staff allowed to change cooperatives."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.has_perm("cooperatives.change_cooperative"):
        return True
    return cooperative.partner.users.filter(pk=user.pk).exists()


def _locked(fulfilment: Fulfilment) -> Fulfilment:
    # of=("self",): lock the part only, not its order and cooperative rows (PostgreSQL),
    # so one cooperative's work does not queue behind another's on a shared order.
    return (
        Fulfilment.objects.select_for_update(of=("self",))
        .select_related("order", "cooperative")
        .get(pk=fulfilment.pk)
    )


def _event(*, fulfilment, actor, kind, from_state, to_state, channel, note="") -> FulfilmentEvent:
    return FulfilmentEvent.objects.create(
        fulfilment=fulfilment,
        actor=actor if actor is not None and actor.is_authenticated else None,
        kind=kind,
        from_state=from_state,
        to_state=to_state,
        channel=channel,
        note=note,
    )


def _return_stock(fulfilment: Fulfilment) -> None:
    """Give back the units this part still holds; oscar's line keeps count, so twice is safe."""
    lines = fulfilment.order.lines.filter(
        partner=fulfilment.cooperative.partner, allocation_cancelled=False
    ).select_related("stockrecord", "product__product_class", "product__parent__product_class")
    for line in lines:
        if line.stockrecord_id and line.num_allocated:
            line.cancel_allocation(line.num_allocated)


def _consume_stock(fulfilment: Fulfilment) -> None:
    """The parcel left: its units leave the shelf count as well as the allocation."""
    lines = fulfilment.order.lines.filter(
        partner=fulfilment.cooperative.partner, allocation_cancelled=False, num_allocated__gt=0
    ).select_related("stockrecord", "product__product_class", "product__parent__product_class")
    for line in lines:
        if not line.stockrecord_id:
            continue
        try:
            line.consume_allocation(line.num_allocated)
        except InvalidStockAdjustment as error:
            # The shelf count was lowered below what orders hold: say so, change nothing.
            raise ValidationError(
                _(
                    "The stock of “%(product)s” is lower than this order needs; correct "
                    "the stock first."
                )
                % {"product": line.title},
                code="stock_below_allocation",
            ) from error


@transaction.atomic
def fulfilment_transition(
    *,
    fulfilment: Fulfilment,
    to_status: str,
    actor,
    channel: str = statuses.CHANNEL_WEB,
    note: str = "",
) -> Fulfilment:
    """Move a part to ``to_status`` if its pipeline allows it from where it is now."""
    return _transition(
        locked=_locked(fulfilment), to_status=to_status, actor=actor, channel=channel, note=note
    )[0]


def _transition(
    *, locked: Fulfilment, to_status: str, actor, channel: str, note: str
) -> tuple[Fulfilment, FulfilmentEvent]:
    """``fulfilment_transition`` on a part already locked; also gives the event it wrote."""
    allowed = statuses.FULFILMENT_PIPELINE[locked.status]
    if to_status not in allowed:
        raise ValidationError(
            _("This part is already “%(current)s”; it cannot become “%(wanted)s”.")
            % {
                "current": locked.get_status_display(),
                "wanted": dict(statuses.FULFILMENT_CHOICES)[to_status],
            },
            code="transition_not_allowed",
        )
    from_status = locked.status
    locked.status = to_status
    locked.save(update_fields=["status", "updated_at"])
    if to_status == statuses.SHIPPED:
        _consume_stock(locked)
    event = _event(
        fulfilment=locked,
        actor=actor,
        kind=statuses.EVENT_STATUS,
        from_state=from_status,
        to_state=to_status,
        channel=channel,
        note=note,
    )
    return locked, event


@transaction.atomic
def fulfilment_cancel(
    *,
    fulfilment: Fulfilment,
    actor,
    channel: str,
    note: str = "",
    payment_status: str = statuses.PAYMENT_VOID,
) -> Fulfilment:
    """Cancel a part that has not shipped: its stock goes back on the shelf.

    Money already taken stays recorded as it is (a paid card part keeps ``paid`` until
    staff refund it); money not yet taken becomes ``payment_status`` (void, or expired).
    """
    return _cancel(
        locked=_locked(fulfilment),
        actor=actor,
        channel=channel,
        note=note,
        payment_status=payment_status,
    )[0]


def _cancel(
    *, locked: Fulfilment, actor, channel: str, note: str, payment_status: str
) -> tuple[Fulfilment, FulfilmentEvent]:
    """``fulfilment_cancel`` on a part already locked; also gives the status event."""
    locked, event = _transition(
        locked=locked, to_status=statuses.CANCELLED, actor=actor, channel=channel, note=note
    )
    _return_stock(locked)
    if locked.payment_status in (statuses.PAYMENT_DUE, statuses.PAYMENT_AWAITING):
        _payment_set(
            fulfilment=locked, to_state=payment_status, actor=actor, channel=channel, note=""
        )
    from cooperatives.tasks import fulfilment_cancelled_notify_task

    # The cooperative hears of every cancellation it did not make itself: the shopper's,
    # the payment deadline's, Stripe's, staff's.
    if not (
        channel in (statuses.CHANNEL_WEB, *CONFIRM_CHANNELS)
        and cooperative_is_managed_by(cooperative=locked.cooperative, user=actor)
        and not (actor and actor.has_perm("cooperatives.change_cooperative"))
    ):
        transaction.on_commit(
            lambda: enqueue(fulfilment_cancelled_notify_task, fulfilment_id=locked.pk)
        )
    return locked, event


@transaction.atomic
def fulfilment_cancel_by_shopper(
    *, fulfilment: Fulfilment, user=None, note: str = ""
) -> Fulfilment:
    """The shopper cancels a part from their order page, until the cooperative confirms it."""
    locked = _locked(fulfilment)
    if not locked.shopper_can_cancel:
        raise ValidationError(
            _("%(cooperative)s has already confirmed this part; please call them to change it.")
            % {"cooperative": locked.cooperative.name},
            code="already_confirmed",
        )
    return fulfilment_cancel(
        fulfilment=locked, actor=user, channel=statuses.CHANNEL_SHOPPER, note=note
    )


def _payment_set(*, fulfilment, to_state, actor, channel, note) -> None:
    from_state = fulfilment.payment_status
    fulfilment.payment_status = to_state
    fulfilment.save(update_fields=["payment_status", "updated_at"])
    _event(
        fulfilment=fulfilment,
        actor=actor,
        kind=statuses.EVENT_PAYMENT,
        from_state=from_state,
        to_state=to_state,
        channel=channel,
        note=note,
    )


@transaction.atomic
def fulfilment_payment_received(
    *, fulfilment: Fulfilment, actor, note: str = "", channel: str = statuses.CHANNEL_WEB
) -> Fulfilment:
    """A manager saw the bank transfer for this part arrive on their account."""
    if not cooperative_is_managed_by(cooperative=fulfilment.cooperative, user=actor):
        raise PermissionDenied(_("Only this cooperative's managers can record its payments."))
    locked = _locked(fulfilment)
    if locked.payment_status == statuses.PAYMENT_RECEIVED:
        raise ValidationError(
            _("This transfer was already recorded as received."), code="already_received"
        )
    # Void: the shopper cancelled before the manager saw money that was already on its way.
    if locked.order.payment_method != "transfer" or locked.payment_status not in (
        statuses.PAYMENT_AWAITING,
        statuses.PAYMENT_EXPIRED,
        statuses.PAYMENT_VOID,
    ):
        raise ValidationError(
            _("This part does not wait for a bank transfer."), code="not_awaiting_transfer"
        )
    if locked.status == statuses.CANCELLED:
        # Money that came after the deadline: recorded so the manager can pay it back.
        note = note or _("Received after the part was cancelled: pay it back to the shopper.")
    _payment_set(
        fulfilment=locked,
        to_state=statuses.PAYMENT_RECEIVED,
        actor=actor,
        channel=channel,
        note=note,
    )
    return locked


@transaction.atomic
def fulfilment_card_paid(*, fulfilment: Fulfilment, note: str = "") -> bool:
    """Stripe settled the card payment covering this part. False if it already was."""
    locked = _locked(fulfilment)
    if locked.payment_status in (statuses.PAYMENT_PAID, statuses.PAYMENT_REFUNDED):
        return False
    _payment_set(
        fulfilment=locked,
        to_state=statuses.PAYMENT_PAID,
        actor=None,
        channel=statuses.CHANNEL_STRIPE,
        note=note,
    )
    return True


def payments_expire(*, now: datetime.datetime | None = None) -> int:
    """Cancel prepaid parts whose money did not arrive in time; their stock goes back.

    Each part is cancelled in its own transaction, so one failure does not hold back
    the rest, and a part paid a moment ago (locked and re-read) is left alone.
    """
    now = now or timezone.now()
    # A part confirmed or packed while its money had not come yet still holds stock: it
    # expires too, or it would hold that stock for ever.
    due = Fulfilment.objects.filter(
        status__in=statuses.STOCK_HELD,
        payment_status=statuses.PAYMENT_AWAITING,
        payment_due_by__lt=now,
    ).values_list("pk", flat=True)
    expired = 0
    for pk in list(due):
        with transaction.atomic():
            fulfilment = Fulfilment.objects.select_for_update().filter(pk=pk).first()
            if fulfilment is None or fulfilment.payment_status != statuses.PAYMENT_AWAITING:
                continue
            if fulfilment.status not in statuses.STOCK_HELD:
                continue
            fulfilment_cancel(
                fulfilment=fulfilment,
                actor=None,
                channel=statuses.CHANNEL_SYSTEM,
                note=_("Not paid in time."),
                payment_status=statuses.PAYMENT_EXPIRED,
            )
            expired += 1
    return expired


# --- The console's actions (manager console, cooperatives/console/orders.py) ------------------
#
# Each action is one transaction on the locked part. ``expected_status`` is the status the
# manager saw on the page (posted with the form): if someone else moved the part meanwhile,
# the action is refused with a message that says who did what and when, so a double tap or
# two managers on one order never apply a step twice.

# The shopper hears of these steps (fulfilment_event_notify_task).
SHOPPER_TOLD = frozenset({statuses.CONFIRMED, statuses.SHIPPED, statuses.DELIVERED})
CONFIRM_CHANNELS = (statuses.CHANNEL_PHONE, statuses.CHANNEL_ZALO, statuses.CHANNEL_IN_PERSON)


def _check_manager(*, fulfilment: Fulfilment, actor) -> None:
    if not cooperative_is_managed_by(cooperative=fulfilment.cooperative, user=actor):
        raise PermissionDenied(_("Only this cooperative's managers can change its orders."))


def _person(user) -> str:
    """A user's name the Vietnamese way (family name first), or their username."""
    return " ".join(part for part in (user.last_name, user.first_name) if part) or (
        user.get_username()
    )


def _who(event: FulfilmentEvent) -> str:
    if event.actor is not None:
        return _person(event.actor)
    if event.channel == statuses.CHANNEL_SHOPPER:
        return _("the shopper")
    return _("the system")


def _check_expected(*, locked: Fulfilment, expected_status: str | None) -> None:
    """Refuse if the part is no longer in the status the manager saw, saying who moved it."""
    if not expected_status or locked.status == expected_status:
        return
    event = (
        locked.events.filter(kind=statuses.EVENT_STATUS, to_state=locked.status)
        .select_related("actor")
        .order_by("-created_at", "-pk")
        .first()
    )
    state = locked.get_status_display()
    if event is None:
        raise ValidationError(
            _("This part is already “%(state)s”; the page you saw was out of date.")
            % {"state": state},
            code="stale",
        )
    from django.utils.formats import date_format

    raise ValidationError(
        _("Already “%(state)s” by %(who)s at %(when)s; nothing was changed.")
        % {
            "state": state,
            "who": _who(event),
            "when": date_format(timezone.localtime(event.created_at), "SHORT_DATETIME_FORMAT"),
        },
        code="stale",
    )


def _tell_shopper(event: FulfilmentEvent) -> None:
    from functools import partial

    from cooperatives.tasks import fulfilment_event_notify_task

    transaction.on_commit(partial(enqueue, fulfilment_event_notify_task, event_id=event.pk))


def _step(
    *,
    fulfilment: Fulfilment,
    to_status: str,
    actor,
    expected_status: str | None,
    channel: str = statuses.CHANNEL_WEB,
    note: str = "",
    before=None,
) -> Fulfilment:
    """Check, lock, compare with what the manager saw, move, log, and tell the shopper."""
    _check_manager(fulfilment=fulfilment, actor=actor)
    locked = _locked(fulfilment)
    _check_expected(locked=locked, expected_status=expected_status)
    if before is not None:
        before(locked)
    locked, event = _transition(
        locked=locked, to_status=to_status, actor=actor, channel=channel, note=note
    )
    if to_status in SHOPPER_TOLD:
        _tell_shopper(event)
    return locked


@transaction.atomic
def fulfilment_confirm(
    *,
    fulfilment: Fulfilment,
    actor,
    channel: str,
    note: str = "",
    expected_status: str | None = statuses.NEW,
) -> Fulfilment:
    """ "Chốt đơn": the manager agreed the order with the shopper by phone, Zalo or in person."""
    if channel not in CONFIRM_CHANNELS:
        raise ValidationError(
            {"channel": _("Say how you confirmed it: phone call, Zalo or in person.")},
            code="channel_required",
        )
    return _step(
        fulfilment=fulfilment,
        to_status=statuses.CONFIRMED,
        actor=actor,
        expected_status=expected_status,
        channel=channel,
        note=note,
    )


@transaction.atomic
def fulfilment_pack(
    *, fulfilment: Fulfilment, actor, note: str = "", expected_status: str | None = None
) -> Fulfilment:
    """The parcel is packed and waits for the carrier (or the shopper, for a pickup)."""
    return _step(
        fulfilment=fulfilment,
        to_status=statuses.PACKED,
        actor=actor,
        expected_status=expected_status,
        note=note,
    )


@transaction.atomic
def fulfilment_ship(
    *,
    fulfilment: Fulfilment,
    actor,
    carrier: str = "",
    tracking_number: str = "",
    note: str = "",
    expected_status: str | None = None,
) -> Fulfilment:
    """The parcel left with a carrier (both named), or the shopper collected a pickup."""
    carrier, tracking_number = carrier.strip(), tracking_number.strip()

    def record_carrier(locked: Fulfilment) -> None:
        if locked.payment_status == statuses.PAYMENT_AWAITING:
            # A prepaid part leaves only once its money is in: nobody collects it at the door.
            raise ValidationError(
                _("This part waits for its payment; send it once the money has arrived."),
                code="awaiting_payment",
            )
        if not locked.is_pickup:
            errors = {}
            if not carrier:
                errors["carrier"] = _("Name the carrier.")
            if not tracking_number:
                errors["tracking_number"] = _("Give the tracking number.")
            if errors:
                raise ValidationError(errors, code="carrier_required")
        if carrier or tracking_number:
            locked.carrier, locked.tracking_number = carrier, tracking_number
            locked.full_clean(
                exclude=["order", "cooperative", "transfer_note"], validate_constraints=False
            )
            locked.save(update_fields=["carrier", "tracking_number", "updated_at"])

    return _step(
        fulfilment=fulfilment,
        to_status=statuses.SHIPPED,
        actor=actor,
        expected_status=expected_status,
        note=note,
        before=record_carrier,
    )


@transaction.atomic
def fulfilment_deliver(
    *, fulfilment: Fulfilment, actor, note: str = "", expected_status: str | None = None
) -> Fulfilment:
    """The shopper has the parcel."""
    return _step(
        fulfilment=fulfilment,
        to_status=statuses.DELIVERED,
        actor=actor,
        expected_status=expected_status,
        note=note,
    )


@transaction.atomic
def fulfilment_return(
    *, fulfilment: Fulfilment, actor, note: str = "", expected_status: str | None = None
) -> Fulfilment:
    """The parcel came back undelivered. Cash never collected is no longer due.

    The goods are not put back on the shelf count: fresh produce back from a trip may
    not be sellable, so the manager corrects the stock by hand.
    """
    locked = _step(
        fulfilment=fulfilment,
        to_status=statuses.RETURNED,
        actor=actor,
        expected_status=expected_status,
        note=note,
    )
    if locked.payment_status == statuses.PAYMENT_DUE:
        _payment_set(
            fulfilment=locked,
            to_state=statuses.PAYMENT_VOID,
            actor=actor,
            channel=statuses.CHANNEL_WEB,
            note="",
        )
    return locked


@transaction.atomic
def fulfilment_manager_cancel(
    *, fulfilment: Fulfilment, actor, reason: str, expected_status: str | None = None
) -> Fulfilment:
    """The cooperative cannot supply this part: cancel it with a reason, stock goes back."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Say why, so the shopper understands.")}, code="reason_required"
        )
    _check_manager(fulfilment=fulfilment, actor=actor)
    locked = _locked(fulfilment)
    _check_expected(locked=locked, expected_status=expected_status)
    locked, event = _cancel(
        locked=locked,
        actor=actor,
        channel=statuses.CHANNEL_WEB,
        note=reason,
        payment_status=statuses.PAYMENT_VOID,
    )
    _tell_shopper(event)
    return locked


@transaction.atomic
def fulfilment_cod_collected(
    *, fulfilment: Fulfilment, actor, note: str = "", channel: str = statuses.CHANNEL_WEB
) -> Fulfilment:
    """The cash the carrier collected for this part reached the cooperative."""
    _check_manager(fulfilment=fulfilment, actor=actor)
    locked = _locked(fulfilment)
    if locked.payment_status == statuses.PAYMENT_COLLECTED:
        raise ValidationError(
            _("This cash was already recorded as collected."), code="already_collected"
        )
    if locked.payment_status != statuses.PAYMENT_DUE:
        raise ValidationError(
            _("This part is not paid in cash on delivery."), code="not_cash_on_delivery"
        )
    if locked.status not in (statuses.SHIPPED, statuses.DELIVERED):
        raise ValidationError(
            _("Cash is collected once the parcel has left."), code="not_shipped_yet"
        )
    _payment_set(
        fulfilment=locked,
        to_state=statuses.PAYMENT_COLLECTED,
        actor=actor,
        channel=channel,
        note=note,
    )
    return locked


def _scaled(amount, old_quantity: int, new_quantity: int):
    """A line amount for a new quantity, discounts kept per unit, in whole đồng."""
    if amount is None:
        return None
    if not old_quantity:
        return amount * 0
    return (amount * new_quantity / old_quantity).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def _allocate_more(line, extra: int) -> None:
    """Hold ``extra`` more units for ``line``, only if the shelf has them (one UPDATE)."""
    from django.db.models import F
    from django.db.models.functions import Coalesce
    from oscar.apps.partner.models import StockRecord

    stockrecord = line.stockrecord
    if (
        stockrecord is None
        or stockrecord.num_in_stock is None
        or not line.product
        or not line.product.get_product_class().track_stock
    ):
        return
    allocated = Coalesce(F("num_allocated"), 0)
    updated = StockRecord.objects.filter(
        pk=stockrecord.pk, num_in_stock__gte=allocated + extra
    ).update(num_allocated=allocated + extra)
    if not updated:
        stockrecord.refresh_from_db(fields=["num_in_stock", "num_allocated"])
        left = max(stockrecord.num_in_stock - (stockrecord.num_allocated or 0), 0)
        raise ValidationError(
            {
                "quantity": _("Only %(left)s more of “%(product)s” in stock.")
                % {"left": left, "product": line.title}
            },
            code="not_enough_stock",
        )
    type(line).objects.filter(pk=line.pk).update(num_allocated=F("num_allocated") + extra)
    # As oscar's own allocate() does after its UPDATE: whatever listens for stock changes
    # (the anonymous page cache, shop/page_cache.py) hears of this one too.
    stockrecord.post_save_signal()


@transaction.atomic
def fulfilment_line_change(
    *,
    fulfilment: Fulfilment,
    line,
    quantity: int,
    actor,
    note: str = "",
    expected_status: str | None = statuses.NEW,
):
    """Before confirming, change how many of a line the cooperative sends (0 removes it).

    Freed units go back to stock, more units are taken only if stock has them; the line's
    prices, the part's goods total and weight, and the order's totals follow (the amount
    to collect on delivery is the part's total). The shipping charge stays as agreed.
    The shopper is told. Returns the line, or None if it was removed.
    """
    from django.db.models import F

    from order.models import Line, Order

    _check_manager(fulfilment=fulfilment, actor=actor)
    locked = _locked(fulfilment)
    _check_expected(locked=locked, expected_status=expected_status)
    if locked.status != statuses.NEW:
        raise ValidationError(
            _("Quantities can only change before the order is confirmed."), code="not_new"
        )
    if locked.payment_status == statuses.PAYMENT_AWAITING:
        # The shopper may already have sent the old amount shown in the VietQR code.
        raise ValidationError(
            _(
                "This part waits for a payment of its current total; cancel it instead, "
                "or change it once the money has arrived."
            ),
            code="awaiting_payment",
        )
    if locked.order.payment_method == "card" or locked.payment_status in statuses.PAYMENT_SETTLED:
        raise ValidationError(
            _("This part is already paid for; cancel it instead, or ask staff for a refund."),
            code="already_paid",
        )
    line = (
        Line.objects.select_for_update(of=("self",))
        .select_related("stockrecord", "product__product_class", "product__parent__product_class")
        .filter(order=locked.order, partner=locked.cooperative.partner, pk=line.pk)
        .first()
    )
    if line is None:
        raise ValidationError(_("This line is not part of this order."), code="not_a_line")
    if quantity < 0:
        raise ValidationError({"quantity": _("A quantity cannot be negative.")}, code="negative")
    old_quantity = line.quantity
    if quantity == old_quantity:
        raise ValidationError({"quantity": _("That is the quantity already.")}, code="unchanged")
    if (
        quantity == 0
        and not Line.objects.filter(
            order=locked.order, partner=locked.cooperative.partner, quantity__gt=0
        )
        .exclude(pk=line.pk)
        .exists()
    ):
        raise ValidationError(
            _("This is the part's only line; cancel the part instead."), code="last_line"
        )

    if quantity > old_quantity:
        _allocate_more(line, quantity - old_quantity)
    elif line.num_allocated and not line.allocation_cancelled:
        line.cancel_allocation(min(old_quantity - quantity, line.num_allocated))

    old_incl, old_excl = line.line_price_incl_tax, line.line_price_excl_tax
    new_incl = _scaled(old_incl, old_quantity, quantity)
    new_excl = _scaled(old_excl, old_quantity, quantity)
    weight = (line.product.net_weight_grams or 0) if line.product else 0
    title = line.title
    # A removed line stays in the order with quantity 0: orders are records the law
    # requires, and are never cut down after the fact.
    line.refresh_from_db(fields=["num_allocated", "allocation_cancelled"])
    line.quantity = quantity
    line.line_price_incl_tax, line.line_price_excl_tax = new_incl, new_excl
    line.line_price_before_discounts_incl_tax = _scaled(
        line.line_price_before_discounts_incl_tax, old_quantity, quantity
    )
    line.line_price_before_discounts_excl_tax = _scaled(
        line.line_price_before_discounts_excl_tax, old_quantity, quantity
    )
    line.save()

    delta_incl, delta_excl = new_incl - old_incl, new_excl - old_excl
    Order.objects.filter(pk=locked.order_id).update(
        total_incl_tax=F("total_incl_tax") + delta_incl,
        total_excl_tax=F("total_excl_tax") + delta_excl,
    )
    locked.goods_total += delta_incl
    locked.weight_grams = max(locked.weight_grams + weight * (quantity - old_quantity), 0)
    locked.save(update_fields=["goods_total", "weight_grams", "updated_at"])
    summary = _("“%(product)s”: %(old)s → %(new)s") % {
        "product": title,
        "old": old_quantity,
        "new": quantity,
    }
    event = _event(
        fulfilment=locked,
        actor=actor,
        kind=statuses.EVENT_CHANGE,
        from_state=str(old_quantity),
        to_state=str(quantity),
        channel=statuses.CHANNEL_WEB,
        note=f"{summary}. {note}".strip() if note else summary,
    )
    _tell_shopper(event)
    return line if quantity else None


BULK_ACTIONS = ("confirm", "pack", "ship")


@dataclasses.dataclass(frozen=True)
class BulkResult:
    fulfilment_id: int
    order_number: str
    ok: bool
    message: str = ""


def fulfilments_bulk(
    *,
    cooperative: Cooperative,
    ids,
    action: str,
    actor,
    expected: dict[int, str] | None = None,
    channel: str = statuses.CHANNEL_PHONE,
    carrier: str = "",
    tracking_numbers: dict[int, str] | None = None,
    note: str = "",
) -> list[BulkResult]:
    """Confirm, pack or ship several parts of one cooperative, each in its own transaction.

    One refused part (moved by someone else, no tracking number) does not hold back the
    others; the result says, per part, what happened. Parts of other cooperatives are
    reported as not found and left alone.
    """
    if action not in BULK_ACTIONS:
        raise ValueError(f"Unknown bulk action {action!r}")
    if not cooperative_is_managed_by(cooperative=cooperative, user=actor):
        raise PermissionDenied(_("Only this cooperative's managers can change its orders."))
    expected = expected or {}
    tracking_numbers = tracking_numbers or {}
    wanted = [int(pk) for pk in ids]
    found = {
        part.pk: part
        for part in Fulfilment.objects.filter(
            cooperative=cooperative, pk__in=wanted
        ).select_related("order", "cooperative__partner")
    }
    results = []
    for pk in dict.fromkeys(wanted):
        part = found.get(pk)
        if part is None:
            results.append(BulkResult(pk, "", False, _("Not found.")))
            continue
        try:
            if action == "confirm":
                fulfilment_confirm(
                    fulfilment=part,
                    actor=actor,
                    channel=channel,
                    note=note,
                    expected_status=expected.get(pk, statuses.NEW),
                )
            elif action == "pack":
                fulfilment_pack(
                    fulfilment=part, actor=actor, note=note, expected_status=expected.get(pk)
                )
            else:
                fulfilment_ship(
                    fulfilment=part,
                    actor=actor,
                    carrier=carrier,
                    tracking_number=tracking_numbers.get(pk, ""),
                    note=note,
                    expected_status=expected.get(pk),
                )
        except ValidationError as error:
            results.append(BulkResult(pk, part.order.number, False, " ".join(error.messages)))
        else:
            results.append(BulkResult(pk, part.order.number, True))
    return results
