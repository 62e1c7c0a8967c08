"""With SENTRY_DSN set, an error in a view reaches Sentry through the real sentry-sdk transport.

The DSN points at a local HTTP server that records what it receives. The shop runs in a
subprocess so that sentry-sdk's hooks never touch the rest of the test run.
"""

import gzip
import http.server
import json
import os
import subprocess
import sys
import threading
import zlib

import pytest

from tests.production.stack import ROOT

SHOP = (
    "import django\n"
    "django.setup()\n"
    "import sentry_sdk\n"
    "from django.test import Client, override_settings\n"
    "with override_settings(ROOT_URLCONF='tests.production.failing_urls'):\n"
    "    client = Client(raise_request_exception=False)\n"
    # Any cookie, not the session's: this process has no database to look a session up in.
    "    client.cookies['last_phone'] = '0912345678'\n"
    "    print(client.get('/boom/').status_code)\n"
    "sentry_sdk.flush(timeout=10)\n"
)


class FakeSentry(http.server.ThreadingHTTPServer):
    """Keeps every envelope posted to it, decompressed."""

    def __init__(self):
        self.envelopes: list[bytes] = []
        super().__init__(("127.0.0.1", 0), self.Handler)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            encoding = self.headers.get("Content-Encoding", "")
            if encoding == "gzip":
                body = gzip.decompress(body)
            elif encoding == "deflate":
                body = zlib.decompress(body)
            elif encoding:
                raise AssertionError(f"unexpected Content-Encoding {encoding}")
            self.server.envelopes.append(body)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, format, *args):
            pass


@pytest.fixture
def fake_sentry():
    server = FakeSentry()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def events(envelopes: list[bytes]) -> list[dict]:
    """The error events of Sentry envelopes (a header line, then item header/payload pairs)."""
    found = []
    for envelope in envelopes:
        lines = envelope.split(b"\n")
        for header, payload in zip(lines[1::2], lines[2::2], strict=False):
            if json.loads(header).get("type") == "event":
                found.append(json.loads(payload))
    return found


def test_an_error_in_a_view_is_reported_to_sentry_without_personal_data(fake_sentry):
    port = fake_sentry.server_address[1]
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE",)}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "shop.settings.test",
            "SENTRY_DSN": f"http://publickey@127.0.0.1:{port}/42",
            "SENTRY_ENVIRONMENT": "ci",
            "ALLOWED_HOSTS": "testserver",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell"],  # the script on stdin, out of sys.argv
        input=SHOP,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "500"

    [event] = events(fake_sentry.envelopes)  # once, not again for the request's log line
    # Sentry lists chained exceptions innermost first; the one raised is last.
    assert event["exception"]["values"][-1]["type"] == "ViewFailure"
    assert event["environment"] == "ci"
    assert "boom" in event["transaction"]
    assert "0912345678" not in json.dumps(event)  # send_default_pii=False: no cookies


def test_without_a_dsn_sentry_stays_off():
    env = {k: v for k, v in os.environ.items() if k not in ("SENTRY_DSN",)}
    env["DJANGO_SETTINGS_MODULE"] = "shop.settings.test"
    check = "import sentry_sdk\nprint(sentry_sdk.get_client().is_active())\n"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--command", check],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "False"
