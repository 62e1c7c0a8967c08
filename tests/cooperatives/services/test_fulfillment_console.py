"""The console's fulfilment actions: confirm, change a line, cancel, pack, ship, deliver,
return, cash collected, bulk; each permission-checked, logged, and never applied twice."""

from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from oscar.apps.partner.models import StockRecord

from cooperatives import statuses
from cooperatives.basket import PICKUP
from cooperatives.models import Fulfilment, FulfilmentEvent
from cooperatives.services import fulfillment as services
from tests.factories import (
    CooperativeFactory,
    ProductFactory,
    UserFactory,
    WeightBasedFactory,
    place_order,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return UserFactory(first_name="Hoa", last_name="Nông Thị")


@pytest.fixture
def farm(manager):
    cooperative = CooperativeFactory(managers=[manager], offers_pickup=True)
    WeightBasedFactory(cooperative=cooperative)
    return cooperative


@pytest.fixture
def product(farm):
    return ProductFactory(cooperative=farm, net_weight_grams=500, stockrecords__num_in_stock=20)


@pytest.fixture
def notify():
    with mock.patch("cooperatives.tasks.fulfilment_event_notify_task") as task:
        yield task


def _part(*items, **kwargs) -> Fulfilment:
    return place_order(*items, **kwargs).fulfilments.get()


def _stock(product) -> tuple[int, int]:
    record = StockRecord.objects.get(product=product)
    return record.num_in_stock, record.num_allocated or 0


def _last_event(part) -> FulfilmentEvent:
    return FulfilmentEvent.objects.filter(fulfilment=part).latest("pk")


def _move(part, manager, *steps):
    for step in steps:
        if step == "confirm":
            services.fulfilment_confirm(
                fulfilment=part, actor=manager, channel=statuses.CHANNEL_PHONE
            )
        elif step == "pack":
            services.fulfilment_pack(fulfilment=part, actor=manager)
        elif step == "ship":
            services.fulfilment_ship(
                fulfilment=part, actor=manager, carrier="Viettel Post", tracking_number="VTP1"
            )
    part.refresh_from_db()
    return part


# Confirm


def test_confirm_records_the_channel_and_tells_the_shopper(
    manager, product, notify, django_capture_on_commit_callbacks
):
    part = _part((product, 1))
    with django_capture_on_commit_callbacks(execute=True):
        services.fulfilment_confirm(
            fulfilment=part, actor=manager, channel=statuses.CHANNEL_ZALO, note="Gọi lúc 9h"
        )
    part.refresh_from_db()
    assert part.status == statuses.CONFIRMED
    event = _last_event(part)
    assert (event.kind, event.from_state, event.to_state) == ("status", "new", "confirmed")
    assert (event.actor, event.channel, event.note) == (manager, "zalo", "Gọi lúc 9h")
    notify.delay.assert_called_once_with(event_id=event.pk)


def test_confirm_needs_how_it_was_confirmed(manager, product):
    part = _part((product, 1))
    with pytest.raises(ValidationError) as error:
        services.fulfilment_confirm(fulfilment=part, actor=manager, channel=statuses.CHANNEL_WEB)
    assert "channel" in error.value.message_dict
    part.refresh_from_db()
    assert part.status == statuses.NEW


@pytest.mark.parametrize("who", ["other_manager", "shopper", "anonymous"])
def test_only_this_cooperatives_managers_act(product, who):
    from django.contrib.auth.models import AnonymousUser

    part = _part((product, 1))
    outsider = AnonymousUser() if who == "anonymous" else UserFactory()
    if who == "other_manager":
        CooperativeFactory(managers=[outsider])
    calls = [
        lambda: services.fulfilment_confirm(
            fulfilment=part, actor=outsider, channel=statuses.CHANNEL_PHONE
        ),
        lambda: services.fulfilment_manager_cancel(fulfilment=part, actor=outsider, reason="x"),
        lambda: services.fulfilment_line_change(
            fulfilment=part, line=part.order.lines.get(), quantity=2, actor=outsider
        ),
        lambda: services.fulfilment_pack(fulfilment=part, actor=outsider),
        lambda: services.fulfilment_cod_collected(fulfilment=part, actor=outsider),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    with pytest.raises(PermissionDenied):
        services.fulfilments_bulk(
            cooperative=part.cooperative, ids=[part.pk], action="confirm", actor=outsider
        )
    part.refresh_from_db()
    assert part.status == statuses.NEW
    assert FulfilmentEvent.objects.filter(fulfilment=part).count() == 1  # "new" only


# Two managers at once


def test_the_second_manager_is_told_who_confirmed_and_nothing_is_applied_twice(
    manager, farm, product, notify, django_capture_on_commit_callbacks
):
    other = UserFactory(first_name="Dền", last_name="Nông Văn")
    farm.partner.users.add(other)
    part = _part((product, 1))
    seen_by_both = Fulfilment.objects.get(pk=part.pk)  # both pages show "new"

    with django_capture_on_commit_callbacks(execute=True):
        services.fulfilment_confirm(
            fulfilment=seen_by_both, actor=other, channel=statuses.CHANNEL_PHONE
        )
    with pytest.raises(ValidationError) as error:
        services.fulfilment_confirm(
            fulfilment=seen_by_both,
            actor=manager,
            channel=statuses.CHANNEL_PHONE,
            expected_status=statuses.NEW,
        )
    message = error.value.messages[0]
    assert "Nông Văn Dền" in message
    assert error.value.code == "stale"
    assert FulfilmentEvent.objects.filter(fulfilment=part, to_state=statuses.CONFIRMED).count() == 1
    assert notify.delay.call_count == 1


def test_a_stale_page_cannot_pack_what_was_cancelled(manager, product):
    part = _move(_part((product, 1)), manager, "confirm")
    services.fulfilment_manager_cancel(
        fulfilment=part, actor=manager, reason="Hết hàng", expected_status=statuses.CONFIRMED
    )
    with pytest.raises(ValidationError):
        services.fulfilment_pack(fulfilment=part, actor=manager, expected_status=statuses.CONFIRMED)
    part.refresh_from_db()
    assert part.status == statuses.CANCELLED


# Changing a line before confirming


def test_lowering_a_quantity_frees_stock_and_recomputes_every_total(
    manager, product, notify, django_capture_on_commit_callbacks
):
    part = _part((product, 3))
    order = part.order
    line = order.lines.get()
    total_before = order.total_incl_tax
    assert _stock(product) == (20, 3)

    with django_capture_on_commit_callbacks(execute=True):
        changed = services.fulfilment_line_change(
            fulfilment=part, line=line, quantity=1, actor=manager, note="Chỉ còn 1 gói"
        )

    assert _stock(product) == (20, 1)
    changed.refresh_from_db()
    assert changed.quantity == 1
    assert changed.num_allocated == 1
    assert changed.line_price_incl_tax == Decimal("125000")
    assert changed.line_price_before_discounts_incl_tax == Decimal("125000")
    part.refresh_from_db()
    order.refresh_from_db()
    assert part.goods_total == Decimal("125000")
    assert part.weight_grams == 500
    assert order.total_incl_tax == total_before - Decimal("250000")
    assert order.total_incl_tax == part.total
    assert part.cod_amount == part.total  # the carrier collects the new amount
    event = _last_event(part)
    assert (event.kind, event.from_state, event.to_state) == ("change", "3", "1")
    assert "Chỉ còn 1 gói" in event.note and product.title in event.note
    notify.delay.assert_called_once_with(event_id=event.pk)


def test_raising_a_quantity_takes_stock_only_if_there_is_some(manager, farm, notify):
    scarce = ProductFactory(cooperative=farm, net_weight_grams=500, stockrecords__num_in_stock=4)
    part = _part((scarce, 2))
    line = part.order.lines.get()

    services.fulfilment_line_change(fulfilment=part, line=line, quantity=4, actor=manager)
    assert _stock(scarce) == (4, 4)

    with pytest.raises(ValidationError) as error:
        services.fulfilment_line_change(fulfilment=part, line=line, quantity=5, actor=manager)
    assert "quantity" in error.value.message_dict
    assert _stock(scarce) == (4, 4)
    line.refresh_from_db()
    part.refresh_from_db()
    assert line.quantity == 4
    assert part.goods_total == Decimal("500000")


def test_quantity_zero_removes_the_line_but_keeps_it_on_record(manager, farm, product, notify):
    jam = ProductFactory(cooperative=farm, net_weight_grams=250, stockrecords__num_in_stock=9)
    part = _part((product, 1), (jam, 2))
    order = part.order
    jam_line = order.lines.get(product=jam)

    assert (
        services.fulfilment_line_change(fulfilment=part, line=jam_line, quantity=0, actor=manager)
        is None
    )

    assert list(order.lines.filter(quantity__gt=0).values_list("product", flat=True)) == [
        product.pk
    ]
    assert order.lines.get(product=jam).quantity == 0  # orders are never cut down
    assert _stock(jam) == (9, 0)
    part.refresh_from_db()
    order.refresh_from_db()
    assert part.goods_total == Decimal("125000")
    assert part.weight_grams == 500
    assert order.total_incl_tax == part.total


def test_the_last_line_cannot_be_removed_and_quantities_freeze_once_confirmed(
    manager, product, notify
):
    part = _part((product, 2))
    line = part.order.lines.get()
    with pytest.raises(ValidationError) as error:
        services.fulfilment_line_change(fulfilment=part, line=line, quantity=0, actor=manager)
    assert error.value.code == "last_line"

    _move(part, manager, "confirm")
    with pytest.raises(ValidationError):
        services.fulfilment_line_change(
            fulfilment=part, line=line, quantity=1, actor=manager, expected_status=None
        )
    line.refresh_from_db()
    assert line.quantity == 2


def test_a_line_of_another_cooperative_cannot_be_changed(manager, farm, product, notify):
    neighbour = CooperativeFactory()
    WeightBasedFactory(cooperative=neighbour)
    tea = ProductFactory(cooperative=neighbour, net_weight_grams=100)
    order = place_order((product, 1), (tea, 2))
    part = order.fulfilments.get(cooperative=farm)
    with pytest.raises(ValidationError):
        services.fulfilment_line_change(
            fulfilment=part, line=order.lines.get(product=tea), quantity=1, actor=manager
        )
    assert order.lines.get(product=tea).quantity == 2


# Cancel, pack, ship, deliver, return, cash


def test_cancel_needs_a_reason_returns_stock_and_tells_the_shopper(
    manager, product, notify, django_capture_on_commit_callbacks
):
    part = _part((product, 2))
    with pytest.raises(ValidationError):
        services.fulfilment_manager_cancel(fulfilment=part, actor=manager, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.fulfilment_manager_cancel(
            fulfilment=part, actor=manager, reason="Mưa lũ, không thu hoạch được"
        )
    part.refresh_from_db()
    assert part.status == statuses.CANCELLED
    assert part.payment_status == statuses.PAYMENT_VOID
    assert _stock(product) == (20, 0)
    status_event = FulfilmentEvent.objects.get(fulfilment=part, to_state=statuses.CANCELLED)
    assert status_event.note == "Mưa lũ, không thu hoạch được"
    notify.delay.assert_called_once_with(event_id=status_event.pk)


def test_shipping_needs_carrier_and_tracking_and_consumes_stock(manager, product, notify):
    part = _move(_part((product, 2)), manager, "confirm", "pack")
    with pytest.raises(ValidationError) as error:
        services.fulfilment_ship(fulfilment=part, actor=manager, carrier="GHTK")
    assert "tracking_number" in error.value.message_dict
    part.refresh_from_db()
    assert part.status == statuses.PACKED

    services.fulfilment_ship(
        fulfilment=part,
        actor=manager,
        carrier="GHTK",
        tracking_number="S123",
        expected_status=statuses.PACKED,
    )
    part.refresh_from_db()
    assert (part.status, part.carrier, part.tracking_number) == ("shipped", "GHTK", "S123")
    assert _stock(product) == (18, 0)


def test_a_pickup_ships_without_a_carrier(manager, farm, product, notify):
    part = _part((product, 1), shipping_choices={str(farm.pk): PICKUP})
    _move(part, manager, "confirm", "pack")
    services.fulfilment_ship(fulfilment=part, actor=manager)
    part.refresh_from_db()
    assert part.status == statuses.SHIPPED


def test_cash_is_collected_only_after_the_parcel_left(manager, product, notify):
    part = _move(_part((product, 1)), manager, "confirm")
    with pytest.raises(ValidationError):
        services.fulfilment_cod_collected(fulfilment=part, actor=manager)
    _move(part, manager, "pack", "ship")
    services.fulfilment_deliver(fulfilment=part, actor=manager, expected_status="shipped")
    services.fulfilment_cod_collected(fulfilment=part, actor=manager)
    part.refresh_from_db()
    assert (part.status, part.payment_status) == ("delivered", "collected")
    assert part.cod_amount == 0
    with pytest.raises(ValidationError) as error:
        services.fulfilment_cod_collected(fulfilment=part, actor=manager)
    assert error.value.code == "already_collected"


def test_a_returned_parcel_owes_no_cash(manager, product, notify):
    part = _move(_part((product, 1)), manager, "confirm", "pack", "ship")
    services.fulfilment_return(fulfilment=part, actor=manager, note="Khách không nhận")
    part.refresh_from_db()
    assert (part.status, part.payment_status) == ("returned", "void")


def test_the_pipeline_refuses_skipping_steps(manager, product):
    part = _part((product, 1))
    with pytest.raises(ValidationError) as error:
        services.fulfilment_deliver(fulfilment=part, actor=manager)
    assert error.value.code == "transition_not_allowed"


# Bulk


def test_bulk_confirm_applies_each_part_on_its_own(manager, farm, product, notify):
    first, second, moved = (_part((product, 1)) for _ in range(3))
    _move(moved, manager, "confirm")
    neighbour = CooperativeFactory()
    WeightBasedFactory(cooperative=neighbour)
    foreign = _part((ProductFactory(cooperative=neighbour, net_weight_grams=100), 1))

    results = services.fulfilments_bulk(
        cooperative=farm,
        ids=[first.pk, second.pk, moved.pk, foreign.pk],
        action="confirm",
        actor=manager,
        expected={moved.pk: statuses.NEW},
    )

    assert [(r.fulfilment_id, r.ok) for r in results] == [
        (first.pk, True),
        (second.pk, True),
        (moved.pk, False),
        (foreign.pk, False),
    ]
    assert "Nông Thị Hoa" in results[2].message  # who confirmed it first
    statuses_now = dict(Fulfilment.objects.values_list("pk", "status"))
    assert statuses_now[first.pk] == statuses_now[second.pk] == statuses.CONFIRMED
    assert statuses_now[foreign.pk] == statuses.NEW
    assert (
        FulfilmentEvent.objects.filter(fulfilment=moved, to_state=statuses.CONFIRMED).count() == 1
    )


def test_bulk_ship_takes_a_tracking_number_per_parcel(manager, farm, product, notify):
    one, two = (_move(_part((product, 1)), manager, "confirm", "pack") for _ in range(2))
    results = services.fulfilments_bulk(
        cooperative=farm,
        ids=[one.pk, two.pk],
        action="ship",
        actor=manager,
        carrier="Viettel Post",
        tracking_numbers={one.pk: "VTP-1"},
    )
    assert [r.ok for r in results] == [True, False]
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.status, one.tracking_number) == ("shipped", "VTP-1")
    assert two.status == statuses.PACKED


def _with_bank(farm):
    farm.bank_bin, farm.bank_account_number, farm.bank_account_holder = "970405", "1", "HTX"
    farm.save()


def test_a_part_waiting_for_its_transfer_does_not_leave(manager, farm, product, notify):
    _with_bank(farm)
    part = _part((product, 1), payment_method="transfer")
    part = services.fulfilment_confirm(
        fulfilment=part, actor=manager, channel=statuses.CHANNEL_PHONE
    )
    part = services.fulfilment_pack(fulfilment=part, actor=manager)
    with pytest.raises(ValidationError) as error:
        services.fulfilment_ship(
            fulfilment=part, actor=manager, carrier="VNPost", tracking_number="EB123"
        )
    assert error.value.code == "awaiting_payment"
    part.refresh_from_db()
    assert part.status == statuses.PACKED


def test_the_amount_of_a_part_waiting_for_its_transfer_does_not_change(
    manager, farm, product, notify
):
    _with_bank(farm)
    part = _part((product, 2), payment_method="transfer")
    with pytest.raises(ValidationError) as error:
        services.fulfilment_line_change(
            fulfilment=part, line=part.order.lines.get(), quantity=1, actor=manager
        )
    assert error.value.code == "awaiting_payment"
    assert part.order.lines.get().quantity == 2


def test_a_manager_is_not_told_of_their_own_cancellation(
    manager, product, notify, django_capture_on_commit_callbacks
):
    part = _part((product, 1))
    with (
        mock.patch("cooperatives.tasks.fulfilment_cancelled_notify_task") as told,
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.fulfilment_manager_cancel(fulfilment=part, actor=manager, reason="Hết hàng")
    told.delay.assert_not_called()
    notify.delay.assert_called_once()  # the shopper is told, with the reason
