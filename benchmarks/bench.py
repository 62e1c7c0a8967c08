"""Chợ Phiên's benchmark: throughput, latency, queries, page weight and memory.

See benchmarks/README.md. Modes:

``data``     build the data set from scratch in its own PostgreSQL database
``load``     serve it as production does and drive every page with wrk; checkouts end to end
``queries``  queries per page at two data sizes, side by side
``weight``   bytes on the wire of a phone's first load, and Lighthouse (needs ``load``'s server)
``all``      data if missing, then load, weight and memory in one run

It prints numbers beside the issue's targets and writes them to benchmarks/results/.
It asserts nothing: speed is measured here, query counts are pinned by tests.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import html
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "benchmarks"
VAR = HERE / "var"  # media, collected static files, logs: rebuilt at will, not committed
RESULTS = HERE / "results"
PYTHON = str(ROOT / ".venv" / "bin" / "python")
BIN = ROOT / ".venv" / "bin"
CHROMIUM = "/usr/bin/chromium"

REDIS_CACHE = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
REDIS_BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/11")
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
MANAGER_COOPERATIVE = "htx-ba-be-xanh"  # a demo cooperative: present at every scale
SHOPPER_EMAIL = "khach@example.vn"
SEARCH_WORDS = ["mien dong", "mat ong rung", "che shan tuyet", "gao nep", "mang kho"]
SAMPLE = 50  # distinct products (categories, stories…) a load run spreads over

# The targets. ratio: throughput as a share of the health view's.
ANONYMOUS = {"ratio": 0.5, "p99_ms": 50}
SIGNED_IN = {"ratio": 0.25}
CHECKOUTS_PER_SECOND = 20
QUERIES_PER_ORDER = 60
PAGE_BYTES = 200 * 1024
LIGHTHOUSE_MIN = 95
WORKER_RSS_MB = 250


def database_name(scale: int) -> str:
    return "chophien_bench" if scale == 1 else f"chophien_bench{scale}"


def django_env(scale: int, settings: str = "benchmarks.settings") -> dict[str, str]:
    """The environment of every process serving or building one scale's data."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE=settings,
        DATABASE_URL=f"{POSTGRES}/{database_name(scale)}",
        REDIS_URL=REDIS_CACHE,
        CELERY_BROKER_URL=REDIS_BROKER,
        DJANGO_SECRET_KEY="benchmark-only-key-never-used-in-production",  # noqa: S106
        ALLOWED_HOSTS="127.0.0.1,localhost",
        # Plain HTTP on 127.0.0.1 (production.py's switch): no TLS to redirect to, and
        # cookies a client sends back over http://. No HSTS header for a loopback run.
        PLAIN_HTTP_ON_LOOPBACK="true",
        # Served as behind production's proxy: the client's address is the last one in
        # X-Forwarded-For, which the load generators set per request, so that the rate
        # limits see many shoppers, not one machine (wrk/requests.lua, one_checkout).
        TRUSTED_PROXY_COUNT="1",
        SECURE_HSTS_SECONDS="0",
        SERVE_MEDIA="true",  # product photos count in page weight
        STATIC_ROOT=str(VAR / "static"),
        MEDIA_ROOT=str(VAR / "media"),
        PRIVATE_MEDIA_ROOT=str(VAR / "private-media"),
        # Order messages are rendered and recorded, but nothing leaves the machine.
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def run(command: list[str], *, env: dict | None = None, quiet: bool = False) -> None:
    output = subprocess.DEVNULL if quiet else None
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=output)  # noqa: S603


