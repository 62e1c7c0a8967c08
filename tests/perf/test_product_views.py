"""Product page views are counted in Redis, off the request's database work, and flushed."""

import os

import pytest
import redis
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.apps.analytics.models import ProductRecord, UserProductView, UserRecord

from catalogue import view_counts
from catalogue.tasks import product_views_flush_task
from tests.factories import (
    CooperativeFactory,
    ProductFactory,
    UserFactory,
    WeightBasedFactory,
    place_order,
)

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("TEST_VIEW_COUNTS_REDIS_URL", "redis://127.0.0.1:6379/8")
WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture(autouse=True)
def _nothing_gathered():
    # Views this process gathered but did not send stay behind a failed test otherwise.
    view_counts._gathered = view_counts._Gathered()
    yield
    view_counts._gathered = view_counts._Gathered()


@pytest.fixture
def counting_in_redis(settings):
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    settings.REDIS_URL = REDIS_URL
    keys = (
        view_counts.PRODUCT_VIEWS_KEY,
        view_counts.USER_VIEWS_KEY,
        view_counts.ADDITIONS_KEY,
        view_counts.USER_ADDITIONS_KEY,
        view_counts.PURCHASES_KEY,
    )
    client.delete(*keys)
    yield client
    client.delete(*keys)


def page_queries(client, url) -> list[str]:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in queries]


def test_a_product_page_writes_nothing_to_the_database(client, counting_in_redis, settings):
    product = ProductFactory()
    url = product.get_absolute_url()
    queries = page_queries(client, url)
    assert [sql for sql in queries if sql.lstrip().upper().startswith(WRITES)] == []
    assert not ProductRecord.objects.filter(product=product).exists()
    assert counting_in_redis.hget(view_counts.PRODUCT_VIEWS_KEY, str(product.pk)) == b"2"
    settings.REDIS_URL = ""  # counted in the database, as oscar does: one UPDATE more
    assert len(page_queries(client, url)) == len(queries) + 1


def test_the_flush_adds_the_counts_to_oscars_analytics(client, counting_in_redis):
    product, other = ProductFactory.create_batch(2)
    shopper = UserFactory()
    ProductRecord.objects.create(product=product, num_views=5)
    client.get(product.get_absolute_url())
    client.force_login(shopper)
    client.get(product.get_absolute_url())
    client.get(other.get_absolute_url())

    assert product_views_flush_task.delay().get() == 3

    assert ProductRecord.objects.get(product=product).num_views == 7
    assert ProductRecord.objects.get(product=other).num_views == 1
    assert UserRecord.objects.get(user=shopper).num_product_views == 2
    assert UserProductView.objects.filter(user=shopper).count() == 2
    assert product_views_flush_task.delay().get() == 0  # counted once only
    assert ProductRecord.objects.get(product=product).num_views == 7


def test_views_of_a_product_deleted_meanwhile_are_dropped(client, counting_in_redis):
    product = ProductFactory()
    client.get(product.get_absolute_url())
    product.delete()
    assert view_counts.product_views_flush() == 1
    assert not ProductRecord.objects.exists()


def test_without_redis_a_view_is_counted_at_once(client, settings):
    settings.REDIS_URL = ""
    product = ProductFactory()
    client.get(product.get_absolute_url())
    client.get(product.get_absolute_url())
    assert ProductRecord.objects.get(product=product).num_views == 2


def test_views_are_gathered_then_sent_in_one_go(client, counting_in_redis, settings):
    settings.PRODUCT_VIEWS_BUFFER_SECONDS = 3600
    product = ProductFactory()
    for _ in range(3):
        client.get(product.get_absolute_url())
    # Gathered in this process: nothing in Redis yet, and no round trip per view.
    assert counting_in_redis.hget(view_counts.PRODUCT_VIEWS_KEY, str(product.pk)) is None
    assert view_counts.product_views_flush() == 3  # sends this process's own first
    assert ProductRecord.objects.get(product=product).num_views == 3


def add(client, product) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
    assert response.status_code == 302
    return [query["sql"] for query in queries]


def test_basket_additions_are_counted_in_redis_then_flushed(client, counting_in_redis):
    product, other = ProductFactory.create_batch(2)
    shopper = UserFactory()
    ProductRecord.objects.create(product=product, num_basket_additions=4)
    queries = add(client, product)
    assert not [sql for sql in queries if "analytics_" in sql]  # not oscar's UPDATE
    client.force_login(shopper)
    add(client, product)
    add(client, other)
    assert counting_in_redis.hget(view_counts.ADDITIONS_KEY, str(product.pk)) == b"2"

    assert product_views_flush_task.delay().get() == 0  # no page views among them

    assert ProductRecord.objects.get(product=product).num_basket_additions == 6
    assert ProductRecord.objects.get(product=other).num_basket_additions == 1
    assert UserRecord.objects.get(user=shopper).num_basket_additions == 2
    view_counts.product_views_flush()  # counted once only
    assert ProductRecord.objects.get(product=product).num_basket_additions == 6


def test_without_redis_an_addition_is_counted_at_once(client, settings):
    settings.REDIS_URL = ""
    product = ProductFactory()
    add(client, product)
    add(client, product)
    assert ProductRecord.objects.get(product=product).num_basket_additions == 2


def delivered(count: int) -> list:
    """Products of one cooperative that delivers."""
    cooperative = CooperativeFactory()
    WeightBasedFactory(cooperative=cooperative, bands=[(10, 30000)])
    return ProductFactory.create_batch(count, cooperative=cooperative, net_weight_grams=500)


def test_units_bought_are_counted_in_redis_then_flushed(
    counting_in_redis, django_capture_on_commit_callbacks
):
    honey, tea = delivered(2)
    ProductRecord.objects.create(product=honey, num_purchases=5)
    shopper = UserFactory()
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        place_order((honey, 2), (tea, 1))
    assert not [q["sql"] for q in queries if "analytics_productrecord" in q["sql"]]
    with django_capture_on_commit_callbacks(execute=True):
        place_order((honey, 1), user=shopper)
    assert UserRecord.objects.get(user=shopper).num_orders == 1  # the shopper's, at once

    view_counts.product_views_flush()
    assert ProductRecord.objects.get(product=honey).num_purchases == 8
    assert ProductRecord.objects.get(product=tea).num_purchases == 1
    view_counts.product_views_flush()  # counted once only
    assert ProductRecord.objects.get(product=honey).num_purchases == 8


def test_without_redis_units_bought_are_counted_once_the_order_commits(
    settings, django_capture_on_commit_callbacks
):
    settings.REDIS_URL = ""
    (honey,) = delivered(1)
    with django_capture_on_commit_callbacks(execute=True):
        place_order((honey, 3))
    assert ProductRecord.objects.get(product=honey).num_purchases == 3
