"""The browser reaches this machine's test servers only, even through a redirect.

Playwright hands ``page.route`` the first request of a navigation only, not the hops of
a redirect, so Chromium itself refuses to resolve anything but 127.0.0.1 and localhost
(conftest.py). To prove a leak would show, the "outside" host is a server that really
answers: one on 127.0.0.2 (Linux routes all of 127/8 to this machine, and the rule
excludes only 127.0.0.1). It counts the requests that reach it, and must count none.
"""

import http.client
import http.server
import threading

import pytest
from playwright.sync_api import Error

# What Chromium says when its resolver rules stop a name or an address.
BLOCKED = "net::ERR_NAME_NOT_RESOLVED"

# The ``page`` fixture runs the live server; see test_smoke.py for serialized_rollback.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class Recorder(http.server.BaseHTTPRequestHandler):
    """Records each path; ``/go?to=<url>`` redirects there, anything else answers 200."""

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.server.paths.append(self.path)
        if self.path.startswith("/go?to="):
            self.send_response(302)
            self.send_header("Location", self.path.removeprefix("/go?to="))
        else:
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"reached")

    def log_message(self, *args):
        pass


def serve(host: str):
    server = http.server.ThreadingHTTPServer((host, 0), Recorder)
    server.paths = []
    server.url = f"http://{host}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


@pytest.fixture
def outside():
    """A server the browser must not reach; Python reaching it shows it is really there."""
    server, thread = serve("127.0.0.2")
    connection = http.client.HTTPConnection(*server.server_address, timeout=5)
    connection.request("GET", "/alive")
    assert connection.getresponse().read() == b"reached"
    connection.close()
    server.paths.clear()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def redirector():
    server, thread = serve("127.0.0.1")
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def navigation_error(page, url: str) -> str:
    with pytest.raises(Error) as error:
        page.goto(url, timeout=10_000)
    return str(error.value)


@pytest.mark.parametrize("name", [False, True], ids=["address", "name"])
def test_chromium_itself_refuses_outside_hosts_without_any_route(browser, outside, name):
    target = "http://example.com/" if name else f"{outside.url}/direct"
    context = browser.new_context()  # no page.route at all: only the launch options
    try:
        message = navigation_error(context.new_page(), target)
    finally:
        context.close()
    assert BLOCKED in message
    assert outside.paths == []


@pytest.mark.parametrize("name", [False, True], ids=["address", "name"])
def test_a_redirect_to_an_outside_host_is_stopped(page, redirector, outside, name):
    target = "http://example.com/" if name else f"{outside.url}/leaked"
    routed, requested = [], []

    def allow_redirector(route):
        routed.append(route.request.url)
        route.continue_()

    page.route(f"{redirector.url}/**", allow_redirector)
    page.on("request", lambda request: requested.append(request.url))

    message = navigation_error(page, f"{redirector.url}/go?to={target}")

    assert BLOCKED in message
    assert redirector.paths == [f"/go?to={target}"]
    assert outside.paths == []
    # The browser did try the hop, and the route handler never saw it: the gap is real.
    assert target in requested
    assert routed == [f"{redirector.url}/go?to={target}"]
