"""Benchmark: cash-on-delivery orders placed end to end through ``order_place``.

README
======

What it measures
----------------
Each order is what a shopper sends from the checkout page: a basket holding goods of two
cooperatives (three lines: two from one, one from the other), delivered by each
cooperative at its weight-band rate and paid in cash on delivery. The script builds the
baskets first (that is the shopper browsing), then times ``order_place`` alone: pricing
and grouping the basket, the order, its lines, stock allocation, one fulfilment per
cooperative, and the "order placed" notification task, which runs in-process because
Celery is eager here (``CELERY_TASK_ALWAYS_EAGER=true``). E-mail goes to Django's
in-memory backend and the console SMS/Zalo backends' output is discarded, so nothing
leaves the machine and the numbers are not drowned in printed messages.

It prints orders per second and the mean and maximum number of SQL queries per order
(``django.test.utils.CaptureQueriesContext`` around each ``order_place`` call). It
prints numbers; it asserts nothing about time (STYLE §7: tests pin query counts,
benchmarks measure speed).

How to run
----------
::

    DJANGO_SETTINGS_MODULE=shop.settings.dev \\
        .venv/bin/python benchmarks/cod_orders.py --orders 200
    .venv/bin/python benchmarks/cod_orders.py --orders 200 --workers 2   # 2 processes

``DATABASE_URL`` defaults to ``postgres://postgres@127.0.0.1:5432/chophien_bench``; the
database is created if it does not exist and migrated on every run (a no-op once done;
the first run takes a minute). The data it needs (four cooperatives named
"HTX Đo Tải …" with delivery rates, three products each with ample stock) is created
once and reused; every run adds its own baskets and orders, so run it against a
database kept for benchmarking, never a real one.

``--workers N`` forks N processes, each with its own database connection and its
share of the orders; they start placing together and the throughput is all their
orders over the wall-clock time from the first start to the last finish. On a
2-core machine (with PostgreSQL on the same machine) expect less than twice the
single-process rate. ``--no-notify`` leaves out the notification task, to see the cost
of placing the order alone.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/chophien_bench"
COOPERATIVES = 4
PRODUCTS_PER_COOPERATIVE = 3
AMPLE_STOCK = 10_000_000
SHIPPING_BANDS = [(1, 30000), (3, 40000), (5, 50000), (10, 70000)]


def configure_environment() -> None:
    """Settings for a benchmark run; must happen before Django is imported and set up."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.dev")
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in ``url`` if it does not exist yet."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        return
    params = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
            print(f"Created database {config['NAME']}.")


def setup_django() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def benchmark_data() -> list[list]:
    """The cooperatives' products, one list per cooperative; created on the first run."""
    from catalogue.models import Product
    from catalogue.services import product_create
    from cooperatives.models import Cooperative
    from cooperatives.services.onboarding import cooperative_onboard
    from cooperatives.services.shipping import shipping_rate_set

    catalogue = []
    for number in range(1, COOPERATIVES + 1):
        slug = f"htx-do-tai-{number}"
        cooperative = Cooperative.objects.filter(slug=slug).first()
        if cooperative is None:
            cooperative = cooperative_onboard(
                name=f"HTX Đo Tải {number}",
                slug=slug,
                province_code="19",
                commune_code="01906",
            )
        if not cooperative.shipping_methods.exists():
            shipping_rate_set(
                cooperative=cooperative,
                name=f"Giao hàng đo tải {number}",
                bands=SHIPPING_BANDS,
                free_above=Decimal("1000000"),
            )
        products = list(Product.objects.filter(cooperative=cooperative).order_by("pk"))
        for index in range(len(products), PRODUCTS_PER_COOPERATIVE):
            products.append(
                product_create(
                    cooperative=cooperative,
                    title=f"Hàng đo tải {number}.{index + 1}",
                    sku=f"bench-{number}-{index + 1}",
                    price=50000 + 10000 * index,
                    num_in_stock=AMPLE_STOCK,
                    net_weight_grams=400 + 300 * index,
                )
            )
        catalogue.append(products)
    return catalogue


def basket_for(catalogue: list[list], index: int):
    """A guest's basket: two lines of one cooperative and one of the next, 1–2 units each."""
    from oscar.apps.partner.strategy import Selector

    from basket.models import Basket

    first = catalogue[index % len(catalogue)]
    second = catalogue[(index + 1) % len(catalogue)]
    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()
    basket.add_product(first[index % len(first)], 1 + index % 2)
    basket.add_product(first[(index + 1) % len(first)], 1)
    basket.add_product(second[index % len(second)], 2)
    return basket


