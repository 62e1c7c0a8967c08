"""The production stack as subprocesses (bin/serve-production), and a shopper driving it.

The stack uses the test run's PostgreSQL database (already migrated: a fresh migrate
takes minutes) and two Redis databases of its own, and serves on free ports. The
shopper is a ``requests`` session: cookies, CSRF tokens and forms as a browser would
send them, without JavaScript.
"""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit

import requests
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
SERVE = ROOT / "bin" / "serve-production"
START_TIMEOUT_SECONDS = 60
# Settings the test process may carry that must not leak into the stack's own.
INHERITED_UNWANTED = (
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_SECRET_KEY",
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "SENTRY_DSN",
    "AWS_STORAGE_BUCKET_NAME",
    "EMAIL_BACKEND",
    "CHOPHIEN_STATE_DIR",
    "PORT",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(settings_dict: dict) -> str:
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"


class Stack:
    """bin/serve-production processes sharing one environment; stopped by ``stop_all``."""

    def __init__(self, *, workdir: Path, env: dict[str, str]):
        self.workdir = workdir
        self.env = env
        self.processes: list[tuple[subprocess.Popen, Path]] = []

    def start(self, *, processes: str = "web,worker,beat") -> tuple[str, Path]:
        """Start one serve-production; returns its base URL and its log file, once healthy."""
        port = free_port()
        log = self.workdir / f"serve-{port}.log"
        command = [sys.executable, str(SERVE), "--port", str(port), "--processes", processes]
        command += ["--web-workers", "2", "--worker-concurrency", "1"]
        # The release (migrate, collectstatic) once per run: later starts find the manifest.
        if (Path(self.env["STATIC_ROOT"]) / "staticfiles.json").exists():
            command.append("--skip-release")
        with log.open("wb") as output:
            process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=output, stderr=subprocess.STDOUT
            )
        self.processes.append((process, log))
        base_url = f"http://127.0.0.1:{port}"
        if "web" in processes:
            self._wait_healthy(base_url, process, log)
        return base_url, log

    def _wait_healthy(self, base_url: str, process: subprocess.Popen, log: Path) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        last = "no answer"
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"serve-production exited early:\n{log.read_text()[-4000:]}")
            try:
                health = requests.get(f"{base_url}/health/", timeout=10)
            except (requests.ConnectionError, requests.Timeout) as error:  # still starting
                last = repr(error)
            else:
                if health.status_code == 200:
                    return
                last = f"{health.status_code} {health.text[:500]}"
            time.sleep(0.3)
        raise AssertionError(
            f"{base_url} was not healthy in time ({last}):\n{log.read_text()[-4000:]}"
        )

    def stop_all(self) -> list[int]:
        """SIGTERM each serve-production (as Ctrl-C would); their exit codes."""
        for process, _log in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        codes = []
        for process, _log in self.processes:
            try:
                codes.append(process.wait(timeout=40))
            except subprocess.TimeoutExpired:
                process.kill()
                codes.append(process.wait())
        self.processes = []
        return codes


def stack_environment(
    *, database: dict, redis_url: str, workdir: Path, static_root: Path
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in INHERITED_UNWANTED}
    env = {k: v for k, v in env.items() if not k.startswith(("CELERY_", "AWS_", "EMAIL_"))}
    base = redis_url.rsplit("/", 1)[0]
    cache_db, broker_db = redis_databases()
    return {
        **env,
        "DATABASE_URL": database_url(database),
        "REDIS_URL": f"{base}/{cache_db}",
        "CELERY_BROKER_URL": f"{base}/{broker_db}",
        # The secret key is made by serve-production on first start, as for a newcomer.
        "CHOPHIEN_STATE_DIR": str(workdir / "state"),
        "STATIC_ROOT": str(static_root),
        "MEDIA_ROOT": str(workdir / "media"),
        "PRIVATE_MEDIA_ROOT": str(workdir / "private-media"),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(workdir / "mail"),
        "LOG_LEVEL": "INFO",
    }


def redis_databases() -> tuple[int, int]:
    """Cache and broker database numbers of the stack, apart from the test run's own."""
    cache_db, broker_db = os.environ.get("PRODUCTION_TEST_REDIS_DBS", "13,14").split(",")
    return int(cache_db), int(broker_db)


def form_data(html: str, selector: str) -> tuple[str, dict[str, str]]:
    """The action and the values a browser would submit for the form at ``selector``."""
    form = BeautifulSoup(html, "html.parser").select_one(selector)
    assert form is not None, f"no form {selector!r} in the page"
    data: dict[str, str] = {}
    for field in form.select("input[name], select[name], textarea[name]"):
        name = field["name"]
        if field.name == "select":
            option = field.select_one("option[selected]") or field.select_one("option")
            data[name] = option.get("value", option.get_text()) if option else ""
        elif field.name == "textarea":
            data[name] = field.get_text()
        elif field.get("type", "text") in ("checkbox", "radio"):
            if field.has_attr("checked"):
                data[name] = field.get("value", "on")
        elif field.get("type") not in ("submit", "button", "file", "image", "reset"):
            data[name] = field.get("value", "")
    return form.get("action", ""), data


class Shopper:
    """A browser without JavaScript, sending each request to the next of ``base_urls``."""

    def __init__(self, *base_urls: str):
        self.http = requests.Session()
        self._bases = itertools.cycle(base_urls)
        self.served_by: list[str] = []  # which base URL answered each request, in order

    def request(
        self, method: str, path: str, data: dict | None = None, *, via: str = ""
    ) -> requests.Response:
        """One request and its redirects, every hop to the next server in turn (the first
        to ``via`` if given)."""
        for hop in range(10):
            base = via if via and hop == 0 else next(self._bases)
            self.served_by.append(base)
            response = self.http.request(
                method, urljoin(base, path), data=data, allow_redirects=False, timeout=30
            )
            if response.status_code not in (301, 302, 303):
                return response
            path = urlsplit(urljoin(base, response.headers["Location"])).path
            method, data = "GET", None
        raise AssertionError("too many redirects")

    def get(self, path: str) -> requests.Response:
        return self.request("GET", path)

    def submit(self, page: requests.Response, selector: str, **values: str) -> requests.Response:
        """Fill the form at ``selector`` of ``page`` with ``values`` and post it."""
        action, data = form_data(page.text, selector)
        data.update(values)
        return self.request("POST", urlsplit(urljoin(page.url, action or page.url)).path, data)
