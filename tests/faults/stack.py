"""Real services for the fault tests: a private Redis, Celery workers, and local providers.

Everything here runs on 127.0.0.1 and is started and stopped by the test that uses it:
a ``redis-server`` on a free port (so stopping it never touches the shared Redis), a
``celery worker`` subprocess with ``tests.faults.worker_settings``, an SMS gateway that
speaks the JSON ``HttpSMSBackend`` sends, and an SMTP server (aiosmtpd).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import kombu.pools

BASE_DIR = Path(__file__).resolve().parents[2]
CELERY = BASE_DIR / ".venv" / "bin" / "celery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(predicate: Callable[[], object], *, timeout: float, what: str) -> object:
    """Poll ``predicate`` until it is truthy; fail the test with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Waited {timeout:.0f}s for {what}")
        time.sleep(0.1)


# --- Redis -----------------------------------------------------------------------------------


class RedisServer:
    """A throwaway ``redis-server`` on its own port, without persistence."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self.dir = tempfile.mkdtemp(prefix="chophien-faults-redis-")

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(  # noqa: S603
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.ping, timeout=10, what=f"redis-server on port {self.port}")
        return self

    def ping(self) -> bool:
        import redis

        try:
            return bool(redis.Redis(port=self.port, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def client(self, db: int = 0):
        import redis

        return redis.Redis(port=self.port, db=db)


# --- Celery ----------------------------------------------------------------------------------


@contextmanager
def celery_broker(url: str):
    """Make this process queue real messages to ``url`` instead of running tasks eagerly.

    Celery's app caches its connection and producer pools: they are dropped on the way in
    and out so that no connection to another broker outlives the block.
    """
    from shop.celery import app

    def drop_pools():
        if app._pool is not None:
            app._pool.force_close_all()
            app._pool = None
        app.amqp._producer_pool = None
        kombu.pools.reset()  # kombu's own registry of producer pools, keyed by broker

    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = url, False
    drop_pools()
    try:
        yield app
    finally:
        drop_pools()
        app.conf.broker_url, app.conf.task_always_eager = saved


def _children(pid: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name (in parentheses) may hold spaces: split after it.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            children.append(int(entry.name))
    return children


class CeleryWorker:
    """``celery -A shop worker`` in its own process group, logging to a file."""

    def __init__(self, env: dict[str, str], *, name: str, pool: str = "solo"):
        self.env = env
        self.name = name
        self.pool = pool
        self.log_path = Path(tempfile.mkstemp(prefix=f"chophien-faults-{name}-", suffix=".log")[1])
        self.process: subprocess.Popen | None = None

    def start(self) -> CeleryWorker:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(  # noqa: S603
            [
                str(CELERY),
                "-A",
                "shop",
                "worker",
                f"--pool={self.pool}",
                "--concurrency=1",
                "--loglevel=INFO",
                f"--hostname={self.name}@faults",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        wait_for(
            lambda: "ready." in self.log() or self.process.poll() is not None,
            timeout=90,
            what=f"worker {self.name} to start",
        )
        assert self.process.poll() is None, f"worker {self.name} died:\n{self.log()}"
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def child_pids(self) -> list[int]:
        return _children(self.process.pid)

    def kill(self) -> None:
        """SIGKILL, as the OOM killer or a pulled plug does: no shutdown, no ack."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)  # warm shutdown
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()


def worker_env(*, database_name: str, broker_url: str, **extra: str) -> dict[str, str]:
    """The environment of a worker sharing this test's PostgreSQL database and a broker."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("CELERY_", "REDIS_", "DATABASE_", "DJANGO_", "PYTEST"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tests.faults.worker_settings",
        PYTHONPATH=str(BASE_DIR),
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{database_name}",
        DATABASE_CONN_MAX_AGE="0",
        CELERY_BROKER_URL=broker_url,
        CELERY_TASK_ALWAYS_EAGER="false",
    )
    env.update(extra)
    return env


# --- An SMS gateway --------------------------------------------------------------------------


class FakeSMSGateway:
    """A brandname SMS gateway on 127.0.0.1, as ``HttpSMSBackend`` talks to it.

    Like eSMS, a ``request_id`` it has seen before is acknowledged with the first
    message's id and not sent to the phone again. ``fail_next`` answers that many
    requests with HTTP 500 first; ``hold_next`` takes that many messages (sent to the
    phone) and keeps the request open until ``release`` is set.
    """

    def __init__(self):
        self.requests: list[dict] = []
        self.sent: dict[str, dict] = {}  # request_id -> payload: what reached a phone
        self.fail_next = 0
        self.hold_next = 0
        self.holding = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                payload = json.loads(self.rfile.read(length))
                status, reply = gateway.take(payload)
                body = json.dumps(reply).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the worker that asked was killed meanwhile

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def take(self, payload: dict) -> tuple[int, dict]:
        with self._lock:
            self.requests.append(payload)
            if self.fail_next > 0:
                self.fail_next -= 1
                return 500, {"error": "Hệ thống bận"}
            request_id = payload["request_id"]
            duplicate = request_id in self.sent
            if not duplicate:
                self.sent[request_id] = payload
            message_id = f"sms-{list(self.sent).index(request_id) + 1}"
            hold = self.hold_next > 0 and not duplicate
            if hold:
                self.hold_next -= 1
        if hold:
            self.holding.set()
            self.release.wait(120)
        return 200, {"id": message_id, "duplicate": duplicate}

    def __enter__(self) -> FakeSMSGateway:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


# --- An SMTP server --------------------------------------------------------------------------


class FakeSMTP:
    """An SMTP server (aiosmtpd) that keeps what it accepts.

    ``refuse_next`` answers that many messages with "451 try again later", as a busy
    or greylisting server does; ``hold_next`` takes that many messages and delays the
    "250 OK" until ``release`` is set.
    """

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.received: list[email.message.Message] = []
        self.attempts = 0
        self.refuse_next = 0
        self.hold_next = 0
        self.holding = threading.Event()
        self.release = threading.Event()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.attempts += 1
        if self.refuse_next > 0:
            self.refuse_next -= 1
            return "451 4.3.0 Mail server busy, try again later"
        self.received.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        if self.hold_next > 0:
            self.hold_next -= 1
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        return "250 2.0.0 OK"

    def __enter__(self) -> FakeSMTP:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.controller.stop()