def psql(sql: str, database: str = "postgres") -> str:
    result = subprocess.run(  # noqa: S603
        ["psql", f"{POSTGRES}/{database}", "-Atc", sql],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def data_ready(scale: int) -> bool:
    name = database_name(scale)
    # Database names are made from an int (database_name), never from input.
    if psql(f"SELECT count(*) FROM pg_database WHERE datname = '{name}'") != "1":  # noqa: S608
        return False
    try:
        orders = int(psql("SELECT count(*) FROM order_order", name) or 0)
        # A data set built before it held abandoned baskets (bench_data.ABANDONED_BASKETS)
        # is rebuilt.
        baskets = int(psql("SELECT count(*) FROM basket_basket WHERE owner_id IS NULL", name) or 0)
        return orders > 0 and baskets >= 5_000 * scale
    except subprocess.CalledProcessError:
        return False


def flush_redis(*urls: str) -> None:
    import redis

    for url in urls:
        redis.Redis.from_url(url).flushdb()


# --- data ---------------------------------------------------------------------------------


def migrations_fingerprint() -> str:
    import hashlib

    digest = hashlib.sha256()
    files = sorted(ROOT.glob("*/migrations/*.py")) + sorted(ROOT.glob("requirements/*.txt"))
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def build_data(scale: int) -> float:
    """Drop and rebuild the scale's database: migrations, the demo store, then bench_data."""
    name = database_name(scale)
    started = time.perf_counter()
    psql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'")  # noqa: S608
    psql(f'DROP DATABASE IF EXISTS "{name}"')
    psql(f'CREATE DATABASE "{name}"')
    # Built with eager Celery (dev settings): the orders' templates are placed for real and
    # their notification tasks run in-process, with no worker needed yet.
    env = django_env(scale, settings="shop.settings.dev")
    env["CELERY_TASK_ALWAYS_EAGER"] = "true"
    # Migrating from nothing takes minutes; the migrated schema is kept as a dump, named
    # after every migration and requirement file, and restored in seconds next time.
    schema = VAR / f"migrated-{migrations_fingerprint()}.dump"
    if schema.exists():
        print(f"Building data ×{scale} in {name}: restoring the migrated schema…", flush=True)
        subprocess.run(  # noqa: S603
            ["pg_restore", "--no-owner", "-d", f"{POSTGRES}/{name}", str(schema)],  # noqa: S607
            check=True,
        )
    else:
        print(f"Building data ×{scale} in {name}: migrating…", flush=True)
        run([PYTHON, "manage.py", "migrate", "--no-input", "-v0"], env=env)
        VAR.mkdir(parents=True, exist_ok=True)
        for old in VAR.glob("migrated-*.dump"):
            old.unlink()
        subprocess.run(  # noqa: S603
            ["pg_dump", "-Fc", "-f", str(schema), f"{POSTGRES}/{name}"],  # noqa: S607
            check=True,
        )
    print(f"  schema ready in {time.perf_counter() - started:.0f} s", flush=True)
    run([PYTHON, "manage.py", "bench_data", "--scale", str(scale)], env=env)
    flush_redis(REDIS_CACHE)
    elapsed = time.perf_counter() - started
    print(f"Data ×{scale} built in {elapsed:.0f} s.", flush=True)
    return elapsed


# --- the server ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn (2 sync workers) and one Celery worker over one scale's data, as in production."""

    def __init__(self, scale: int, workers: int = 2):
        self.scale, self.workers = scale, workers
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.processes: dict[str, subprocess.Popen] = {}

    def __enter__(self) -> Server:
        env = django_env(self.scale)
        VAR.mkdir(parents=True, exist_ok=True)
        run([PYTHON, "manage.py", "collectstatic", "--no-input", "-v0"], env=env)
        flush_redis(REDIS_CACHE, REDIS_BROKER)
        logs = {name: open(VAR / f"{name}.log", "w") for name in ("gunicorn", "celery")}  # noqa: SIM115
        gunicorn = [str(BIN / "gunicorn"), "shop.wsgi:application", f"--workers={self.workers}"]
        gunicorn += [f"--bind=127.0.0.1:{self.port}", "--timeout=60", "--log-level=warning"]
        celery = [str(BIN / "celery"), "-A", "shop", "worker", "--concurrency=1", "-l", "warning"]
        for name, command in (("gunicorn", gunicorn), ("celery", celery)):
            self.processes[name] = subprocess.Popen(  # noqa: S603
                command, cwd=ROOT, env=env, stdout=logs[name], stderr=subprocess.STDOUT
            )
        try:
            self.wait_ready()
        except BaseException:
            self.__exit__()
            raise
        return self

    def wait_ready(self, timeout: float = 120) -> None:
        import requests

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.processes["gunicorn"].poll() is not None:
                raise SystemExit(f"gunicorn exited; see {VAR / 'gunicorn.log'}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.base_url}/bench/ping/", timeout=30).status_code == 200:
                    return
            time.sleep(0.5)
        raise SystemExit(f"gunicorn did not answer in {timeout:.0f} s; see {VAR / 'gunicorn.log'}")

    def drain(self, timeout: float = 120) -> None:
        """Wait for the requests wrk left in flight when it stopped: gunicorn still serves
        them, and the next row must not start behind them."""
        import requests

        deadline = time.monotonic() + timeout
        quick = 0
        while quick < 3 and time.monotonic() < deadline:
            started = time.perf_counter()
            with contextlib.suppress(requests.RequestException):
                requests.get(f"{self.base_url}/bench/ping/", timeout=timeout)
            quick = quick + 1 if time.perf_counter() - started < 0.1 else 0

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each gunicorn worker (the master's children), in MB."""
        master = self.processes["gunicorn"].pid
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        sizes = []
        for pid in children:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
        return sizes

    def __exit__(self, *exc) -> None:
        for process in self.processes.values():
            process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


# --- what is measured ---------------------------------------------------------------------


@dataclass
class Scenario:
    """One row of the table: requests wrk cycles through, what each must answer, the target."""

    name: str
    requests: list[tuple[str, str, str, str]]  # method, path, Cookie header, form body
    expect: int = 200
    target: dict = field(default_factory=dict)


def csrf_token() -> str:
    """A CSRF secret as Django makes one (32 letters and digits): a client that already
    holds the cookie sends it back as the form's token too."""
    alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(32))


def setup_django(scale: int, **overrides: str) -> None:
    env = django_env(scale)
    env.update(overrides)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def sample_urls(scale: int) -> dict:
    """URLs and users of the data set (Django is set up on the scale's database)."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse
    from wagtail.models import Page

    from catalogue.models import Category, Product
    from cooperatives.models import Cooperative
    from stories.models import StoryPage

    chooser = random.Random(scale)  # noqa: S311  (the same sample every run, not a secret)
    products = list(
        Product.objects.filter(is_public=True, title__contains="Đo tải")
        .select_related("cooperative")
        .order_by("pk")
    )
    chosen = chooser.sample(products, min(SAMPLE, len(products)))
    cooperative = Cooperative.objects.get(slug=MANAGER_COOPERATIVE)
    home = Page.objects.get(depth=2)
    return {
        "home": home.get_url(),
        "products": [product.get_absolute_url() for product in chosen],
        "product_ids": [product.pk for product in chosen],
        # Checkouts buy from two cooperatives without a minimum order (a demo one has one).
        "product_pairs": [
            (a.pk, b.pk)
            for a, b in zip(chosen[::2], chosen[1::2], strict=False)
            if a.cooperative_id != b.cooperative_id
            and not a.cooperative.min_order_value
            and not b.cooperative.min_order_value
        ],
        "categories": [c.get_absolute_url() for c in Category.objects.order_by("path")[:SAMPLE]],
        "cooperatives": [c.get_absolute_url() for c in Cooperative.objects.order_by("pk")[:SAMPLE]],
        "stories": [s.get_url() for s in StoryPage.objects.live().order_by("pk")[:SAMPLE]],
        "search": [
            f"{reverse('site-search')}?q={words.replace(' ', '+')}" for words in SEARCH_WORDS
        ],
        "inbox": reverse("manager:orders", kwargs={"cooperative_slug": cooperative.slug}),
        "manager": cooperative.partner.users.order_by("pk").first(),
        "shopper": get_user_model().objects.get(email=SHOPPER_EMAIL),
        "basket": reverse("basket:summary"),
        "checkout": reverse("checkout:index"),
        "preview": reverse("checkout:preview"),
        "add": lambda pk: reverse("basket:add", kwargs={"pk": pk}),
    }


def session_cookie(user) -> str:
    """A signed-in session of ``user``, as the login page would leave it."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def static_path() -> str:
    """The hashed URL of the site's own stylesheet, as the pages link it.

    Read from the manifest just collected: the storage in this process may have loaded
    its manifest before collectstatic wrote it.
    """
    from django.conf import settings

    manifest = json.loads((Path(settings.STATIC_ROOT) / "staticfiles.json").read_text())["paths"]
    own = [name for name in manifest if name.startswith("css/") and name.endswith(".css")]
    name = "css/chophien.css" if "css/chophien.css" in manifest else sorted(own or manifest)[0]
    return settings.STATIC_URL + manifest[name]


def basket_cookies(base_url: str, urls: dict, count: int, cookie: str = "") -> list[str]:
    """``count`` shoppers' Cookie headers, each with a basket of two products."""
    import requests
    from django.conf import settings

    headers = []
    for number in range(count):
        token = csrf_token()
        jar = f"{settings.CSRF_COOKIE_NAME}={token}" + (f"; {cookie}" if cookie else "")
        session = requests.Session()
        for pk in urls["product_ids"][number * 2 : number * 2 + 2]:
            response = session.post(
                base_url + urls["add"](pk),
                data={"csrfmiddlewaretoken": token, "quantity": 1},
                headers={"Cookie": jar},
                allow_redirects=False,
            )
            if response.status_code != 302:
                raise SystemExit(f"adding to a basket answered {response.status_code}")
            basket = response.cookies.get(settings.OSCAR_BASKET_COOKIE_OPEN)
            if basket and settings.OSCAR_BASKET_COOKIE_OPEN not in jar:
                jar += f"; {settings.OSCAR_BASKET_COOKIE_OPEN}={basket}"
        headers.append((jar, token))
    return headers


def scenarios(base_url: str, urls: dict) -> list[Scenario]:
    def gets(paths, cookie=""):
        return [("GET", path, cookie, "") for path in paths]

    shoppers = basket_cookies(base_url, urls, 16)
    signed_in, _token = basket_cookies(base_url, urls, 1, session_cookie(urls["shopper"]))[0]
    manager = session_cookie(urls["manager"])
    adds = []
    for number, pk in enumerate(urls["product_ids"][:64]):
        jar, token = shoppers[number % len(shoppers)]
        adds.append(("POST", urls["add"](pk), jar, f"csrfmiddlewaretoken={token}&quantity=1"))
    return [
        Scenario("health (ping, full middleware)", gets(["/bench/ping/"])),
        Scenario("static file (Whitenoise)", gets([static_path()])),
        Scenario("home", gets([urls["home"]]), target=ANONYMOUS),
        Scenario("category list", gets(urls["categories"]), target=ANONYMOUS),
        Scenario("search without accents", gets(urls["search"])),
        Scenario("product page", gets(urls["products"]), target=ANONYMOUS),
        Scenario("cooperative page", gets(urls["cooperatives"]), target=ANONYMOUS),
        Scenario("story page with product cards", gets(urls["stories"]), target=ANONYMOUS),
        Scenario("home, signed in with basket", gets([urls["home"]], signed_in), target=SIGNED_IN),
        Scenario(
            "product, signed in with basket", gets(urls["products"], signed_in), target=SIGNED_IN
        ),
        Scenario("add to basket", adds, expect=302, target=SIGNED_IN),
        Scenario(
            "basket", [("GET", urls["basket"], jar, "") for jar, _ in shoppers], target=SIGNED_IN
        ),
        Scenario("manager inbox (signed in)", gets([urls["inbox"]], manager)),
    ]


def check(base_url: str, scenario: Scenario) -> int:
    """Every distinct request answers as expected before it is timed; returns the mean size.

    This is also the warm-up: every page is asked once, so what is timed is a shop whose
    caches (thumbnails, templates, cached pages if any) hold what shoppers keep asking for.
    Only a few "add to basket" POSTs are sent, to keep the baskets small.
    """
    from concurrent.futures import ThreadPoolExecutor

    import requests

    distinct = list(dict.fromkeys(scenario.requests))
    if scenario.expect != 200:
        distinct = distinct[:4]

    def ask(row) -> int:
        method, path, cookie, body = row
        headers = {"Cookie": cookie} if cookie else {}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        response = requests.request(
            method,
            base_url + path,
            headers=headers,
            data=body or None,
            allow_redirects=False,
            timeout=120,
        )
        if response.status_code != scenario.expect:
            raise SystemExit(
                f"{scenario.name}: {method} {path} answered {response.status_code}, "
                f"expected {scenario.expect} ({response.headers.get('Location', '')})"
            )
        return len(response.content)

    with ThreadPoolExecutor(max_workers=4) as pool:
        sizes = list(pool.map(ask, distinct))
    return round(statistics.mean(sizes))


def run_wrk(base_url: str, scenario: Scenario, seconds: int, connections: int) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        requests_file, result_file = Path(scratch, "requests.tsv"), Path(scratch, "result.json")
        requests_file.write_text("".join("\t".join(row) + "\n" for row in scenario.requests))
        env = dict(os.environ, BENCH_REQUESTS=str(requests_file), BENCH_RESULT=str(result_file))
        subprocess.run(  # noqa: S603
            [
                shutil.which("wrk") or "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{seconds}s",
                "--timeout=30s",
                "-s",
                str(HERE / "wrk" / "requests.lua"),
                base_url,
            ],
            env=env,
            check=True,
            capture_output=True,
        )
        raw = json.loads(result_file.read_text())
    seconds_run = raw["duration_us"] / 1e6
    errors = raw["errors"]
    return {
        "requests": raw["requests"],
        "rps": raw["requests"] / seconds_run,
        "p50_ms": raw["latency_us"]["p50"] / 1000,
        "p90_ms": raw["latency_us"]["p90"] / 1000,
        "p99_ms": raw["latency_us"]["p99"] / 1000,
        "errors": errors["status"] + errors["timeout"] + errors["connect"] + errors["read"],
        "non_2xx_3xx": errors["status"],
    }


INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'([\w-]+)(?:="([^"]*)")?')


