"""A Celery worker killed in the middle of a task: the task runs again, the work is done once.

Each test kills a real worker with SIGKILL while it waits for a provider on 127.0.0.1 to
answer a message the provider has already taken: the worst moment, after the message
left and before the ``Notification`` row says so.

- Tasks are acknowledged after they run (``CELERY_TASK_ACKS_LATE``). A pool process
  killed under a living worker is noticed at once, and the message goes back to the
  queue (``CELERY_TASK_REJECT_ON_WORKER_LOST``). A whole worker killed leaves it
  unacknowledged in Redis, which hands it out again after ``visibility_timeout``
  (``CELERY_VISIBILITY_TIMEOUT``, one hour in production; five seconds here).
- The second run sends again: sending is at least once. What the provider does with the
  copy decides what the shopper sees: the SMS gateway drops a repeated ``request_id``
  (the notification's key); a mailbox gets the same ``Message-ID`` twice, which mail
  systems that drop duplicates show once.
"""

import os
import signal

import pytest

from cooperatives.models import Notification
from tests.factories import CooperativeFactory, ProductFactory, WeightBasedFactory, place_order
from tests.faults.stack import celery_broker, wait_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def place(redis_server):
    """``place(email=...)``: a COD order whose notify task waits in Redis for a worker.

    The cooperative has no e-mail address, so the shopper's messages are the only ones.
    """
    farm = CooperativeFactory(name="HTX Mật ong Ba Bể")
    WeightBasedFactory(cooperative=farm)
    honey = ProductFactory(cooperative=farm, net_weight_grams=700)
    redis_server.start()

    def place(email: str = ""):
        with celery_broker(redis_server.url()):
            return place_order((honey, 1), guest_email=email)

    return place


def test_a_worker_killed_while_sending_an_sms_is_replaced_and_the_sms_goes_once(
    place, redis_server, workers, sms_gateway
):
    sms_gateway.hold_next = 1
    order = place()
    first = workers(redis_server.url(), CELERY_VISIBILITY_TIMEOUT="5")
    wait_for(sms_gateway.holding.is_set, timeout=60, what="the worker to reach the gateway")

    first.kill()
    second = workers(redis_server.url(), CELERY_VISIBILITY_TIMEOUT="5")

    sms = wait_for(
        lambda: Notification.objects.filter(order=order, status=Notification.SENT).first(),
        timeout=60,
        what="the SMS to be sent by the second worker",
    )
    assert "order_placed_notify_task" in second.log()  # it ran the redelivered message
    assert len(sms_gateway.requests) == 2  # sent twice ...
    assert list(sms_gateway.sent) == [sms.key]  # ... reached the phone once
    assert sms.provider_reference == "sms-1"
    # The killed run's attempt died with its transaction; its row lock went with it.
    assert sms.attempts == 1


def test_a_pool_process_killed_while_sending_is_rerun_at_once(
    place, redis_server, workers, sms_gateway
):
    """The OOM killer takes the pool process, not the worker: no visibility timeout."""
    sms_gateway.hold_next = 1
    order = place()
    worker = workers(redis_server.url(), pool="prefork")  # visibility_timeout: one hour
    wait_for(sms_gateway.holding.is_set, timeout=60, what="the worker to reach the gateway")

    [pool_process] = worker.child_pids()
    os.kill(pool_process, signal.SIGKILL)

    sms = wait_for(
        lambda: Notification.objects.filter(order=order, status=Notification.SENT).first(),
        timeout=60,
        what="the SMS to be sent again by a new pool process",
    )
    assert "WorkerLostError" in worker.log()
    assert len(sms_gateway.requests) == 2
    assert list(sms_gateway.sent) == [sms.key]
    assert sms.attempts == 1


def test_an_email_taken_by_the_server_before_the_worker_died_is_sent_again_as_the_same_message(
    place, redis_server, workers, smtp_server, sms_gateway
):
    """The window of at-least-once, for e-mail: SMTP has no idempotency key."""
    smtp_server.hold_next = 1
    order = place(email="lan@example.vn")
    first = workers(redis_server.url(), CELERY_VISIBILITY_TIMEOUT="5")
    wait_for(smtp_server.holding.is_set, timeout=60, what="the worker to reach the mail server")

    first.kill()
    workers(redis_server.url(), CELERY_VISIBILITY_TIMEOUT="5")

    email = wait_for(
        lambda: Notification.objects.filter(
            order=order, channel="email", status=Notification.SENT
        ).first(),
        timeout=60,
        what="the e-mail to be sent by the second worker",
    )
    assert len(smtp_server.received) == 2
    message_ids = {m["Message-ID"].strip() for m in smtp_server.received}
    assert message_ids == {email.provider_reference}
    # The SMS, sent by either worker, still reached the phone once.
    wait_for(
        lambda: Notification.objects.filter(order=order, status=Notification.SENT).count() == 2,
        timeout=30,
        what="the SMS too",
    )
    assert len(sms_gateway.sent) == 1
