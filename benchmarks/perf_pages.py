"""Quick server-side timing of the shopper's pages, in process, through the full middleware.

Times N requests per page through Django's test client (no network, no server
process) and prints the median and 95th percentile wall time, the median CPU time of
this process (steadier than wall time on a shared machine), and the SQL queries and
Redis round trips of one request. For comparing a change
before and after on one machine; the load harness (``make bench``) measures the
site as production serves it.

    export DJANGO_SECRET_KEY=x SECURE_SSL_REDIRECT=false REDIS_URL=redis://127.0.0.1:6379/8 \\
        DATABASE_URL=postgres://postgres@127.0.0.1:5432/chophien_perf
    DJANGO_SETTINGS_MODULE=benchmarks.perf_settings \\
        .venv/bin/python manage.py collectstatic --noinput -v0
    .venv/bin/python benchmarks/perf_pages.py -n 200                   # as the shop is now
    .venv/bin/python benchmarks/perf_pages.py -n 200 --no-page-cache   # every page rendered
    .venv/bin/python benchmarks/perf_pages.py -n 200 --before          # before issue 8's work

The basket page is timed holding ``--basket-lines`` lines of two cooperatives.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.perf_settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100, help="requests per page")
    parser.add_argument("--basket-lines", type=int, default=8)
    parser.add_argument("--only", default="", help="comma-separated page names")
    parser.add_argument(
        "--before",
        action="store_true",
        help="undo this issue's changes: oscar's basket lines and view counter, sorl's "
        "thumbnail store, no page cache (the header's basket stays a cookie)",
    )
    parser.add_argument("--no-page-cache", action="store_true", help="render every page")
    parser.add_argument("--print-urls", action="store_true", help="list the pages and stop")
    parser.add_argument(
        "--basket-cookie",
        action="store_true",
        help="make a basket of --basket-lines lines and print its Cookie header, for wrk",
    )
    args = parser.parse_args()

    import django

    django.setup()
    if args.before:
        undo_performance_work()
    if args.no_page_cache:
        from django.conf import settings

        settings.PAGE_CACHE_SECONDS = 0
    from django.test import Client
    from django.urls import reverse

    pages = page_urls()
    if args.print_urls:
        print("\n".join(pages.values()))
        return
    if args.basket_cookie:
        print(basket_cookie(args.basket_lines))
        return
    if args.only:
        pages = {name: url for name, url in pages.items() if name in args.only.split(",")}
    anonymous = Client(HTTP_HOST="127.0.0.1")
    print(f"{'page':<22}{'p50 ms':>8}{'p95 ms':>8}{'cpu ms':>8}{'queries':>9}{'redis':>7}  url")
    for name, url in pages.items():
        report(anonymous, name, url, args.n)

    shopper = Client(HTTP_HOST="127.0.0.1")
    for product in basket_products(args.basket_lines):
        shopper.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
    report(shopper, f"basket ({args.basket_lines} lines)", reverse("basket:summary"), args.n)


def undo_performance_work() -> None:
    """Put back what oscar does, to time the same data and code before and after."""
    from django.conf import settings
    from oscar.apps.basket.abstract_models import AbstractBasket
    from oscar.apps.catalogue.views import ProductDetailView as OscarProductDetailView
    from sorl.thumbnail import default
    from sorl.thumbnail.kvstores import cached_db_kvstore

    from basket.models import Basket
    from catalogue.views import ProductDetailView

    settings.PAGE_CACHE_SECONDS = 0
    default.kvstore._wrapped = cached_db_kvstore.KVStore()  # a Redis GET per thumbnail
    Basket.all_lines = AbstractBasket.all_lines
    ProductDetailView.send_signal = OscarProductDetailView.send_signal


def report(client, name: str, url: str, n: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # warm per-process caches
    assert response.status_code == 200, (url, response.status_code)
    redis_calls = _count_redis_calls()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    query_count = len(queries)  # read now: the next request empties the log
    redis_count = redis_calls.pop()
    walls, cpus = [], []
    for _ in range(n):
        wall, cpu = time.perf_counter(), time.process_time()
        client.get(url)
        cpus.append((time.process_time() - cpu) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
    walls.sort()
    p50 = statistics.median(walls)
    p95 = walls[int(len(walls) * 0.95) - 1]
    cpu = statistics.median(cpus)
    print(f"{name:<22}{p50:>8.1f}{p95:>8.1f}{cpu:>8.1f}{query_count:>9}{redis_count:>7}  {url}")


def _count_redis_calls():
    """Count Redis round trips (commands and pipelines) until ``.pop()`` is called."""
    import redis

    calls = [0]
    originals = (redis.Redis.execute_command, redis.client.Pipeline.execute)

    def command(self, *args, **kwargs):
        calls[0] += 1
        return originals[0](self, *args, **kwargs)

    def pipeline(self, *args, **kwargs):
        calls[0] += 1  # one round trip, however many commands
        return originals[1](self, *args, **kwargs)

    redis.Redis.execute_command = command
    redis.client.Pipeline.execute = pipeline

    class Counter:
        def pop(self):
            redis.Redis.execute_command, redis.client.Pipeline.execute = originals
            return calls[0]

    return Counter()


def page_urls() -> dict[str, str]:
    from catalogue.models import Category, Product
    from cooperatives.models import Cooperative
    from stories.models import StoryPage

    product = Product.objects.browsable().filter(is_public=True).order_by("pk").first()
    category = Category.objects.filter(is_public=True).order_by("path").first()
    cooperative = Cooperative.objects.filter(is_active=True).order_by("pk").first()
    story = StoryPage.objects.live().public().order_by("pk").first()
    return {
        "health": "/health/",
        "home": "/",
        "catalogue": "/shop/catalogue/",
        "category": category.get_absolute_url(),
        "product": product.get_absolute_url(),
        "cooperative": cooperative.get_absolute_url(),
        "story": story.url,
    }


def basket_cookie(lines: int) -> str:
    """A new anonymous basket's cookie, as oscar's middleware signs it."""
    from django.conf import settings
    from django.core.signing import Signer
    from oscar.apps.partner.strategy import Selector

    from basket.models import Basket

    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()
    for product in basket_products(lines):
        basket.add_product(product, 1)
    return f"{settings.OSCAR_BASKET_COOKIE_OPEN}={Signer().sign(basket.pk)}"


def basket_products(count: int):
    from catalogue.models import Product

    products = list(
        Product.objects.browsable()
        .filter(is_public=True, cooperative__is_active=True, stockrecords__num_in_stock__gt=5)
        .order_by("cooperative_id", "pk")
    )
    by_cooperative: dict[int, list] = {}
    for product in products:
        by_cooperative.setdefault(product.cooperative_id, []).append(product)
    first, second = list(by_cooperative.values())[:2]
    return (first[: (count + 1) // 2] + second[: count // 2])[:count]


if __name__ == "__main__":
    main()