def form_inputs(page: str) -> dict[str, str]:
    """The named inputs of a page: hidden fields and the checked (or first) radio of a group.

    Regular expressions, not an HTML parser: the shop's own templates are read, and the
    driver shares the 2 cores with the site it measures.
    """
    values: dict[str, str] = {}
    for tag in INPUT.finditer(page):
        attrs = {name: html.unescape(value or "") for name, value in ATTRIBUTE.findall(tag[0][6:])}
        name = attrs.get("name")
        if not name:
            continue
        if attrs.get("type") == "radio" and name in values and "checked" not in attrs:
            continue
        values[name] = attrs.get("value", "")
    return values


class Shopper:
    """One phone's browser as far as a checkout needs: cookies, forms, redirects not followed.

    ``http.client`` rather than ``requests``: the driver runs on the 2 cores it measures,
    and ``requests`` took about 1 ms of them per request.
    """

    def __init__(self, base_url: str, address: str):
        parts = urllib.parse.urlsplit(base_url)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        self.address = address
        self.cookies: dict[str, str] = {}

    def ask(self, method: str, path: str, data: dict | None = None):
        # Compressed, as a phone's browser asks (the site's gzip is part of what it costs).
        headers = {"X-Forwarded-For": self.address, "Accept-Encoding": "gzip"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body, headers)
            response = self.connection.getresponse()
        except (http.client.HTTPException, OSError):
            # gunicorn's sync workers close each connection after answering; a request sent
            # as it closed is sent again on a new one (only before any answer came).
            self.connection.close()
            self.connection.request(method, path, body, headers)
            response = self.connection.getresponse()
        content = response.read()
        if response.getheader("Content-Encoding") == "gzip":
            content = gzip.decompress(content)
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
        for cookie in response.msg.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        return response.status, response.getheader("Location", ""), content.decode()

    def close(self) -> None:
        self.connection.close()


