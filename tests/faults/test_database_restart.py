"""The database restarting between two requests: the next request succeeds.

Web processes keep their PostgreSQL connection between requests (``CONN_MAX_AGE``). A
restart, a failover or an idle-connection reaper closes it from the server's side, and
the process only finds out when it next uses it. ``CONN_HEALTH_CHECKS`` makes Django
check a kept connection at the start of each request and open a new one if it died.

The shop is served here as gunicorn's sync workers serve it: one thread taking requests
one after another through Django's ``WSGIHandler``, keeping its connection. (Django's
test client skips the per-request connection handling, and its live server closes
connections after every request, so neither would notice the restart.)
"""

import threading
import time
import urllib.error
import urllib.request
from datetime import datetime
from types import SimpleNamespace
from wsgiref.simple_server import WSGIRequestHandler, make_server

import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection, connections

from cooperatives.models import Notification
from cooperatives.tasks import notification_send_task
from tests.factories import ProductFactory
from tests.faults.stack import celery_broker, wait_for

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class PidRecordingHandler(WSGIHandler):
    """Django's WSGI handler, noting which PostgreSQL backend served each request.

    The whole suite leaves other connections to the test database about (other threads,
    other tests' processes); a "restart" must end only the shop's own.
    """

    def __init__(self):
        super().__init__()
        self.backend_pids: set[int] = set()

    def __call__(self, environ, start_response):
        response = super().__call__(environ, start_response)
        if connection.connection is not None:
            self.backend_pids.add(connection.connection.info.backend_pid)
        return response


@pytest.fixture
def shop_server(postgres, settings):
    """The shop on 127.0.0.1, one request at a time, in a thread with its own connection."""
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    handler = PidRecordingHandler()
    server = make_server("127.0.0.1", 0, handler, handler_class=QuietHandler)

    def serve():
        server.serve_forever()
        connections.close_all()  # this thread's own, or it outlives the test

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}", handler=handler)
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


def get(url: str) -> int:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def restart_database(
    *, terminate: bool = True, only: set[int] | None = None, since: datetime | None = None
) -> int:
    """Close every connection to the test database but this test's own, as a restart does.

    ``only``: just these backends (the shop server's); ``since``: just those opened since
    then (a worker started by this test), as the whole suite leaves others about. Returns
    how many there were; with ``terminate=False`` only counts them.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        [test_pid] = cursor.fetchone()
    params = connection.settings_dict
    action = "pg_terminate_backend(pid)" if terminate else "pid"
    with psycopg.connect(
        host=params["HOST"],
        port=params["PORT"] or 5432,
        user=params["USER"],
        dbname=params["NAME"],
        autocommit=True,
    ) as admin:
        rows = admin.execute(
            f"SELECT {action} FROM pg_stat_activity"  # noqa: S608 (one of two constants)
            " WHERE datname = current_database() AND pid NOT IN (pg_backend_pid(), %s)"
            " AND (%s::int[] IS NULL OR pid = ANY(%s::int[]))"
            " AND (%s::timestamptz IS NULL OR backend_start >= %s::timestamptz)",
            [test_pid, sorted(only) if only is not None else None, sorted(only or [])]
            + [since, since],
        ).fetchall()
    return len(rows)


def test_the_request_after_a_database_restart_succeeds(shop_server):
    assert connections.settings["default"]["CONN_MAX_AGE"] > 0  # kept between requests
    page = shop_server.url + ProductFactory(title="Mật ong rừng").get_absolute_url()
    assert get(page) == 200

    assert restart_database(only=shop_server.handler.backend_pids) == 1  # the shop's connection

    assert get(page) == 200
    assert get(page) == 200


def test_without_health_checks_the_first_request_after_a_restart_fails(shop_server, monkeypatch):
    """Why CONN_HEALTH_CHECKS is on (shop/settings/base.py): this is the shop without it."""
    monkeypatch.setitem(connections.settings["default"], "CONN_HEALTH_CHECKS", False)
    page = shop_server.url + ProductFactory(title="Mật ong rừng").get_absolute_url()
    assert get(page) == 200

    assert restart_database(only=shop_server.handler.backend_pids) == 1

    assert get(page) == 500  # the dead connection, found by the first query
    assert get(page) == 200  # Django dropped it after the error


def test_a_worker_keeps_its_connection_and_works_on_after_a_database_restart(
    redis_server, workers, sms_gateway
):
    """A worker keeps its connection between tasks, as a web process does between
    requests (shop/celery.py): Celery's Django fix-up would close it after every task.
    The health check before the next task finds it broken and opens a new one."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()")
        [started] = cursor.fetchone()
    redis_server.start()
    workers(redis_server.url(), DATABASE_CONN_MAX_AGE="60")

    def send(key: str) -> Notification:
        notification = Notification.objects.create(
            key=key, channel="sms", recipient="+84912345678", body="Don hang 100123"
        )
        with celery_broker(redis_server.url()):
            notification_send_task.delay(notification_id=notification.pk)
        return notification

    first = send("fault:before-restart")
    wait_for(lambda: list(sms_gateway.sent) == [first.key], timeout=60, what="the first SMS")
    wait_for(
        lambda: Notification.objects.get(pk=first.pk).status == Notification.SENT,
        timeout=30,
        what="the first task to commit",
    )
    time.sleep(1)  # the fix-up closed it within milliseconds of the task's end
    assert restart_database(terminate=False, since=started) == 1  # kept for the next task
    assert restart_database(since=started) == 1

    second = send("fault:after-restart")
    wait_for(lambda: len(sms_gateway.sent) == 2, timeout=60, what="the SMS after the restart")
    second.refresh_from_db()
    assert (second.status, second.attempts) == (Notification.SENT, 1)
