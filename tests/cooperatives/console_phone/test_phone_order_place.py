"""``phone_order_place``: a manager's phone order goes down the website's pipeline."""

from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied

from cooperatives import statuses
from cooperatives.services.checkout import CheckoutError
from cooperatives.services.phone_orders import phone_order_place
from tests.factories import ProductFactory, UserFactory, delivery_address

pytestmark = pytest.mark.django_db


@mock.patch("cooperatives.tasks.order_placed_notify_task")
def test_places_a_guest_order_with_stock_held_and_a_phone_event(
    notify, manager, farm, honey, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order = phone_order_place(
            cooperative=farm,
            actor=manager,
            items=[(honey, 2), (honey, 1)],  # the same product twice is one line
            address=delivery_address(notes="Gọi trước khi giao"),
            payment_method="cod",
            note="Chị Lan gọi lúc 8 giờ",
        )
    assert order.user is None  # the manager is not the buyer
    line = order.lines.get()
    assert line.quantity == 3
    fulfilment = order.fulfilments.get()
    assert fulfilment.cooperative == farm
    assert fulfilment.status == statuses.NEW
    assert fulfilment.payment_status == statuses.PAYMENT_DUE
    assert fulfilment.shipping_charge > 0
    stockrecord = honey.stockrecords.get()
    assert stockrecord.num_allocated == 3
    first, entered = fulfilment.events.order_by("pk")
    assert first.to_state == statuses.NEW
    assert entered.kind == statuses.EVENT_CHANGE
    assert entered.channel == statuses.CHANNEL_PHONE
    assert entered.actor == manager
    assert entered.note == "Chị Lan gọi lúc 8 giờ"
    assert order.shipping_address.notes == "Gọi trước khi giao"
    notify.delay.assert_called_once_with(order_id=order.pk)  # the shopper hears as usual


def test_zalo_transfer_order_gets_a_transfer_note(manager, farm, honey):
    order = phone_order_place(
        cooperative=farm,
        actor=manager,
        items=[(honey, 1)],
        address=delivery_address(),
        payment_method="transfer",
        channel=statuses.CHANNEL_ZALO,
    )
    fulfilment = order.fulfilments.get()
    assert fulfilment.payment_status == statuses.PAYMENT_AWAITING
    assert fulfilment.transfer_note
    assert fulfilment.events.get(kind=statuses.EVENT_CHANGE).channel == statuses.CHANNEL_ZALO


def test_refuses_another_cooperatives_product(manager, farm, honey, other_farm):
    noodles = ProductFactory(cooperative=other_farm, title="Miến dong")
    with pytest.raises(CheckoutError) as error:
        phone_order_place(
            cooperative=farm,
            actor=manager,
            items=[(honey, 1), (noodles, 1)],
            address=delivery_address(),
            payment_method="cod",
        )
    assert "Miến dong" in error.value.messages[0]
    assert not farm.fulfilments.exists()
    assert honey.stockrecords.get().num_allocated in (0, None)


def test_refuses_a_hidden_product_and_more_than_the_shelf_holds(manager, farm, honey):
    hidden = ProductFactory(cooperative=farm, is_public=False)
    with pytest.raises(CheckoutError):
        phone_order_place(
            cooperative=farm,
            actor=manager,
            items=[(hidden, 1)],
            address=delivery_address(),
            payment_method="cod",
        )
    with pytest.raises(CheckoutError):
        phone_order_place(
            cooperative=farm,
            actor=manager,
            items=[(honey, 21)],
            address=delivery_address(),
            payment_method="cod",
        )
    assert not farm.fulfilments.exists()


def test_refuses_card_payment(manager, farm, honey):
    with pytest.raises(CheckoutError):
        phone_order_place(
            cooperative=farm,
            actor=manager,
            items=[(honey, 1)],
            address=delivery_address(),
            payment_method="card",
        )


def test_only_the_cooperatives_managers_may_enter_orders(farm, honey, other_manager):
    for actor in (other_manager, UserFactory()):
        with pytest.raises(PermissionDenied):
            phone_order_place(
                cooperative=farm,
                actor=actor,
                items=[(honey, 1)],
                address=delivery_address(),
                payment_method="cod",
            )
    assert not farm.fulfilments.exists()
