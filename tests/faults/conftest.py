"""Fixtures of the fault tests: real Redis, real workers, local providers, PostgreSQL.

A test that needs a service this machine lacks is skipped with a reason in capitals,
never passed silently: run them with
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/chophien_faults pytest tests/faults``.
"""

import shutil
from collections.abc import Iterator

import pytest
from django.db import connection

from tests.faults.stack import (
    CeleryWorker,
    FakeSMSGateway,
    FakeSMTP,
    RedisServer,
    worker_env,
)


@pytest.fixture
def postgres(transactional_db) -> str:
    """The name of this test's PostgreSQL database, which a worker process can share."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "FAULT TEST SKIPPED: needs PostgreSQL (a connection per thread, row locks, "
            "worker processes sharing the test database); "
            "run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/chophien_faults"
        )
    return connection.settings_dict["NAME"]


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A private Redis on a free port, not started yet: the test decides when it is up."""
    if shutil.which("redis-server") is None:
        pytest.skip("FAULT TEST SKIPPED: no redis-server (apt-get install redis-server)")
    server = RedisServer()
    yield server
    server.remove()


@pytest.fixture
def sms_gateway() -> Iterator[FakeSMSGateway]:
    with FakeSMSGateway() as gateway:
        yield gateway


@pytest.fixture
def smtp_server() -> Iterator[FakeSMTP]:
    with FakeSMTP() as server:
        yield server


@pytest.fixture
def workers(postgres, sms_gateway, smtp_server) -> Iterator:
    """``workers(broker_url, name=..., pool=..., **env)`` starts a worker; all die at the end.

    The worker sends SMS to ``sms_gateway`` and e-mail to ``smtp_server``.
    """
    started: list[CeleryWorker] = []

    def start(broker_url: str, *, name: str = "worker", pool: str = "solo", **extra: str):
        env = worker_env(
            database_name=postgres,
            broker_url=broker_url,
            SMS_BACKEND="cooperatives.channels.HttpSMSBackend",
            SMS_API_URL=sms_gateway.url,
            SMS_API_KEY="test-key",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp_server.port),
            **extra,
        )
        worker = CeleryWorker(env, name=f"{name}{len(started) + 1}", pool=pool)
        started.append(worker)
        return worker.start()

    yield start
    sms_gateway.release.set()
    smtp_server.release.set()
    for worker in started:
        worker.kill()  # before the test database is flushed: no connection may hold a lock
        print(f"--- log of {worker.name} ---\n{worker.log()}")  # pytest shows it on failure
        worker.log_path.unlink(missing_ok=True)
