"""Stripe's webhook and the shopper's return, at the same moment or with the queue down:
one paid order.

The orderings one after another (webhook then return, return then webhook, the webhook
twice, expired after completed, completed after expired) are pinned in
tests/checkout/test_stripe_views.py. Here: all of them at once on PostgreSQL, where
each request has its own connection and the order's row lock decides; and a webhook
stored while the broker is down, processed later by the sweep.
"""

import datetime
import threading

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cooperatives import statuses
from cooperatives.tasks import stripe_events_requeue_task
from order.models import PaymentEvent
from payment.models import StripeEvent, Transaction
from tests.checkout.test_stripe_views import (
    SECRET,
    WEBHOOK,
    card_order,  # noqa: F401 (fixture)
    pay_on_stripes_page,
    payment_statuses,
    start,
    stripe_on,  # noqa: F401 (fixture)
)
from tests.fakes.fixtures import fake_stripe, loopback_only  # noqa: F401
from tests.fakes.stripe_api import deliver
from tests.faults.stack import celery_broker, free_port


def _concurrently(*calls):
    """Run the calls in threads released together; each returns its result or raises."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except BaseException as error:  # noqa: BLE001 (handed back to the test)
            results[index] = error
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_webhook_twice_and_the_return_all_at_once_pay_once(
    postgres,
    card_order,  # noqa: F811
    stripe_on,  # noqa: F811
):
    session_id = start(Client(), card_order, stripe_on)
    back = pay_on_stripes_page(stripe_on, session_id).removeprefix("http://shop.test")
    [completed] = stripe_on.events_of("checkout.session.completed")

    def webhook():
        response = deliver(completed, url=WEBHOOK, secret=SECRET, client=Client())
        return response.status_code, response.json()["duplicate"]

    def shopper_returns():
        return Client().get(back).status_code

    first, second, returned = _concurrently(webhook, webhook, shopper_returns)

    assert sorted([first, second]) == [(200, False), (200, True)]
    assert returned == 302
    assert payment_statuses(card_order) == {statuses.PAYMENT_PAID}
    assert StripeEvent.objects.get().processed_at is not None
    assert PaymentEvent.objects.filter(order=card_order).count() == 1
    debits = Transaction.objects.filter(source__order=card_order, txn_type=Transaction.DEBIT)
    assert debits.count() == 1
    for part in card_order.fulfilments.all():
        assert part.events.filter(to_state=statuses.PAYMENT_PAID).count() == 1


@pytest.mark.django_db
def test_a_webhook_stored_while_the_broker_is_down_is_applied_once_by_the_sweep(
    client,
    card_order,  # noqa: F811
    stripe_on,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    session_id = start(client, card_order, stripe_on)
    completed = stripe_on.complete_session(session_id)
    with (
        celery_broker(f"redis://127.0.0.1:{free_port()}/0"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = deliver(completed, url=WEBHOOK, secret=SECRET, client=client)

    # Stripe hears 200 and stops retrying: the event is ours to process.
    assert response.status_code == 200
    stored = StripeEvent.objects.get()
    assert stored.processed_at is None
    assert payment_statuses(card_order) == {statuses.PAYMENT_AWAITING}

    # The shopper comes back first: paid now, from what Stripe says of the session.
    back = client.get(reverse("stripe:return"), {"session_id": session_id})
    assert back.status_code == 302
    assert payment_statuses(card_order) == {statuses.PAYMENT_PAID}

    # Five minutes on, the sweep processes the event: nothing is paid twice.
    StripeEvent.objects.filter(pk=stored.pk).update(
        received_at=timezone.now() - datetime.timedelta(minutes=6)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert stripe_events_requeue_task() == 1
    stored.refresh_from_db()
    assert stored.processed_at is not None
    assert stripe_events_requeue_task() == 0
    assert PaymentEvent.objects.filter(order=card_order).count() == 1
    assert payment_statuses(card_order) == {statuses.PAYMENT_PAID}
