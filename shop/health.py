"""``/health/``: can this web process reach the database, the cache and the Celery broker?

For load balancers and monitors: 200 when all three answer, 503 when one does not, with
each one's state and how long it took. Cheap on purpose (one ``SELECT 1``, one cache
write, read and delete, one broker connection; no session, no user) and free of secrets (an
error is named by its type only, never by a message that may hold an address or a
password).
"""

import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from kombu import Connection

OK = "ok"
ERROR = "error"
# A broker that does not answer within this long counts as down: a probe must not hang.
BROKER_TIMEOUT_SECONDS = 2


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    token = uuid.uuid4().hex
    # A key of its own: with one shared key, another worker's probe writing in between
    # would make this one read the other's token and report a cache that is up as down.
    key = f"health:probe:{token}"
    cache.set(key, token, timeout=30)
    try:
        if cache.get(key) != token:
            raise LookupError("the cache did not return what was written")
    finally:
        cache.delete(key)


def _broker() -> None:
    with Connection(
        settings.CELERY_BROKER_URL,
        connect_timeout=BROKER_TIMEOUT_SECONDS,
        transport_options={"socket_timeout": BROKER_TIMEOUT_SECONDS},
    ) as broker:
        # No retry: a probe reports the broker as it is now.
        broker.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT_SECONDS)


def _check(probe: Callable[[], None]) -> dict:
    started = time.perf_counter()
    try:
        probe()
    except Exception as error:  # any failure is "down"; its type says which kind
        state = {"status": ERROR, "error": type(error).__name__}
    else:
        state = {"status": OK}
    state["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return state


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    checks = {"database": _check(_database), "cache": _check(_cache)}
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # Development and tests run tasks in the web process: there is no broker to ask.
        checks["broker"] = {"status": "eager", "ms": 0.0}
    else:
        checks["broker"] = _check(_broker)
    healthy = all(check["status"] in (OK, "eager") for check in checks.values())
    return JsonResponse(
        {"status": OK if healthy else ERROR, "checks": checks}, status=200 if healthy else 503
    )