def place_orders(catalogue: list[list], count: int, offset: int, *, notify: bool, barrier=None):
    """Build ``count`` baskets, then place them one after another; timings and query counts."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from cooperatives.services.checkout import DeliveryAddress, order_place

    baskets = [basket_for(catalogue, offset + index) for index in range(count)]
    address = DeliveryAddress(
        full_name="Khách Đo Tải",
        phone="+84912345678",
        province_code="19",
        province_name="Thái Nguyên",
        commune_code="01906",
        commune_name="Xã Ba Bể",
        line1="Thôn Pác Ngòi",
    )
    queries, failures = [], 0
    with contextlib.ExitStack() as stack:
        # The console SMS/Zalo backends print every message and Celery logs every eager
        # task: neither is what is measured. Warnings and errors still show.
        stack.callback(logging.disable, logging.NOTSET)
        logging.disable(logging.INFO)
        stack.enter_context(contextlib.redirect_stdout(stack.enter_context(open(os.devnull, "w"))))
        if not notify:
            stack.enter_context(mock.patch("cooperatives.tasks.order_placed_notify_task"))
        if barrier is not None:
            barrier.wait()
        started = time.perf_counter()
        for basket in baskets:
            # The debug query log holds 9,000 queries; once full, CaptureQueriesContext
            # (which counts by position in it) would see none. Empty it for each order.
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                try:
                    order_place(
                        basket=basket,
                        user=None,
                        address=address,
                        shipping_choices={},
                        payment_method="cod",
                        guest_email="khach.do.tai@example.vn",
                    )
                except Exception as error:  # counted and shown: a benchmark must not hide them
                    failures += 1
                    print(f"order failed: {error!r}", file=sys.stderr)
            queries.append(len(captured))
        finished = time.perf_counter()
    return {
        "orders": count - failures,
        "failures": failures,
        "queries": queries,
        "started": started,
        "finished": finished,
    }


def _worker(catalogue, count, offset, notify, barrier, results) -> None:
    from django.db import connections

    try:
        results.put(place_orders(catalogue, count, offset, notify=notify, barrier=barrier))
    except BaseException as error:
        results.put({"error": repr(error)})
        raise
    finally:
        connections.close_all()


def run_parallel(catalogue: list[list], total: int, workers: int, *, notify: bool) -> list[dict]:
    """Fork ``workers`` processes sharing ``total`` orders; they start placing together.

    ``time.perf_counter`` is system-wide on Linux (CLOCK_MONOTONIC), so the children's
    start and finish times compare.
    """
    import multiprocessing

    from django.db import connections

    connections.close_all()  # each child opens its own connection
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(workers)
    results = context.Queue()
    shares = [total // workers + (1 if index < total % workers else 0) for index in range(workers)]
    processes = []
    for index, share in enumerate(shares):
        process = context.Process(
            target=_worker,
            args=(catalogue, share, sum(shares[:index]), notify, barrier, results),
        )
        process.start()
        processes.append(process)
    collected = [results.get() for _ in processes]
    for process in processes:
        process.join()
    errors = [result["error"] for result in collected if "error" in result]
    if errors:
        raise SystemExit(f"a worker failed: {errors}")
    return collected


def report(results: list[dict], *, workers: int, notify: bool) -> None:
    from django.conf import settings
    from django.db import connection

    orders = sum(result["orders"] for result in results)
    failures = sum(result["failures"] for result in results)
    queries = [count for result in results for count in result["queries"]]
    elapsed = max(r["finished"] for r in results) - min(r["started"] for r in results)
    print(f"database:           {connection.vendor} {settings.DATABASES['default']['NAME']}")
    print(f"eager Celery:       {settings.CELERY_TASK_ALWAYS_EAGER}; notify task: {notify}")
    print(f"workers:            {workers}")
    print(f"orders placed:      {orders} (failed: {failures}), 2 cooperatives and 3 lines each")
    print(f"wall time:          {elapsed:.2f} s")
    print(f"orders per second:  {orders / elapsed:.1f}")
    print(f"ms per order:       {1000 * elapsed * workers / max(orders, 1):.1f} (per worker)")
    print(f"queries per order:  mean {statistics.mean(queries):.1f}, max {max(queries)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--orders", type=int, default=200, help="orders to place (200)")
    parser.add_argument("--workers", type=int, default=1, help="processes in parallel (1)")
    parser.add_argument(
        "--no-notify", action="store_true", help="leave out the order-placed notification task"
    )
    args = parser.parse_args(argv)
    if args.orders < 1 or args.workers < 1:
        parser.error("--orders and --workers must be at least 1")

    configure_environment()
    ensure_database(os.environ["DATABASE_URL"])
    setup_django()
    from django.conf import settings

    if not settings.CELERY_TASK_ALWAYS_EAGER:  # a worker elsewhere would do the tasks' work
        parser.error("CELERY_TASK_ALWAYS_EAGER must be true for this benchmark")

    notify = not args.no_notify
    catalogue = benchmark_data()
    if args.workers == 1:
        results = [place_orders(catalogue, args.orders, 0, notify=notify)]
    else:
        results = run_parallel(catalogue, args.orders, args.workers, notify=notify)
    report(results, workers=args.workers, notify=notify)
    return 0 if all(result["failures"] == 0 for result in results) else 1


if __name__ == "__main__":
    sys.exit(main())
