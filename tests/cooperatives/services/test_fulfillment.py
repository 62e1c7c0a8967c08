"""Fulfilment services: pipeline moves, cancelling with stock returned, payments, expiry."""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from oscar.apps.partner.models import StockRecord

from cooperatives import statuses
from cooperatives.models import Fulfilment, FulfilmentEvent
from cooperatives.services.fulfillment import (
    fulfilment_cancel,
    fulfilment_cancel_by_shopper,
    fulfilment_payment_received,
    fulfilment_transition,
    payments_expire,
)
from tests.factories import (
    CooperativeFactory,
    ProductFactory,
    UserFactory,
    WeightBasedFactory,
    place_order,
)

pytestmark = pytest.mark.django_db

BANK = {
    "bank_bin": "970405",
    "bank_account_number": "1234567890",
    "bank_account_holder": "HTX THU NGHIEM",
}
LABELS = dict(statuses.FULFILMENT_CHOICES)


@pytest.fixture
def manager():
    return UserFactory()


@pytest.fixture
def farm(manager):
    cooperative = CooperativeFactory(managers=[manager], **BANK)
    WeightBasedFactory(cooperative=cooperative)
    return cooperative


@pytest.fixture
def product(farm):
    return ProductFactory(cooperative=farm, net_weight_grams=500, stockrecords__num_in_stock=20)


def _allocated(product) -> int:
    return StockRecord.objects.get(product=product).num_allocated or 0


def _part(*items, payment_method="cod") -> Fulfilment:
    return place_order(*items, payment_method=payment_method).fulfilments.get()


def _events(fulfilment) -> list[tuple[str, str, str]]:
    return list(
        FulfilmentEvent.objects.filter(fulfilment=fulfilment)
        .order_by("pk")
        .values_list("kind", "from_state", "to_state")
    )


# The pipeline


@pytest.mark.parametrize(
    ("path", "to_status"),
    [
        ([], statuses.CONFIRMED),
        ([statuses.CONFIRMED], statuses.PACKED),
        ([statuses.CONFIRMED, statuses.PACKED], statuses.SHIPPED),
        ([statuses.CONFIRMED, statuses.PACKED, statuses.SHIPPED], statuses.DELIVERED),
        ([statuses.CONFIRMED, statuses.PACKED, statuses.SHIPPED], statuses.RETURNED),
    ],
)
def test_the_pipeline_allows_each_next_step(product, manager, path, to_status):
    part = _part((product, 1))
    for step in path:
        fulfilment_transition(fulfilment=part, to_status=step, actor=manager)

    moved = fulfilment_transition(
        fulfilment=part, to_status=to_status, actor=manager, channel=statuses.CHANNEL_PHONE
    )

    assert moved.status == to_status
    part.refresh_from_db()
    assert part.status == to_status
    last = FulfilmentEvent.objects.filter(fulfilment=part).latest("pk")
    assert (last.to_state, last.actor, last.channel) == (
        to_status,
        manager,
        statuses.CHANNEL_PHONE,
    )


@pytest.mark.parametrize(
    ("path", "to_status"),
    [
        ([], statuses.SHIPPED),  # skipping confirm and packing
        ([], statuses.DELIVERED),
        ([statuses.CONFIRMED], statuses.NEW),  # no way back
        ([statuses.CONFIRMED, statuses.PACKED, statuses.SHIPPED], statuses.CANCELLED),
        ([statuses.CANCELLED], statuses.CONFIRMED),
        ([statuses.CONFIRMED, statuses.PACKED, statuses.SHIPPED, statuses.DELIVERED], "returned"),
    ],
)
def test_the_pipeline_refuses_other_moves_and_says_why(product, manager, path, to_status):
    part = _part((product, 1))
    for step in path:
        fulfilment_transition(fulfilment=part, to_status=step, actor=manager)
    current = part.__class__.objects.get(pk=part.pk).status
    events_before = FulfilmentEvent.objects.filter(fulfilment=part).count()

    with pytest.raises(ValidationError) as caught:
        fulfilment_transition(fulfilment=part, to_status=to_status, actor=manager)

    assert caught.value.code == "transition_not_allowed"
    [message] = caught.value.messages
    assert str(LABELS[current]) in message
    assert str(LABELS[to_status]) in message
    part.refresh_from_db()
    assert part.status == current
    assert FulfilmentEvent.objects.filter(fulfilment=part).count() == events_before


