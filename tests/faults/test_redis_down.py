"""Redis down while an order is placed: the order is saved, the shopper sees it, and the
notifications go once Redis is back.

Production uses one Redis as Celery's broker and as the cache (``REDIS_URL``); here it is
a private ``redis-server`` the test starts and kills, never the shared one.
"""

import datetime
import logging

import pytest
from django.urls import reverse
from django.utils import timezone

from cooperatives.models import Notification
from cooperatives.tasks import notifications_requeue_task
from order.models import Order
from tests.checkout.test_checkout_flow import add, delivery, with_shipping
from tests.factories import CooperativeFactory, ProductFactory, UserFactory, WeightBasedFactory
from tests.faults.stack import celery_broker, wait_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def honey():
    manager = UserFactory(email="quanly@mat-ong.example.vn")
    farm = CooperativeFactory(name="HTX Mật ong Ba Bể", managers=[manager])
    WeightBasedFactory(cooperative=farm)
    return ProductFactory(cooperative=farm, title="Mật ong rừng", net_weight_grams=700)


def checkout(client, product) -> str:
    """A guest buys ``product`` cash on delivery through the real views; the order page."""
    add(client, product)
    data = with_shipping(delivery(email="lan@example.vn"), product)
    response = client.post(reverse("checkout:index"), data)
    assert response.status_code == 302, response.content[:500]
    basket_id = client.get(reverse("checkout:preview")).context["request"].basket.id
    response = client.post(reverse("checkout:preview"), {"basket_id": basket_id})
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def test_an_order_placed_while_redis_is_down_is_saved_shown_and_announced_once_it_is_back(
    client, honey, redis_server, workers, sms_gateway, smtp_server, caplog
):
    broker = redis_server.url(db=0)  # reserved port, nothing listening yet
    with celery_broker(broker), caplog.at_level(logging.ERROR, logger="cooperatives.queue"):
        order_page = checkout(client, honey)
        page = client.get(order_page)

    order = Order.objects.get()
    assert order_page == reverse(
        "orders:detail", kwargs={"number": order.number, "token": order.verification_hash()}
    )
    assert page.status_code == 200
    assert order.number in page.content.decode()
    assert "order_placed_notify_task" in caplog.text  # logged, not raised
    assert not Notification.objects.exists()  # nobody told yet

    # Redis is back; the beat's sweep runs once its ten minutes have passed.
    redis_server.start()
    Order.objects.filter(pk=order.pk).update(
        date_placed=timezone.now() - datetime.timedelta(minutes=11)
    )
    workers(broker)
    with celery_broker(broker) as app:
        app.send_task("cooperatives.tasks.notifications_requeue_task")  # as beat sends it
    wait_for(
        lambda: (
            Notification.objects.filter(order=order).count() == 3
            and not Notification.objects.exclude(status=Notification.SENT).exists()
        ),
        timeout=60,
        what="the order's three messages to be sent",
    )

    # The next sweeps find nothing left to send.
    with celery_broker(broker):
        assert notifications_requeue_task() == 0
    assert [p["phone"] for p in sms_gateway.sent.values()] == ["84912345678"]
    assert len(sms_gateway.requests) == 1
    assert sorted(m["To"] for m in smtp_server.received) == [
        "lan@example.vn",
        "quanly@mat-ong.example.vn",
    ]
    assert all(order.number in m["Subject"] for m in smtp_server.received)
