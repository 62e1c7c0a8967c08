"""Moving one cooperative's part of an order along: status and payment, each move logged.

Every function locks the fulfilment row (``select_for_update``) and re-reads it, so two
people acting on the same part at once cannot both apply a change: the second sees the
first one's result and is refused with a message that says what happened.
"""

from __future__ import annotations

import datetime

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
    locked = _locked(fulfilment)
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
    _event(
        fulfilment=locked,
        actor=actor,
        kind=statuses.EVENT_STATUS,
        from_state=from_status,
        to_state=to_status,
        channel=channel,
        note=note,
    )
    return locked


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
    locked = fulfilment_transition(
        fulfilment=fulfilment,
        to_status=statuses.CANCELLED,
        actor=actor,
        channel=channel,
        note=note,
    )
    _return_stock(locked)
    if locked.payment_status in (statuses.PAYMENT_DUE, statuses.PAYMENT_AWAITING):
        _payment_set(
            fulfilment=locked, to_state=payment_status, actor=actor, channel=channel, note=""
        )
    from cooperatives.tasks import fulfilment_cancelled_notify_task

    # The cooperative hears of every cancellation, whoever (or whatever) made it.
    transaction.on_commit(
        lambda: enqueue(fulfilment_cancelled_notify_task, fulfilment_id=locked.pk)
    )
    return locked


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
    due = Fulfilment.objects.filter(
        status=statuses.NEW,
        payment_status=statuses.PAYMENT_AWAITING,
        payment_due_by__lt=now,
    ).values_list("pk", flat=True)
    expired = 0
    for pk in list(due):
        with transaction.atomic():
            fulfilment = Fulfilment.objects.select_for_update().filter(pk=pk).first()
            if fulfilment is None or fulfilment.payment_status != statuses.PAYMENT_AWAITING:
                continue
            if fulfilment.status != statuses.NEW:
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
