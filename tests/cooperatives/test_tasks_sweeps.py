"""The periodic sweeps send what a lost task left behind, and only that."""

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from cooperatives.models import Notification
from cooperatives.tasks import notifications_requeue_task, stripe_events_requeue_task
from payment.models import StripeEvent

pytestmark = pytest.mark.django_db


def _aged(model, pk, field, minutes):
    model.objects.filter(pk=pk).update(
        **{field: timezone.now() - datetime.timedelta(minutes=minutes)}
    )


@mock.patch("cooperatives.tasks.notification_send_task")
def test_unsent_notifications_are_queued_again(send):
    stuck = Notification.objects.create(key="a", channel="email", recipient="x@example.vn")
    fresh = Notification.objects.create(key="b", channel="email", recipient="y@example.vn")
    sent = Notification.objects.create(
        key="c", channel="email", recipient="z@example.vn", status=Notification.SENT
    )
    given_up = Notification.objects.create(
        key="d", channel="email", recipient="w@example.vn", attempts=9
    )
    for notification in (stuck, sent, given_up):
        _aged(Notification, notification.pk, "created_at", 30)
    assert notifications_requeue_task() == 1
    send.delay.assert_called_once_with(notification_id=stuck.pk)
    assert fresh.pk != stuck.pk


@mock.patch("cooperatives.tasks.stripe_event_process_task")
def test_unprocessed_stripe_events_are_processed_again(process):
    lost = StripeEvent.objects.create(event_id="evt_1", event_type="x", payload={})
    done = StripeEvent.objects.create(
        event_id="evt_2", event_type="x", payload={}, processed_at=timezone.now()
    )
    StripeEvent.objects.create(event_id="evt_3", event_type="x", payload={})  # just arrived
    for event in (lost, done):
        _aged(StripeEvent, event.pk, "received_at", 30)
    assert stripe_events_requeue_task() == 1
    process.delay.assert_called_once_with(stripe_event_id=lost.pk)


def test_a_broker_outage_does_not_undo_a_placed_order(django_capture_on_commit_callbacks):
    from tests.factories import ProductFactory, WeightBasedFactory, place_order

    product = ProductFactory()
    WeightBasedFactory(cooperative=product.cooperative)
    with (
        mock.patch(
            "cooperatives.tasks.order_placed_notify_task.delay", side_effect=OSError("broker down")
        ) as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        order = place_order((product, 1))
    delay.assert_called_once()
    assert order.pk and order.fulfilments.count() == 1


def test_an_order_whose_notify_task_was_lost_is_announced_later():
    from tests.factories import ProductFactory, WeightBasedFactory, place_order

    product = ProductFactory()
    WeightBasedFactory(cooperative=product.cooperative)
    with mock.patch(
        "cooperatives.tasks.order_placed_notify_task.delay", side_effect=OSError("broker down")
    ):
        order = place_order((product, 1))
    assert not order.notifications.exists()
    _aged(type(order), order.pk, "date_placed", 30)
    with mock.patch("cooperatives.tasks.order_placed_notify_task") as notify:
        notifications_requeue_task()
    notify.delay.assert_called_once_with(order_id=order.pk)


def test_a_step_whose_notify_task_was_lost_is_announced_later():
    from cooperatives import statuses
    from cooperatives.models import FulfilmentEvent
    from cooperatives.services.fulfillment import fulfilment_confirm
    from tests.factories import (
        CooperativeFactory,
        ProductFactory,
        UserFactory,
        WeightBasedFactory,
        place_order,
    )

    manager = UserFactory()
    farm = CooperativeFactory(managers=[manager])
    WeightBasedFactory(cooperative=farm)
    with mock.patch("cooperatives.tasks.order_placed_notify_task"):
        part = place_order((ProductFactory(cooperative=farm), 1)).fulfilments.get()
    with mock.patch(
        "cooperatives.tasks.fulfilment_event_notify_task.delay", side_effect=OSError("down")
    ):
        fulfilment_confirm(fulfilment=part, actor=manager, channel=statuses.CHANNEL_PHONE)
    confirmed = FulfilmentEvent.objects.get(to_state=statuses.CONFIRMED)
    _aged(FulfilmentEvent, confirmed.pk, "created_at", 30)
    with mock.patch("cooperatives.tasks.fulfilment_event_notify_task") as notify:
        notifications_requeue_task()
    notify.delay.assert_called_once_with(event_id=confirmed.pk)