# Cancelling


def test_cancel_returns_the_stock_and_logs_status_and_payment(product, manager):
    part = _part((product, 3))
    assert _allocated(product) == 3

    fulfilment_cancel(fulfilment=part, actor=manager, channel=statuses.CHANNEL_PHONE, note="Hết")

    part.refresh_from_db()
    assert part.status == statuses.CANCELLED
    assert part.payment_status == statuses.PAYMENT_VOID
    assert _allocated(product) == 0
    assert _events(part) == [
        (statuses.EVENT_STATUS, "", statuses.NEW),
        (statuses.EVENT_STATUS, statuses.NEW, statuses.CANCELLED),
        (statuses.EVENT_PAYMENT, statuses.PAYMENT_DUE, statuses.PAYMENT_VOID),
    ]
    assert part.order.lines.get().allocation_cancelled is True


def test_cancel_returns_only_this_cooperatives_stock(product, manager):
    other_farm = CooperativeFactory()
    WeightBasedFactory(cooperative=other_farm)
    other_product = ProductFactory(cooperative=other_farm, net_weight_grams=500)
    order = place_order((product, 2), (other_product, 1))

    fulfilment_cancel(
        fulfilment=order.fulfilments.get(cooperative=product.cooperative),
        actor=manager,
        channel=statuses.CHANNEL_WEB,
    )

    assert _allocated(product) == 0
    assert _allocated(other_product) == 1
    assert order.fulfilments.get(cooperative=other_farm).status == statuses.NEW


def test_a_second_cancel_is_refused_and_does_not_return_stock_twice(product, manager):
    part = _part((product, 2))
    _part((product, 3))  # another shopper's order still holds 3 units
    fulfilment_cancel(fulfilment=part, actor=manager, channel=statuses.CHANNEL_WEB)
    assert _allocated(product) == 3
    events = FulfilmentEvent.objects.count()

    with pytest.raises(ValidationError) as caught:
        fulfilment_cancel(fulfilment=part, actor=manager, channel=statuses.CHANNEL_WEB)

    assert caught.value.code == "transition_not_allowed"
    assert _allocated(product) == 3
    assert FulfilmentEvent.objects.count() == events


@mock.patch("cooperatives.tasks.fulfilment_cancelled_notify_task")
def test_the_shopper_cancels_a_new_part_and_the_cooperative_is_told(
    notify, product, django_capture_on_commit_callbacks
):
    part = _part((product, 2))

    with django_capture_on_commit_callbacks(execute=True):
        fulfilment_cancel_by_shopper(fulfilment=part, note="Đặt nhầm")

    part.refresh_from_db()
    assert part.status == statuses.CANCELLED
    assert _allocated(product) == 0
    last = FulfilmentEvent.objects.filter(fulfilment=part, kind=statuses.EVENT_STATUS).last()
    assert (last.channel, last.note) == (statuses.CHANNEL_SHOPPER, "Đặt nhầm")
    notify.delay.assert_called_once_with(fulfilment_id=part.pk)


@mock.patch("cooperatives.tasks.fulfilment_cancelled_notify_task")
def test_the_shopper_cannot_cancel_once_the_cooperative_confirmed(notify, product, manager):
    part = _part((product, 2))
    fulfilment_transition(fulfilment=part, to_status=statuses.CONFIRMED, actor=manager)

    with pytest.raises(ValidationError) as caught:
        fulfilment_cancel_by_shopper(fulfilment=part)

    assert caught.value.code == "already_confirmed"
    assert product.cooperative.name in caught.value.messages[0]
    part.refresh_from_db()
    assert part.status == statuses.CONFIRMED
    assert _allocated(product) == 2
    notify.delay.assert_not_called()


# Bank transfers received