# What a guest types into the delivery form; the delivery choices come from the form.
GUEST_DELIVERY = {
    "full_name": "Hoàng Thị Lan",
    "phone": "0912 345 678",
    "email": "",
    "province_code": "19",
    "commune_code": "01906",
    "line1": "Thôn Pác Ngòi",
    "notes": "",
    "payment_method": "cod",
}


def shopper_address(number: int) -> str:
    """One of 16 million private addresses, standing for one shopper's phone."""
    return f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"


def one_checkout(base_url: str, urls: dict, pair: tuple[int, int]) -> None:
    """A guest's cash-on-delivery order: two products of two cooperatives into the basket,
    the delivery form, the review page, and "place order"."""
    from django.conf import settings

    # Each guest from an address of their own, as shoppers are: the checkout's rate limits
    # (shop/security.py) count per address and would refuse one machine's 16 threads.
    shopper = Shopper(base_url, shopper_address(random.getrandbits(24)))
    token = csrf_token()
    shopper.cookies[settings.CSRF_COOKIE_NAME] = token

    def expect(answer, status, step):
        if answer[0] != status:
            raise RuntimeError(f"{step}: {answer[0]}")
        return answer

    try:
        for pk in pair:
            expect(
                shopper.ask("POST", urls["add"](pk), {"csrfmiddlewaretoken": token, "quantity": 1}),
                302,
                "add",
            )
        form = form_inputs(expect(shopper.ask("GET", urls["checkout"]), 200, "delivery form")[2])
        data = {name: value for name, value in form.items() if name.startswith("shipping_")}
        data.update(GUEST_DELIVERY, csrfmiddlewaretoken=token)
        expect(shopper.ask("POST", urls["checkout"], data), 302, "delivery")
        review = form_inputs(expect(shopper.ask("GET", urls["preview"]), 200, "review")[2])
        # The review form's hidden fields: the basket and the total the shopper was shown.
        placed = shopper.ask("POST", urls["preview"], {**review, "csrfmiddlewaretoken": token})
        expect(placed, 302, "place")
        if "/don-hang/" not in placed[1]:
            raise RuntimeError(f"place: sent to {placed[1]}")
    finally:
        shopper.close()


