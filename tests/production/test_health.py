"""``/health/`` reports the database, the cache and the broker, cheaply and without secrets."""

import os
import socket
import subprocess
import sys

import pytest

from tests.production.stack import ROOT

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe closes


def test_all_ok_answers_200_with_one_query(client, django_assert_num_queries):
    with django_assert_num_queries(1):  # SELECT 1: no session, no user, no basket
        response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["cache"]["status"] == "ok"
    assert body["checks"]["broker"]["status"] == "eager"  # tests run tasks in-process
    assert all(isinstance(check["ms"], float) for check in body["checks"].values())
    assert "no-cache" in response["Cache-Control"]
    assert not response.cookies  # no session started


def test_a_broker_that_does_not_answer_makes_it_503(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = f"redis://:s3cret-broker-password@127.0.0.1:{closed_port()}/0"
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["broker"]["status"] == "error"
    assert body["checks"]["broker"]["error"]  # the kind of failure, by its type
    assert body["checks"]["database"]["status"] == "ok"
    assert "s3cret-broker-password" not in response.content.decode()
    assert str(settings.CELERY_BROKER_URL) not in response.content.decode()


def test_a_cache_that_does_not_answer_makes_it_503(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
        }
    }
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["status"] == "error"


def test_production_does_not_redirect_the_health_check_to_https():
    """A load balancer probing http:// gets the answer, not a redirect; pages are redirected."""
    script = (
        "from django.test import Client\n"
        "client = Client()\n"
        "print(client.get('/health/').status_code, client.get('/shop/').status_code)\n"
    )
    unwanted = {"DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in unwanted}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "shop.settings.production",
            "DJANGO_SECRET_KEY": "k3y-for-this-test-only-9f8e7d6c5b4a3a2b1c0d-long-enough-yes",
            # Nothing needs to listen: the answer may be 503, but never a redirect.
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{closed_port()}/chophien",
            "REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0",
            "ALLOWED_HOSTS": "testserver",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--command", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    health, page = result.stdout.split()[-2:]
    assert health == "503"  # nothing answers on those ports, and it says so
    assert page == "301"


def test_probes_of_two_processes_at_once_both_find_the_cache_up(monkeypatch):
    """Another worker's probe writing between this one's write and read is not an outage."""
    from django.core.cache import cache as real_cache

    from shop import health

    class OtherProbeInBetween:
        def __init__(self):
            self.interleaved = False

        def set(self, *args, **kwargs):
            return real_cache.set(*args, **kwargs)

        def delete(self, *args, **kwargs):
            return real_cache.delete(*args, **kwargs)

        def get(self, *args, **kwargs):
            if not self.interleaved:
                self.interleaved = True
                health._cache()  # the other worker's whole probe
            return real_cache.get(*args, **kwargs)

    monkeypatch.setattr(health, "cache", OtherProbeInBetween())
    assert health._check(health._cache)["status"] == "ok"