def test_a_manager_records_a_transfer_received(product, manager):
    part = _part((product, 1), payment_method="transfer")

    fulfilment_payment_received(fulfilment=part, actor=manager)

    part.refresh_from_db()
    assert part.payment_status == statuses.PAYMENT_RECEIVED
    last = FulfilmentEvent.objects.filter(fulfilment=part).latest("pk")
    assert (last.kind, last.from_state, last.to_state, last.actor) == (
        statuses.EVENT_PAYMENT,
        statuses.PAYMENT_AWAITING,
        statuses.PAYMENT_RECEIVED,
        manager,
    )


@pytest.mark.parametrize("who", ["other_manager", "shopper", "anonymous"])
def test_only_this_cooperatives_managers_record_its_payments(product, who):
    from django.contrib.auth.models import AnonymousUser

    part = _part((product, 1), payment_method="transfer")
    other_manager = UserFactory()
    CooperativeFactory(managers=[other_manager])
    actor = {
        "other_manager": other_manager,
        "shopper": UserFactory(),
        "anonymous": AnonymousUser(),
    }[who]
    events = FulfilmentEvent.objects.count()

    with pytest.raises(PermissionDenied):
        fulfilment_payment_received(fulfilment=part, actor=actor)

    part.refresh_from_db()
    assert part.payment_status == statuses.PAYMENT_AWAITING
    assert FulfilmentEvent.objects.count() == events


def test_a_transfer_is_recorded_once(product, manager):
    part = _part((product, 1), payment_method="transfer")
    fulfilment_payment_received(fulfilment=part, actor=manager)
    events = FulfilmentEvent.objects.count()

    with pytest.raises(ValidationError) as caught:
        fulfilment_payment_received(fulfilment=part, actor=manager)

    assert caught.value.code == "already_received"
    assert FulfilmentEvent.objects.count() == events


def test_cash_on_delivery_is_not_a_transfer_to_record(product, manager):
    part = _part((product, 1), payment_method="cod")

    with pytest.raises(ValidationError) as caught:
        fulfilment_payment_received(fulfilment=part, actor=manager)

    assert caught.value.code == "not_awaiting_transfer"
    part.refresh_from_db()
    assert part.payment_status == statuses.PAYMENT_DUE


# Unpaid parts expire


def test_payments_expire_cancels_only_overdue_unpaid_parts(product, manager):
    # A part confirmed before its money came still expires: it would hold stock for ever.
    overdue = _part((product, 1), payment_method="transfer")
    paid = _part((product, 2), payment_method="transfer")
    fulfilment_payment_received(fulfilment=paid, actor=manager)
    confirmed = _part((product, 3), payment_method="transfer")
    fulfilment_transition(fulfilment=confirmed, to_status=statuses.CONFIRMED, actor=manager)
    cod = _part((product, 4), payment_method="cod")
    assert _allocated(product) == 1 + 2 + 3 + 4
    later = overdue.payment_due_by + datetime.timedelta(minutes=1)
    not_yet = _part((product, 5), payment_method="transfer")
    Fulfilment.objects.filter(pk=not_yet.pk).update(
        payment_due_by=later + datetime.timedelta(hours=1)
    )

    assert payments_expire(now=later) == 2

    for part in (overdue, confirmed):
        part.refresh_from_db()
        assert (part.status, part.payment_status) == (
            statuses.CANCELLED,
            statuses.PAYMENT_EXPIRED,
        )
    last = FulfilmentEvent.objects.filter(fulfilment=overdue, kind=statuses.EVENT_STATUS).last()
    assert (last.actor, last.channel) == (None, statuses.CHANNEL_SYSTEM)
    for part, status, payment_status in (
        (paid, statuses.NEW, statuses.PAYMENT_RECEIVED),
        (cod, statuses.NEW, statuses.PAYMENT_DUE),
        (not_yet, statuses.NEW, statuses.PAYMENT_AWAITING),
    ):
        part.refresh_from_db()
        assert (part.status, part.payment_status) == (status, payment_status)
    assert _allocated(product) == 2 + 4 + 5  # only the expired parts' units came back


