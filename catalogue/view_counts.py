"""Product page views and basket additions, counted in Redis and written to oscar's
analytics in batches.

Oscar counts a view with an UPDATE of the product's ``ProductRecord`` row inside the
request: a write, a commit and a row lock on every product page, with concurrent
views of one product queueing on that lock. Here a view is one ``HINCRBY`` in Redis
(plus one ``RPUSH`` for a signed-in shopper) and ``product_views_flush``, run every
minute by Celery beat, adds the counts to ``ProductRecord.num_views``,
``UserRecord.num_product_views`` and ``UserProductView`` for oscar's dashboard reports.
Counts are nice to have: a count lost to a Redis or database outage is not retried.

Each web process gathers its views for ``PRODUCT_VIEWS_BUFFER_SECONDS`` (1 s) before
sending them in one pipeline: a cached product page is served in well under a
millisecond, and a Redis round trip per view was a sixth of that. They are sent with
the first view after that second, or when the process exits, so a worker that gets no
more product views holds its last few until then; one killed outright loses them.

Adding to a basket is counted the same way (``basket_addition_record``), into
``ProductRecord.num_basket_additions`` and ``UserRecord.num_basket_additions``: oscar's
``basket_addition`` receiver made it one UPDATE and commit more per tap on "add". So are
the units each order bought (``purchases_record``), into ``ProductRecord.num_purchases``:
oscar's ``order_placed`` receiver read the order's lines again and UPDATEd a row per
product, after the order had committed but within the shopper's request.

Without ``REDIS_URL`` (development on SQLite) they are counted in the database at
once, as oscar does.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import Counter
from functools import cache

import redis
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, transaction
from django.db.models import F
from oscar.apps.analytics.models import ProductRecord, UserProductView, UserRecord

from catalogue.models import Product

logger = logging.getLogger(__name__)

PRODUCT_VIEWS_KEY = "chophien:product-views"  # hash: product id -> views since the last flush
USER_VIEWS_KEY = "chophien:user-product-views"  # list of "user id:product id"
ADDITIONS_KEY = "chophien:basket-additions"  # hash: product id -> additions since the flush
USER_ADDITIONS_KEY = "chophien:user-basket-additions"  # hash: user id -> additions
PURCHASES_KEY = "chophien:product-purchases"  # hash: product id -> units bought


@cache
def _client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)


def _redis() -> redis.Redis | None:
    return _client(settings.REDIS_URL) if settings.REDIS_URL else None


class _Gathered:
    """This process's views and basket additions not yet sent to Redis."""

    def __init__(self):
        self.lock = threading.Lock()
        self.products: Counter[int] = Counter()
        self.users: list[str] = []
        self.additions: Counter[int] = Counter()
        self.user_additions: Counter[int] = Counter()
        self.purchases: Counter[int] = Counter()
        self.since = time.monotonic()

    def add(self, product_id: int, user_id: int | None) -> bool:
        """Gather a view; whether it is time to send what is gathered."""
        with self.lock:
            self.products[product_id] += 1
            if user_id:
                self.users.append(f"{user_id}:{product_id}")
            return self._due()

    def add_addition(self, product_id: int, user_id: int | None) -> bool:
        """Gather an addition to a basket; whether it is time to send what is gathered."""
        with self.lock:
            self.additions[product_id] += 1
            if user_id:
                self.user_additions[user_id] += 1
            return self._due()

    def add_purchases(self, units: dict[int, int]) -> bool:
        """Gather the units of each product an order bought; whether it is time to send."""
        with self.lock:
            self.purchases.update(units)
            return self._due()

    def _due(self) -> bool:
        return time.monotonic() - self.since >= settings.PRODUCT_VIEWS_BUFFER_SECONDS

    def send(self) -> None:
        with self.lock:
            products, users = self.products, self.users
            additions, user_additions = self.additions, self.user_additions
            purchases = self.purchases
            self.products, self.users, self.since = Counter(), [], time.monotonic()
            self.additions, self.user_additions = Counter(), Counter()
            self.purchases = Counter()
        client = _redis()
        if client is None or not (products or users or additions or purchases):
            return
        try:
            pipe = client.pipeline(transaction=False)
            for product_id, count in products.items():
                pipe.hincrby(PRODUCT_VIEWS_KEY, str(product_id), count)
            if users:
                pipe.rpush(USER_VIEWS_KEY, *users)
            for product_id, count in additions.items():
                pipe.hincrby(ADDITIONS_KEY, str(product_id), count)
            for user_id, count in user_additions.items():
                pipe.hincrby(USER_ADDITIONS_KEY, str(user_id), count)
            for product_id, count in purchases.items():
                pipe.hincrby(PURCHASES_KEY, str(product_id), count)
            pipe.execute()
        except redis.RedisError:
            logger.warning(
                "Could not count %s product views, %s basket additions and %s units bought",
                products.total(),
                additions.total(),
                purchases.total(),
                exc_info=True,
            )


