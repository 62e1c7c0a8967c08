"""Query budgets of the inbox and the order card: the same at 10 orders and at 500.

The 490 extra orders are written with bulk_create (orders, addresses, parts), not
through checkout: the budget is about reading, and 500 checkouts would take minutes.
"""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cooperatives import statuses
from cooperatives.models import Fulfilment
from order.models import Order, ShippingAddress
from tests.budgets import session_queries
from tests.factories import (
    CooperativeFactory,
    ProductFactory,
    UserFactory,
    WeightBasedFactory,
    place_order,
)

pytestmark = pytest.mark.django_db

# Session, user and its two permission reads, the cooperative from the URL, the tabs'
# counts (one aggregate), the paginator's count, the page of parts with their orders and
# addresses (one query), the cooperatives to switch to, and oscar's layout (unread
# notifications, the category menu; the header's basket count is a cookie). Measured on
# SQLite and PostgreSQL.
INBOX_QUERIES = 11 + session_queries()
# Session, user and its two permission reads, the cooperative; the part with its order,
# address and shopper (one query), its events with their actors (one), its own lines with
# their products (one), the cooperatives to switch to, and oscar's layout (unread
# notifications, the category menu in two; the header's basket count is a cookie): 12.
# Measured on SQLite and PostgreSQL.
CARD_QUERIES = 11 + session_queries()


def _orders_bulk(farm, count: int) -> None:
    """``count`` cash-on-delivery orders of ``farm``, written in three bulk inserts."""
    now = timezone.now()
    start = Order.objects.count()
    addresses = ShippingAddress.objects.bulk_create(
        ShippingAddress(
            first_name=f"Khách {n}",
            line1="Thôn Pác Ngòi",
            phone_number=f"+8491{n:07d}",
            province_code="19",
            province_name="Thái Nguyên",
            country_id="VN",
        )
        for n in range(count)
    )
    orders = Order.objects.bulk_create(
        Order(
            number=f"9{start + n:07d}",
            currency="VND",
            total_incl_tax=Decimal("155000"),
            total_excl_tax=Decimal("155000"),
            shipping_address=address,
            status="Pending",
            date_placed=now,
            payment_method="cod",
        )
        for n, address in enumerate(addresses)
    )
    Fulfilment.objects.bulk_create(
        Fulfilment(
            order=order,
            cooperative=farm,
            status=statuses.NEW,
            payment_status=statuses.PAYMENT_DUE,
            goods_total=Decimal("125000"),
            shipping_charge=Decimal("30000"),
            shipping_method_code="standard",
            shipping_method_name="Giao hàng tiêu chuẩn",
        )
        for order in orders
    )


@pytest.fixture
def setup():
    manager = UserFactory()
    farm = CooperativeFactory(managers=[manager])
    WeightBasedFactory(cooperative=farm)
    product = ProductFactory(cooperative=farm, net_weight_grams=500)
    parts = [place_order((product, 1)).fulfilments.get() for _ in range(10)]
    return manager, farm, parts


def test_inbox_query_budget_is_flat_from_10_to_500_orders(client, setup, django_assert_num_queries):
    manager, farm, _parts = setup
    client.force_login(manager)
    url = reverse("manager:orders", kwargs={"cooperative_slug": farm.slug})
    client.get(url)  # warm session, basket and site caches once

    with django_assert_num_queries(INBOX_QUERIES):
        assert client.get(url).status_code == 200
    _orders_bulk(farm, 490)
    with django_assert_num_queries(INBOX_QUERIES):  # 500 orders: no N+1
        response = client.get(url)
    assert len(response.context["fulfilments"]) == 25
    assert response.context["paginator"].count == 500
    with django_assert_num_queries(INBOX_QUERIES):  # a search and a tab cost the same
        client.get(url + "?status=new&q=khach")


def test_order_card_query_budget_is_flat_from_10_to_500_orders(
    client, setup, django_assert_num_queries
):
    manager, farm, parts = setup
    client.force_login(manager)
    url = reverse("manager:order-detail", kwargs={"cooperative_slug": farm.slug, "pk": parts[0].pk})
    client.get(url)

    with django_assert_num_queries(CARD_QUERIES):
        assert client.get(url).status_code == 200
    _orders_bulk(farm, 490)
    from cooperatives.services.fulfillment import fulfilment_confirm

    fulfilment_confirm(fulfilment=parts[0], actor=manager, channel=statuses.CHANNEL_PHONE)
    with django_assert_num_queries(CARD_QUERIES):  # more orders, more events: same
        assert client.get(url).status_code == 200