def test_payments_expire_twice_changes_nothing_more(product):
    part = _part((product, 2), payment_method="transfer")
    later = part.payment_due_by + datetime.timedelta(seconds=1)
    assert payments_expire(now=later) == 1
    events = FulfilmentEvent.objects.count()

    assert payments_expire(now=later) == 0

    assert FulfilmentEvent.objects.count() == events
    assert _allocated(product) == 0


def test_nothing_expires_before_its_deadline(product):
    part = _part((product, 1), payment_method="transfer")

    assert payments_expire(now=timezone.now()) == 0

    part.refresh_from_db()
    assert part.status == statuses.NEW
    assert part.payment_due_by > timezone.now()


def test_the_periodic_task_expires_overdue_parts(product):
    from cooperatives.tasks import payments_expire_task

    part = _part((product, 1), payment_method="transfer")
    Fulfilment.objects.filter(pk=part.pk).update(
        payment_due_by=timezone.now() - datetime.timedelta(minutes=1)
    )

    assert payments_expire_task.delay().get() == 1
    assert _allocated(product) == 0


# The log


def test_fulfilment_events_cannot_be_rewritten(product):
    part = _part((product, 1))
    event = FulfilmentEvent.objects.get(fulfilment=part)
    event.note = "Sửa lại lịch sử"

    with pytest.raises(ValueError, match="append-only"):
        event.save()

    event.refresh_from_db()
    assert event.note == ""
    assert part.total == part.goods_total + part.shipping_charge
    assert part.goods_total == Decimal("125000")


def test_shipping_a_part_takes_its_units_off_the_shelf():
    from cooperatives.services.fulfillment import fulfilment_transition
    from tests.factories import ProductFactory, WeightBasedFactory, place_order

    product = ProductFactory(stockrecords__num_in_stock=10)
    WeightBasedFactory(cooperative=product.cooperative)
    order = place_order((product, 3))
    part = order.fulfilments.get()
    for status in (statuses.CONFIRMED, statuses.PACKED, statuses.SHIPPED):
        part = fulfilment_transition(fulfilment=part, to_status=status, actor=None)
    stock = product.stockrecords.get()
    assert (stock.num_in_stock, stock.num_allocated) == (7, 0)
    line = order.lines.get()
    assert line.num_allocated == 0


def test_money_that_arrives_after_the_shopper_cancelled_can_still_be_recorded():
    from cooperatives.services.fulfillment import fulfilment_cancel_by_shopper
    from tests.factories import CooperativeFactory, ProductFactory, UserFactory, WeightBasedFactory
    from tests.factories import place_order as place

    manager = UserFactory()
    farm = CooperativeFactory(
        managers=[manager],
        bank_bin="970405",
        bank_account_number="8300205123456",
        bank_account_holder="HTX THU NGHIEM",
    )
    WeightBasedFactory(cooperative=farm)
    order = place((ProductFactory(cooperative=farm), 1), payment_method="transfer")
    part = fulfilment_cancel_by_shopper(fulfilment=order.fulfilments.get())
    assert part.payment_status == statuses.PAYMENT_VOID
    part = fulfilment_payment_received(fulfilment=part, actor=manager)
    assert part.payment_status == statuses.PAYMENT_RECEIVED
    assert part.status == statuses.CANCELLED
    assert "chuyển trả lại" in part.events.last().note  # "pay it back to the shopper"


def test_every_cancellation_tells_the_cooperative(django_capture_on_commit_callbacks):
    from tests.factories import CooperativeFactory, ProductFactory, WeightBasedFactory
    from tests.factories import place_order as place

    farm = CooperativeFactory(
        bank_bin="970405", bank_account_number="8300205123456", bank_account_holder="HTX"
    )
    WeightBasedFactory(cooperative=farm)
    order = place((ProductFactory(cooperative=farm), 1), payment_method="transfer")
    with (
        mock.patch("cooperatives.tasks.fulfilment_cancelled_notify_task") as notify,
        django_capture_on_commit_callbacks(execute=True),
    ):
        payments_expire(now=timezone.now() + datetime.timedelta(days=30))
    notify.delay.assert_called_once_with(fulfilment_id=order.fulfilments.get().pk)
