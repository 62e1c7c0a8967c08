"""Query budget of the basket page: fixed, and flat in the number of lines.

Oscar priced each line from a fresh stock-record read and fetched its product class,
three queries per line; the forked ``Basket.all_lines`` (basket/models.py) loads them
with the lines.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CooperativeFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

# Raise only in a change that says why. 14 → 12 (bench.py, PostgreSQL: 15 → 13): the
# basket's line count comes from its lines, not a COUNT query, and its cooperatives
# with them. 12 → 7: a guest's basket is read with its lines and whether it holds
# vouchers, and lines tell their options and stock records (Basket.keep_priced_lines)
# (tests/perf/test_checkout_queries.py lists the rest).
BASKET_BUDGET = 7


def basket_queries(client) -> int:
    assert client.get(reverse("basket:summary")).status_code == 200  # warm per-process caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("basket:summary"))
    assert response.status_code == 200
    return len(queries)


def add(client, product):
    response = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
    assert response.status_code == 302


@pytest.fixture
def products():
    farms = CooperativeFactory.create_batch(2)
    return [ProductFactory(cooperative=farms[index % 2]) for index in range(8)]


def test_the_basket_page_costs_the_same_with_1_2_or_8_lines(client, products):
    add(client, products[0])
    with_1 = basket_queries(client)
    add(client, products[1])  # the second cooperative
    with_2 = basket_queries(client)
    for product in products[2:]:
        add(client, product)
    with_8 = basket_queries(client)
    print(f"basket page: {with_1} queries with 1 line, {with_2} with 2, {with_8} with 8")
    assert with_1 == with_2 == with_8 == BASKET_BUDGET
    page = client.get(reverse("basket:summary")).content.decode()
    assert page.count('class="card mb-3 basket-part"') == 2  # still one part per cooperative


def test_a_signed_in_shoppers_basket_page_stays_flat_too(client, products):
    client.force_login(UserFactory())
    add(client, products[0])
    with_1 = basket_queries(client)
    for product in products[1:]:
        add(client, product)
    assert basket_queries(client) == with_1