def run_checkouts(base_url: str, urls: dict, seconds: int, shoppers: int) -> dict:
    """``shoppers`` threads, each checking out one guest after another for ``seconds``."""
    pairs = urls["product_pairs"]
    deadline = time.monotonic() + seconds
    durations, failures, lock = [], [], threading.Lock()

    def shopper(number: int) -> None:
        count = number
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                one_checkout(base_url, urls, pairs[count % len(pairs)])
            except Exception as error:  # counted and shown: a benchmark must not hide them
                with lock:
                    failures.append(repr(error))
            else:
                with lock:
                    durations.append(time.perf_counter() - started)
            count += shoppers

    started = time.perf_counter()
    driver_cpu = time.process_time()  # this process's own: the shoppers' threads, not the site
    threads = [threading.Thread(target=shopper, args=(n,)) for n in range(shoppers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    driver_cpu = time.process_time() - driver_cpu
    durations.sort()
    percentile = lambda p: durations[min(len(durations) - 1, int(p * len(durations)))] * 1000  # noqa: E731
    return {
        "checkouts": len(durations),
        "per_second": len(durations) / elapsed,
        "p50_ms": percentile(0.5) if durations else None,
        "p99_ms": percentile(0.99) if durations else None,
        "failures": len(failures),
        "first_failures": sorted(set(failures))[:3],
        # The driver shares the 2 cores with the site: how much of them it took.
        "driver_cores": driver_cpu / elapsed,
    }


def load(
    scale: int, seconds: int, connections: int, *, weight: bool, only: list[str] | None = None
) -> dict:
    """``only``: the scenarios whose names contain one of these words (with the health
    view always, for the ratio), and no checkouts unless "checkout" is one of them."""
    setup_django(scale)
    # Earlier runs added thousands of orders and baskets. A production database's
    # autovacuum would have refreshed the planner's statistics since; this machine's
    # PostgreSQL may run without it, and plans from stale statistics are not the shop's.
    psql("ANALYZE", database_name(scale))
    results: dict = {"scale": scale, "seconds": seconds, "connections": connections, "pages": []}
    with Server(scale) as server:
        urls = sample_urls(scale)
        print(f"Serving ×{scale} data at {server.base_url}: gunicorn 2 workers, Celery 1 worker")
        for scenario in scenarios(server.base_url, urls):
            if (
                only
                and not scenario.name.startswith("health")
                and not any(word in scenario.name for word in only)
            ):
                continue
            size = check(server.base_url, scenario)
            measured = run_wrk(server.base_url, scenario, seconds, connections)
            server.drain()
            measured.update(name=scenario.name, bytes=size, target=scenario.target)
            results["pages"].append(measured)
            print(
                f"  {scenario.name:<34} {measured['rps']:8.1f} req/s  "
                f"p50 {measured['p50_ms']:7.1f} ms  p99 {measured['p99_ms']:7.1f} ms",
                flush=True,
            )
        if not only or "checkout" in only:
            results["checkouts"] = run_checkouts(server.base_url, urls, seconds, connections)
            server.drain()
            print(f"  COD checkouts: {results['checkouts']}", flush=True)
        results["worker_rss_mb"] = server.worker_rss_mb()
        if weight:
            results["weight"] = page_weight(server.base_url, urls)
            results["lighthouse"] = lighthouse(server.base_url, urls)
    return results


# --- queries per page ---------------------------------------------------------------------


def count_queries(scale: int) -> dict:
    """Queries of each page and of one whole checkout, through Django's test client on the
    scale's database with production settings; each page is asked once before it is
    counted, so warm caches are what is counted, as in a running shop."""
    setup_django(scale, CELERY_BROKER_URL="memory://")
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    flush_redis(REDIS_CACHE)
    urls = sample_urls(scale)

    # The same objects at every scale: the demo's own product, category, story and cooperative.
    from catalogue.models import Category, Product
    from cooperatives.models import Cooperative
    from stories.models import StoryPage

    demo_products = []  # the first of each demo cooperative's products
    for product in Product.objects.exclude(title__contains="Đo tải").order_by("pk"):
        if all(product.cooperative_id != other.cooperative_id for other in demo_products):
            demo_products.append(product)
    pages = {
        "health (ping, full middleware)": "/bench/ping/",
        "home": urls["home"],
        "category list": Category.objects.order_by("path").first().get_absolute_url(),
        "search without accents": urls["search"][0],
        "product page": demo_products[0].get_absolute_url(),
        "cooperative page": Cooperative.objects.get(slug=MANAGER_COOPERATIVE).get_absolute_url(),
        "story page with product cards": StoryPage.objects.live().order_by("pk").first().get_url(),
    }
    counts: dict[str, int] = {}

    def counted(client, method, path, data=None, expect=200):
        # Warm: a page asked twice, as the first may show a message (not kept) or be kept.
        for _ in range(2 if method == "get" else 1):
            getattr(client, method)(path, data or {})
        with CaptureQueriesContext(connection) as captured:
            response = getattr(client, method)(path, data or {})
        if response.status_code != expect:
            raise SystemExit(f"{method} {path} answered {response.status_code}")
        return len(captured)

    anonymous = Client(HTTP_HOST="127.0.0.1")
    shopper = Client(HTTP_HOST="127.0.0.1")
    shopper.force_login(urls["shopper"])
    shopper.post(urls["add"](demo_products[1].pk), {"quantity": 1})
    signed_in = {
        "home, signed in with basket": urls["home"],
        "product, signed in with basket": pages["product page"],
    }
    # Served from the page cache, then rendered (the cache off): what a page costs when a
    # change has just thrown it away, the figure that must not grow with the data.
    from django.conf import settings

    kept_for = settings.PAGE_CACHE_SECONDS
    for suffix, seconds in (("", kept_for), (", rendered", 0)):
        settings.PAGE_CACHE_SECONDS = seconds
        for name, path in pages.items():
            counts[name + suffix] = counted(anonymous, "get", path)
        for name, path in signed_in.items():
            counts[name + suffix] = counted(shopper, "get", path)
    settings.PAGE_CACHE_SECONDS = kept_for
    guest = Client(HTTP_HOST="127.0.0.1")
    counts["add to basket"] = counted(
        guest, "post", urls["add"](demo_products[2].pk), {"quantity": 1}, expect=302
    )
    counts["basket"] = counted(guest, "get", urls["basket"])
    settings.PAGE_CACHE_SECONDS = 0  # a guest's basket page is kept under their basket
    counts["basket, rendered"] = counted(guest, "get", urls["basket"])
    settings.PAGE_CACHE_SECONDS = kept_for
    manager = Client(HTTP_HOST="127.0.0.1")
    manager.force_login(urls["manager"])
    counts["manager inbox (signed in)"] = counted(manager, "get", urls["inbox"])
    counts.update(checkout_queries(urls, demo_products))
    return counts


def checkout_queries(urls: dict, products) -> dict[str, int]:
    """Queries of each step of a guest's COD checkout (not warmed: each step runs once)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cooperatives.models import Cooperative

    first, second = products[:2]  # two cooperatives: two parts, as most orders have
    client = Client(HTTP_HOST="127.0.0.1")
    steps: dict[str, int] = {}

    def step(name, method, path, data=None, expect=200):
        with CaptureQueriesContext(connection) as captured:
            response = getattr(client, method)(path, data or {})
        if response.status_code != expect:
            raise SystemExit(f"checkout {name}: {response.status_code}")
        steps[name] = len(captured)
        return response

    step("checkout: add 1st product", "post", urls["add"](first.pk), {"quantity": 1}, 302)
    step("checkout: add 2nd product", "post", urls["add"](second.pk), {"quantity": 1}, 302)
    form = form_inputs(step("checkout: delivery form", "get", urls["checkout"]).content.decode())
    data = {name: value for name, value in form.items() if name.startswith("shipping_")}
    if not data:  # the form left the choice open: the first method of each cooperative
        for cooperative in Cooperative.objects.filter(
            pk__in=[first.cooperative_id, second.cooperative_id]
        ):
            data[f"shipping_{cooperative.pk}"] = cooperative.shipping_methods.first().code
    data.update(GUEST_DELIVERY)
    step("checkout: delivery sent", "post", urls["checkout"], data, 302)
    review = form_inputs(step("checkout: review", "get", urls["preview"]).content.decode())
    placed = step("checkout: place order", "post", urls["preview"], review, 302)
    if "/don-hang/" not in placed["Location"]:
        raise SystemExit(f"checkout: place order sent to {placed['Location']}")
    steps["checkout: whole order"] = sum(steps.values())
    return steps


def queries(scales: list[int]) -> dict:
    """Each scale counted in its own process (one database per Django process)."""
    by_scale = {}
    for scale in scales:
        if not data_ready(scale):
            build_data(scale)
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            run([PYTHON, str(Path(__file__)), "_count", "--scale", str(scale), "--out", out.name])
            by_scale[scale] = json.loads(Path(out.name).read_text())
    return by_scale


# --- page weight and Lighthouse -----------------------------------------------------------

KINDS = {
    "document": "html",
    "stylesheet": "css",
    "script": "js",
    "font": "fonts",
    "image": "images",
}


def page_weight(base_url: str, urls: dict) -> dict:
    """Bytes on the wire (headers and encoded bodies) of a first load with an empty cache on a
    360 px phone, by kind; requests leaving 127.0.0.1 are counted and refused (offline)."""
    from django.conf import settings
    from playwright.sync_api import sync_playwright

    pages = {
        "home": urls["home"],
        "category": urls["categories"][0],
        "product": urls["products"][0],
        "checkout": urls["checkout"],
    }
    report = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        for name, path in pages.items():
            context = browser.new_context(
                viewport={"width": 360, "height": 740},
                device_scale_factor=2,
                is_mobile=True,
                has_touch=True,
                locale="vi-VN",
            )
            third_party: list[str] = []

            def refuse(route, third_party=third_party):
                third_party.append(route.request.url)
                route.abort()

            context.route(lambda url: not url.startswith(base_url), refuse)
            if name == "checkout":  # a shopper reaches checkout with a basket
                token = csrf_token()
                context.add_cookies(
                    [{"name": settings.CSRF_COOKIE_NAME, "value": token, "url": base_url}]
                )
                context.request.post(
                    base_url + urls["add"](urls["product_ids"][0]),
                    form={"csrfmiddlewaretoken": token, "quantity": "1"},
                    max_redirects=0,
                )
            page = context.new_page()
            finished = []
            page.on("requestfinished", lambda request, finished=finished: finished.append(request))
            response = page.goto(base_url + path, wait_until="networkidle")
            sizes = {kind: 0 for kind in (*KINDS.values(), "other")}
            for request in finished:
                measured = request.sizes()
                kind = KINDS.get(request.resource_type, "other")
                sizes[kind] += measured["responseBodySize"] + measured["responseHeadersSize"]
            report[name] = {
                "status": response.status if response else None,
                "requests": len(finished),
                "bytes": sizes,
                "total": sum(sizes.values()),
                "third_party": third_party,
            }
            context.close()
        browser.close()
    return report


def lighthouse_page(base_url: str, path: str, out: Path, attempts: int = 3) -> dict:
    """One Lighthouse mobile run (its default: simulated slow 4G, a mid-range phone).

    Lighthouse now and then fails to record its trace ("NO_NAVSTART") on a busy
    machine; it is run again, up to ``attempts`` times, before the failure is reported.
    """
    for attempt in range(1, attempts + 1):
        finished = subprocess.run(  # noqa: S603
            [
                str(HERE / "node_modules" / ".bin" / "lighthouse"),
                base_url + path,
                "--chrome-flags=--headless --no-sandbox --disable-gpu",
                "--only-categories=performance,accessibility",
                "--form-factor=mobile",
                "--output=json",
                f"--output-path={out}",
                "--quiet",
            ],
            cwd=HERE,
            env=dict(os.environ, CHROME_PATH=CHROMIUM),
            check=attempt == attempts,
        )
        if finished.returncode == 0:
            break
        print(f"  Lighthouse failed on {path} (attempt {attempt} of {attempts}); again.")
    report = json.loads(out.read_text())
    audits = report["audits"]
    return {
        "performance": round(100 * (report["categories"]["performance"]["score"] or 0)),
        "accessibility": round(100 * (report["categories"]["accessibility"]["score"] or 0)),
        "fcp_ms": round(audits["first-contentful-paint"]["numericValue"]),
        "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
        "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
        "cls": round(audits["cumulative-layout-shift"]["numericValue"], 3),
        "failed_accessibility": [
            ref["id"]
            for ref in report["categories"]["accessibility"]["auditRefs"]
            if ref["weight"] and audits[ref["id"]]["score"] not in (None, 1)
        ],
        "failed": [
            ref["id"]
            for category in report["categories"].values()
            for ref in category["auditRefs"]
            if ref["weight"] and audits[ref["id"]]["score"] not in (None, 1)
        ],
    }


def lighthouse(base_url: str, urls: dict) -> dict:
    """Lighthouse mobile on home and product."""
    if not (HERE / "node_modules" / ".bin" / "lighthouse").exists():
        print("  Lighthouse is not installed: run `npm ci` in benchmarks/ (see README).")
        return {}
    return {
        name: lighthouse_page(base_url, path, VAR / f"lighthouse-{name}.json")
        for name, path in (("home", urls["home"]), ("product", urls["products"][0]))
    }


# --- report -------------------------------------------------------------------------------


def verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("ok" if ok else "MISS")


def print_load(results: dict) -> None:
    pages = results["pages"]
    health = pages[0]["rps"]
    print()
    print(
        f"Load ×{results['scale']}: {results['connections']} connections, "
        f"{results['seconds']} s per URL, gunicorn 2 sync workers (production settings)"
    )
    header = f"{'page':<34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'× health':>9} {'KB':>6}"
    print(header + f"  {'target':<26} verdict")
    for page in pages:
        ratio = page["rps"] / health if health else 0
        target = page["target"]
        wanted = []
        ok = None
        if "ratio" in target:
            wanted.append(f"≥ {target['ratio']:.2f}× health")
            ok = ratio >= target["ratio"]
        if "p99_ms" in target:
            wanted.append(f"p99 < {target['p99_ms']} ms")
            ok = ok and page["p99_ms"] < target["p99_ms"]
        errors = f"  ({page['errors']} errors)" if page["errors"] else ""
        if not page["requests"]:
            errors += "  (no response within the run: each took longer)"
        print(
            f"{page['name']:<34} {page['rps']:8.1f} {page['p50_ms']:8.1f} {page['p99_ms']:8.1f} "
            f"{ratio:9.3f} {page['bytes'] / 1024:6.1f}  {', '.join(wanted) or '—':<26} "
            f"{verdict(ok)}{errors}"
        )
    checkouts = results.get("checkouts")
    if checkouts:  # not in a run of some scenarios only
        print(
            f"{'COD checkouts (end to end)':<34} {checkouts['per_second']:8.2f} "
            f"{checkouts['p50_ms'] or 0:8.0f} {checkouts['p99_ms'] or 0:8.0f} {'':>9} {'':>6}  "
            f"{f'≥ {CHECKOUTS_PER_SECOND}/s':<26} "
            f"{verdict(checkouts['per_second'] >= CHECKOUTS_PER_SECOND)}"
            + (
                f"  ({checkouts['failures']} failed: {checkouts['first_failures']})"
                if checkouts["failures"]
                else ""
            )
        )
        print(
            "  (a checkout is 6 requests: 2 × add, delivery form, delivery sent, review, place;"
            f" the Python driver took {checkouts.get('driver_cores', 0):.2f} of the 2 cores)"
        )
    rss = results["worker_rss_mb"]
    print(
        f"gunicorn worker RSS after the run: {', '.join(f'{mb:.0f} MB' for mb in rss)}  "
        f"target < {WORKER_RSS_MB} MB  {verdict(all(mb < WORKER_RSS_MB for mb in rss))}"
    )
    if results.get("weight"):
        print()
        print("First load on a 360 px phone (bytes on the wire, KB)")
        kinds = (*KINDS.values(), "other")
        print(
            f"{'page':<10}"
            + "".join(f"{k:>8}" for k in kinds)
            + f"{'total':>9}  requests  3rd party  target"
        )
        for name, page in results["weight"].items():
            target = PAGE_BYTES if name in ("home", "product") else None
            print(
                f"{name:<10}"
                + "".join(f"{page['bytes'][k] / 1024:8.1f}" for k in kinds)
                + f"{page['total'] / 1024:9.1f}  {page['requests']:>8}  "
                + f"{len(page['third_party']):>9}  "
                + (
                    f"< {PAGE_BYTES // 1024} KB, no 3rd party "
                    f"{verdict(page['total'] < target and not page['third_party'])}"
                    if target
                    else "—"
                )
            )
    if results.get("lighthouse"):
        print()
        print(f"Lighthouse mobile (target ≥ {LIGHTHOUSE_MIN} each)")
        for name, scores in results["lighthouse"].items():
            ok = min(scores["performance"], scores["accessibility"]) >= LIGHTHOUSE_MIN
            print(
                f"  {name:<8} performance {scores['performance']:>3}  accessibility "
                f"{scores['accessibility']:>3}  FCP {scores['fcp_ms']} ms  "
                f"LCP {scores['lcp_ms']} ms  "
                f"TBT {scores['tbt_ms']} ms  CLS {scores['cls']}  {verdict(ok)}"
                + (
                    f"  a11y fails: {', '.join(scores['failed_accessibility'])}"
                    if scores["failed_accessibility"]
                    else ""
                )
            )


def print_queries(by_scale: dict) -> None:
    scales = sorted(by_scale)
    print()
    print("Queries per page (warm caches; checkout steps each once), by data size")
    print(f"{'page':<44}" + "".join(f"{f'×{s}':>8}" for s in scales) + "  target")
    names = list(by_scale[scales[0]])
    for name in names:
        counts = [by_scale[s].get(name) for s in scales]
        flat = len(set(counts)) == 1
        target = "same at every size"
        if name == "checkout: place order":
            target += f", < {QUERIES_PER_ORDER}"
            flat = flat and counts[0] < QUERIES_PER_ORDER
        print(
            f"{name:<44}" + "".join(f"{c:>8}" for c in counts) + f"  {target:<26} {verdict(flat)}"
        )


def write(results: dict, name: str) -> Path:
    RESULTS.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = RESULTS / f"{name}-{stamp}.json"
    results = dict(results, when=stamp, host_cpus=os.cpu_count())
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"\nWritten to {path.relative_to(ROOT)}")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("mode", choices=["all", "data", "load", "queries", "weight", "_count"])
    parser.add_argument("--scale", type=int, default=int(os.environ.get("BENCH_SCALE", "1")))
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("BENCH_SECONDS", "10")))
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--scales", default=os.environ.get("BENCH_QUERY_SCALES", "1,10"), help="queries mode"
    )
    parser.add_argument(
        "--only",
        help="load mode: a comma-separated list of words; only the scenarios named with one "
        '(and the health view) are run, and the checkouts only if "checkout" is one '
        '(e.g. --only "basket,checkout")',
    )
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.mode == "_count":  # one scale of the queries mode, in its own process
        Path(args.out).write_text(json.dumps(count_queries(args.scale)))
        return 0
    if args.mode == "data":
        build_data(args.scale)
        return 0
    if args.mode == "queries":
        by_scale = queries([int(s) for s in args.scales.split(",")])
        print_queries(by_scale)
        write({"queries": by_scale}, "queries")
        return 0
    if not data_ready(args.scale):
        build_data(args.scale)
    if args.mode == "weight":
        setup_django(args.scale)
        with Server(args.scale) as server:
            urls = sample_urls(args.scale)
            results = {
                "weight": page_weight(server.base_url, urls),
                "lighthouse": lighthouse(server.base_url, urls),
            }
        print(json.dumps(results, indent=2))
        write(results, "weight")
        return 0
    if not shutil.which("wrk"):
        parser.error("wrk drives the load: apt-get install -y wrk")
    only = [word.strip() for word in args.only.split(",")] if args.only else None
    results = load(args.scale, args.seconds, args.connections, weight=args.mode == "all", only=only)
    print_load(results)
    if not only:  # a partial run does not replace the last whole one
        write(results, f"load-x{args.scale}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