_gathered = _Gathered()


@atexit.register
def _send_at_exit() -> None:
    _gathered.send()


def product_view_record(*, product_id: int, user_id: int | None = None) -> None:
    """Count one view of a product page; never fails the page."""
    if _redis() is None:
        try:
            _count_now(product_id=product_id, user_id=user_id)
        except DatabaseError:  # two first views of one product at once
            logger.warning("Could not count a view of product %s", product_id, exc_info=True)
        return
    if _gathered.add(product_id, user_id):
        _gathered.send()


def basket_addition_record(*, product_id: int, user_id: int | None = None) -> None:
    """Count one addition of a product to a basket; never fails the addition."""
    if _redis() is None:
        try:
            _counter_add(ProductRecord, "num_basket_additions", product_id=product_id, count=1)
            if user_id:
                _counter_add(UserRecord, "num_basket_additions", user_id=user_id, count=1)
        except DatabaseError:  # two first additions of one product at once
            logger.warning("Could not count an addition of product %s", product_id, exc_info=True)
        return
    if _gathered.add_addition(product_id, user_id):
        _gathered.send()


def purchases_record(units: dict[int, int]) -> bool:
    """Count the units of each product an order bought (product id: units); whether they
    were counted here. Without Redis they are not, and oscar's receiver counts them."""
    if _redis() is None:
        return False
    if _gathered.add_purchases(units):
        _gathered.send()
    return True


def product_views_flush() -> int:
    """Move the views, basket additions and purchases counted in Redis into oscar's
    analytics tables.

    Returns how many product views there were.
    """
    client = _redis()
    if client is None:
        return 0
    _gathered.send()  # this process's own (a single-process shop, tests)
    # Read and clear in one MULTI, so a view counted meanwhile waits for the next flush.
    pipe = client.pipeline(transaction=True)
    pipe.hgetall(PRODUCT_VIEWS_KEY)
    pipe.lrange(USER_VIEWS_KEY, 0, -1)
    pipe.hgetall(ADDITIONS_KEY)
    pipe.hgetall(USER_ADDITIONS_KEY)
    pipe.hgetall(PURCHASES_KEY)
    pipe.delete(PRODUCT_VIEWS_KEY, USER_VIEWS_KEY, ADDITIONS_KEY, USER_ADDITIONS_KEY, PURCHASES_KEY)
    product_views, user_views, additions, user_additions, purchases, _deleted = pipe.execute()
    views = _ints(product_views)
    pairs = []
    for item in user_views:
        user_id, product_id = item.decode().split(":")
        pairs.append((int(user_id), int(product_id)))
    _counts_add(views, pairs, _ints(additions), _ints(user_additions), _ints(purchases))
    return sum(views.values())


def _ints(counts: dict[bytes, bytes]) -> dict[int, int]:
    return {int(key): int(count) for key, count in counts.items()}


@transaction.atomic
def _counts_add(
    views: dict[int, int],
    user_views: list[tuple[int, int]],
    additions: dict[int, int],
    user_additions: dict[int, int],
    purchases: dict[int, int],
) -> None:
    # Products and shoppers deleted since they were counted are skipped.
    counted = views.keys() | additions.keys() | purchases.keys()
    products = set(Product.objects.filter(pk__in=counted).values_list("pk", flat=True))
    user_ids = {user_id for user_id, _product_id in user_views} | user_additions.keys()
    users = set(get_user_model().objects.filter(pk__in=user_ids).values_list("pk", flat=True))
    for product_id, count in views.items():
        if product_id in products:
            _counter_add(ProductRecord, "num_views", product_id=product_id, count=count)
    for product_id, count in additions.items():
        if product_id in products:
            _counter_add(ProductRecord, "num_basket_additions", product_id=product_id, count=count)
    for product_id, count in purchases.items():
        if product_id in products:
            _counter_add(ProductRecord, "num_purchases", product_id=product_id, count=count)
    kept = [(u, p) for u, p in user_views if u in users and p in products]
    UserProductView.objects.bulk_create(
        UserProductView(user_id=user_id, product_id=product_id) for user_id, product_id in kept
    )
    for user_id, count in Counter(user_id for user_id, _product_id in kept).items():
        _counter_add(UserRecord, "num_product_views", user_id=user_id, count=count)
    for user_id, count in user_additions.items():
        if user_id in users:
            _counter_add(UserRecord, "num_basket_additions", user_id=user_id, count=count)


def _count_now(*, product_id: int, user_id: int | None) -> None:
    _counter_add(ProductRecord, "num_views", product_id=product_id, count=1)
    if user_id:
        _counter_add(UserRecord, "num_product_views", user_id=user_id, count=1)
        UserProductView.objects.create(user_id=user_id, product_id=product_id)


def _counter_add(model, field: str, *, count: int, **row) -> None:
    if not model.objects.filter(**row).update(**{field: F(field) + count}):
        model.objects.create(**row, **{field: count})
