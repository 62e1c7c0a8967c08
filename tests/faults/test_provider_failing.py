"""The e-mail or SMS provider failing: retried with backoff, never sent twice.

A real worker sends a new order's messages to providers on 127.0.0.1: an SMS gateway
that answers 500 twice before it takes the message, and an SMTP server that answers
"451 try again later" once. The notify task sends each message once; one refused goes to
``notification_send_task`` as its first retry, after a first retry's backoff, and later
retries are Celery's (``autoretry_for=ChannelError``, exponential backoff with jitter, at
most 600 s apart).
"""

import re

import pytest

from cooperatives.models import Notification
from cooperatives.tasks import notification_send_task
from order.models import Order
from tests.factories import (
    CooperativeFactory,
    ProductFactory,
    UserFactory,
    WeightBasedFactory,
    place_order,
)
from tests.faults.stack import celery_broker, wait_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def order(redis_server) -> Order:
    """A COD order whose notify task waits in Redis for a worker."""
    manager = UserFactory(email="quanly@mat-ong.example.vn")
    farm = CooperativeFactory(name="HTX Mật ong Ba Bể", managers=[manager])
    WeightBasedFactory(cooperative=farm)
    honey = ProductFactory(cooperative=farm, net_weight_grams=700)
    redis_server.start()
    with celery_broker(redis_server.url()):
        return place_order((honey, 1), guest_email="lan@example.vn")


def all_sent(order) -> bool:
    rows = Notification.objects.filter(order=order)
    return rows.count() == 3 and not rows.exclude(status=Notification.SENT).exists()


def test_failing_providers_are_retried_with_backoff_and_each_message_goes_once(
    order, redis_server, workers, sms_gateway, smtp_server
):
    sms_gateway.fail_next = 2
    smtp_server.refuse_next = 1

    worker = workers(redis_server.url())
    wait_for(lambda: all_sent(order), timeout=60, what="every message to go out")

    sms = Notification.objects.get(order=order, channel="sms")
    assert len(sms_gateway.requests) == 3  # two 500s, then taken
    assert list(sms_gateway.sent) == [sms.key]  # one message reached the phone
    assert (sms.attempts, sms.provider_reference) == (3, "sms-1")
    assert "HTTP 500" in sms.last_error  # the last failure stays on record

    emails = Notification.objects.filter(order=order, channel="email")
    assert smtp_server.attempts == 3
    assert sorted(m["To"] for m in smtp_server.received) == sorted(e.recipient for e in emails)
    assert sorted(e.attempts for e in emails) == [1, 2]
    refused = emails.get(attempts=2)
    assert "451" in refused.last_error
    [delivered] = [m for m in smtp_server.received if m["To"] == refused.recipient]
    assert refused.provider_reference == delivered["Message-ID"].strip()

    # The SMS's third try was scheduled by Celery, not immediate: its second retry's
    # backoff, 2 seconds at most (jitter picks a random delay up to that).
    delays = [
        int(s)
        for s in re.findall(r"notification_send_task\[[^]]+\] retry: Retry in (\d+)s", worker.log())
    ]
    assert len(delays) == 1 and 0 <= delays[0] <= 2

    # The same tasks delivered again (a broker redelivery, a sweep): nothing goes twice.
    with celery_broker(redis_server.url()):
        for notification in Notification.objects.filter(order=order):
            notification_send_task.delay(notification_id=notification.pk)
    wait_for(
        lambda: (
            len(
                re.findall(
                    r"notification_send_task\[[^]]+\] succeeded in [\d.]+s: False", worker.log()
                )
            )
            == 3
        ),
        timeout=30,
        what="the three repeated sends to find their messages sent",
    )
    assert len(sms_gateway.requests) == 3
    assert len(smtp_server.received) == 2
