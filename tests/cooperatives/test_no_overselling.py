"""Shoppers checking out the last units at the same moment: exactly the stock is sold.

Each shopper runs in their own thread with their own database connection, so the orders
really are concurrent transactions; only PostgreSQL (as in production) runs them so.
SQLite locks the whole database file for each write, which proves nothing here.
"""

import threading
from unittest import mock

import pytest
from django.db import connection, connections
from django.utils.translation import gettext as _
from oscar.apps.partner.models import StockRecord
from oscar.apps.partner.strategy import Selector

from basket.models import Basket
from cooperatives.models import Fulfilment
from cooperatives.services.checkout import CheckoutError, order_place
from order.models import Order
from tests.factories import (
    CooperativeFactory,
    ProductFactory,
    WeightBasedFactory,
    basket_with,
    delivery_address,
)

SHOPPERS = 8

# serialized_rollback puts back what migrations loaded after the flush of a transactional
# test, as the browser tests do.
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent checkouts need PostgreSQL (set DATABASE_URL=postgres://…); "
        "SQLite serialises every write, so it cannot show overselling",
    ),
]


def _checkout_at_once(basket_ids: list[int]) -> tuple[list[Order], list[CheckoutError]]:
    """Every basket placed by its own thread and connection, all released together."""
    barrier = threading.Barrier(len(basket_ids))
    orders, refusals, crashes = [], [], []
    lock = threading.Lock()

    def shopper(basket_id: int) -> None:
        try:
            basket = Basket.objects.get(pk=basket_id)
            basket.strategy = Selector().strategy()
            basket.all_lines()  # read before the race: only the checkout itself competes
            barrier.wait(timeout=30)
            try:
                order = order_place(
                    basket=basket,
                    user=None,
                    address=delivery_address(),
                    shipping_choices={},
                    payment_method="cod",
                    guest_email="khach@example.vn",
                )
            except CheckoutError as error:
                with lock:
                    refusals.append(error)
            else:
                with lock:
                    orders.append(order)
        except Exception as error:  # anything else fails the test below, with its cause
            with lock:
                crashes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=shopper, args=(pk,)) for pk in basket_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a checkout hung"
    assert not crashes, crashes
    return orders, refusals


@pytest.fixture
def farm():
    cooperative = CooperativeFactory()
    WeightBasedFactory(cooperative=cooperative)
    return cooperative


@pytest.fixture(autouse=True)
def _no_notifications():
    with mock.patch("cooperatives.tasks.order_placed_notify_task"):
        yield


def test_the_last_three_units_go_to_exactly_three_shoppers(farm):
    product = ProductFactory(cooperative=farm, net_weight_grams=500, stockrecords__num_in_stock=3)
    baskets = [basket_with((product, 1)).pk for _ in range(SHOPPERS)]

    orders, refusals = _checkout_at_once(baskets)

    assert len(orders) == 3
    assert Order.objects.count() == 3
    assert Fulfilment.objects.count() == 3
    stockrecord = StockRecord.objects.get(product=product)
    assert (stockrecord.num_in_stock, stockrecord.num_allocated) == (3, 3)
    sold_out = _("“%(product)s” has just sold out. Please remove it from your basket.") % {
        "product": product.get_title()
    }
    assert [error.messages for error in refusals] == [[sold_out]] * (SHOPPERS - 3)


def test_shoppers_wanting_two_of_five_units_two_get_them(farm):
    product = ProductFactory(cooperative=farm, net_weight_grams=500, stockrecords__num_in_stock=5)
    baskets = [basket_with((product, 2)).pk for _ in range(SHOPPERS)]

    orders, refusals = _checkout_at_once(baskets)

    assert len(orders) == 2
    assert Order.objects.count() == 2
    stockrecord = StockRecord.objects.get(product=product)
    assert stockrecord.num_allocated == 4
    only_one_left = _(
        "Only %(available)s of “%(product)s” left, you asked for %(wanted)s. "
        "Please change the quantity in your basket."
    ) % {"available": 1, "product": product.get_title(), "wanted": 2}
    assert [error.messages for error in refusals] == [[only_one_left]] * (SHOPPERS - 2)
