"""Celery tasks of cooperatives: thin wrappers that load by id and call a service.

Every task is safe to run twice (a redelivered message after a worker restart).
"""

from celery import shared_task

from cooperatives.channels import ChannelError
from cooperatives.models import ProductImport
from cooperatives.services.product_import import product_import_apply


@shared_task
def product_import_apply_task(product_import_id: int) -> None:
    """Apply a large product import; an import that is done or gone is left alone."""
    product_import = ProductImport.objects.filter(pk=product_import_id).first()
    if product_import is None or product_import.status == ProductImport.DONE:
        return
    product_import_apply(product_import=product_import)


@shared_task
def order_placed_notify_task(order_id: int) -> None:
    """Tell the shopper and each cooperative of a new order."""
    from cooperatives.services.notifications import order_placed_notifications
    from order.models import Order

    order = Order.objects.select_related("shipping_address").filter(pk=order_id).first()
    if order is None:
        return
    _notifications_send(order_placed_notifications(order=order))


@shared_task
def fulfilment_cancelled_notify_task(fulfilment_id: int) -> None:
    """Tell a cooperative's managers that the shopper cancelled their part."""
    from cooperatives.models import Fulfilment
    from cooperatives.services.notifications import fulfilment_cancelled_notifications

    fulfilment = (
        Fulfilment.objects.select_related("order", "cooperative__partner")
        .filter(pk=fulfilment_id)
        .first()
    )
    if fulfilment is None:
        return
    _notifications_send(fulfilment_cancelled_notifications(fulfilment=fulfilment))


@shared_task
def payments_expire_task() -> int:
    """Periodic (CELERY_BEAT_SCHEDULE): cancel prepaid parts not paid in time."""
    from cooperatives.services.fulfillment import payments_expire

    return payments_expire()


@shared_task
def stripe_event_process_task(stripe_event_id: int) -> None:
    """Apply one stored Stripe webhook event; one already processed (or gone) is left alone."""
    from cooperatives.services.payments import stripe_event_process
    from payment.models import StripeEvent

    stripe_event = StripeEvent.objects.filter(pk=stripe_event_id, processed_at__isnull=True).first()
    if stripe_event is None:
        return
    stripe_event_process(stripe_event=stripe_event)


# --- Notifications (cooperatives/services/notifications.py) -----------------------------------


def _notifications_send(notifications) -> None:
    """Send each notification still waiting, one after another, in the task that wrote them.

    A task of its own for each message cost the worker more than sending it: about a
    quarter of its time per new order. One that its provider refuses for now
    (``ChannelError``, its attempt recorded) goes to ``notification_send_task`` as that
    task's first retry, with the same backoff and the same limit of tries in all; the
    others go meanwhile. Anything else raised ends this run, and the sweep
    (``notifications_requeue_task``) sends what it left.
    """
    from cooperatives.models import Notification
    from cooperatives.queue import retry_later
    from cooperatives.services.notifications import notification_send

    for notification in notifications:
        if notification.status != Notification.PENDING:
            continue
        try:
            notification_send(notification_id=notification.pk)
        except ChannelError:
            retry_later(notification_send_task, notification_id=notification.pk)


@shared_task(
    bind=True,
    autoretry_for=(ChannelError,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=8,
)
def notification_send_task(self, notification_id: int) -> bool:
    """Send one notification; a provider that fails for now is tried again, up to 8 times.

    A rerun after it went sends nothing (``notification_send`` checks under a row lock).
    """
    from cooperatives.services.notifications import notification_send

    return notification_send(notification_id=notification_id)


# --- Sweeps (CELERY_BEAT_SCHEDULE): work whose task was lost while the broker was down -------


@shared_task
def notifications_requeue_task() -> int:
    """Send what a lost task left unsent: messages still waiting ten minutes after they were
    written, and orders or cancellations whose messages were never written at all."""
    import datetime

    from cooperatives.queue import enqueue
    from cooperatives.services.notifications import (
        cancellations_unannounced,
        events_unannounced,
        notifications_waiting,
        orders_unannounced,
    )

    late = datetime.timedelta(minutes=10)
    waiting = notifications_waiting(older_than=late)
    for notification_id in waiting:
        enqueue(notification_send_task, notification_id=notification_id)
    orders = orders_unannounced(older_than=late)
    for order_id in orders:
        enqueue(order_placed_notify_task, order_id=order_id)
    cancellations = cancellations_unannounced(older_than=late)
    for fulfilment_id in cancellations:
        enqueue(fulfilment_cancelled_notify_task, fulfilment_id=fulfilment_id)
    steps = events_unannounced(older_than=late)
    for event_id in steps:
        enqueue(fulfilment_event_notify_task, event_id=event_id)
    return len(waiting) + len(orders) + len(cancellations) + len(steps)


@shared_task
def stripe_events_requeue_task() -> int:
    """Process again every Stripe event stored but not processed five minutes later."""
    import datetime

    from cooperatives.queue import enqueue
    from cooperatives.services.payments import stripe_events_unprocessed

    waiting = stripe_events_unprocessed(older_than=datetime.timedelta(minutes=5))
    for stripe_event_id in waiting:
        enqueue(stripe_event_process_task, stripe_event_id=stripe_event_id)
    return len(waiting)


# --- The console's order work (issue: "chốt đơn" from a phone) -------------------------------


@shared_task
def fulfilment_event_notify_task(event_id: int) -> None:
    """Tell the shopper about one step of their order (confirmed, shipped, delivered,
    cancelled by the cooperative, a line changed)."""
    from cooperatives.models import FulfilmentEvent
    from cooperatives.services.notifications import fulfilment_event_notifications

    event = (
        FulfilmentEvent.objects.select_related(
            "fulfilment__order__shipping_address", "fulfilment__cooperative"
        )
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return
    _notifications_send(fulfilment_event_notifications(event=event))


@shared_task
def unconfirmed_reminders_task() -> int:
    """Periodic: remind managers of parts still unconfirmed after UNCONFIRMED_REMINDER_HOURS.

    Returns how many were sent (or handed to their retry): new reminders, and any still
    unsent (sending is once).
    """
    from cooperatives.services.notifications import unconfirmed_reminders

    return _notifications_sent(unconfirmed_reminders())


@shared_task
def manager_digest_task() -> int:
    """Periodic, each morning: tell each cooperative's managers what waits for them.

    Returns how many were sent (or handed to their retry): a second run the same day sends
    only what is unsent.
    """
    from cooperatives.services.notifications import manager_digest

    return _notifications_sent(manager_digest())


def _notifications_sent(notifications) -> int:
    """Send those still waiting (``_notifications_send``); how many there were."""
    from cooperatives.models import Notification

    waiting = sum(1 for n in notifications if n.status == Notification.PENDING)
    _notifications_send(notifications)
    return waiting
