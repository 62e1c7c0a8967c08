import pytest
import redis
from django.conf import settings
from django.db import connections

from tests.production.stack import Stack, redis_databases, stack_environment

NEEDS = (
    "PRODUCTION STACK NOT TESTED: it runs gunicorn and Celery on PostgreSQL and Redis; "
    "run pytest with DATABASE_URL=postgres://… and REDIS_URL=redis://… (.ci/run's second pass)"
)


@pytest.fixture(scope="session")
def production_services():
    """PostgreSQL as the test database and a reachable Redis, or a loud skip."""
    if connections["default"].vendor != "postgresql":
        pytest.skip(f"{NEEDS}; this run uses {connections['default'].vendor}")
    redis_url = settings.REDIS_URL or "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        pytest.skip(f"{NEEDS}; Redis at {redis_url} did not answer ({error})")
    return redis_url


@pytest.fixture(scope="session")
def static_root(tmp_path_factory):
    """collectstatic's output, shared by every stack of the run (it takes ~10 s)."""
    return tmp_path_factory.mktemp("static")


@pytest.fixture
def stack(production_services, transactional_db, static_root, tmp_path):
    """Start serve-production processes with ``stack.start()``; all stopped afterwards.

    Asks for ``transactional_db`` so the processes see what the test writes, and stops
    them before the database is flushed.
    """
    env = stack_environment(
        database=connections["default"].settings_dict,
        redis_url=production_services,
        workdir=tmp_path,
        static_root=static_root,
    )
    base = production_services.rsplit("/", 1)[0]
    for number in redis_databases():
        redis.Redis.from_url(f"{base}/{number}").flushdb()  # no message of an earlier run
    running = Stack(workdir=tmp_path, env=env)
    yield running
    codes = running.stop_all()
    assert all(code == 0 for code in codes), f"serve-production exit codes {codes}"
