"""Real-browser tests: Debian's Chromium driven by Playwright against live_server.

Browser downloads fail on these machines, so the tests use /usr/bin/chromium
(installed by ``.ci/run`` from Debian's packages). Without it they are skipped
with a loud reason, never silently. The phone is a 360×740 screen in Vietnamese;
every request that is not for the test server is aborted.

Two locks keep the browser off the network. ``page.route`` aborts every request that
is not for the test server, but Playwright does not show it the hops of a redirect, so
Chromium itself is also told that nothing but this machine resolves
(``--host-resolver-rules``; the rule covers IP addresses too): a redirect to an outside
name or address fails inside the browser before any packet leaves
(tests/browser/test_network_lock.py proves both).
"""

import os
import shutil
import traceback
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from
# the test body are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
RESULTS = Path(__file__).resolve().parents[2] / "test-results"
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "vi-VN",
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 12; SM-A135F) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36"
    ),
}
LOCAL_HOSTS = ("127.0.0.1", "localhost")
# Chromium's own rule syntax: every name is "not found" except this machine's.
HOST_RESOLVER_RULES = "MAP * ~NOTFOUND, " + ", ".join(f"EXCLUDE {host}" for host in LOCAL_HOSTS)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(
            f"BROWSER TESTS SKIPPED: no Chromium at {CHROMIUM}. "
            "Install it with `apt-get install -y chromium` (.ci/run does)."
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                f"--host-resolver-rules={HOST_RESOLVER_RULES}",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


def only_local(page, base_url: str) -> None:
    """Abort every request of ``page`` that is not for ``base_url`` (the first lock)."""

    def route(route):
        if route.request.url.startswith(base_url):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", route)


@pytest.fixture
def open_page(browser, live_server, request):
    """``open_page(**context_options)``: a new phone of its own (cookies, session).

    For journeys with two people (a shopper and a manager, an editor and a moderator).
    Options override the phone's (``viewport=...``). On failure every page opened is
    saved to test-results/ as a screenshot and its HTML, with the tracebacks of any
    server error (a 500 page alone does not say what broke).
    """
    from django.core.signals import got_request_exception

    contexts = []
    server_errors = []

    def remember_server_error(sender, request=None, **kwargs):
        # Sent from inside the handler's ``except``: the exception is the current one.
        server_errors.append(f"{request.method} {request.path}\n{traceback.format_exc()}")

    got_request_exception.connect(remember_server_error, weak=False)

    def open_(**options):
        context = browser.new_context(base_url=live_server.url, **{**PHONE, **options})
        contexts.append(context)
        new_page = context.new_page()
        only_local(new_page, live_server.url)
        new_page.set_default_timeout(15_000)
        return new_page

    yield open_
    got_request_exception.disconnect(remember_server_error)
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        RESULTS.mkdir(exist_ok=True)
        name = request.node.name.replace("/", "_")
        if server_errors:
            (RESULTS / f"{name}.server-errors.txt").write_text(
                "\n\n".join(server_errors), encoding="utf-8"
            )
        for number, context in enumerate(contexts):
            suffix = f"-{number + 1}" if number else ""
            for failed_page in context.pages:
                failed_page.screenshot(path=str(RESULTS / f"{name}{suffix}.png"), full_page=True)
                (RESULTS / f"{name}{suffix}.html").write_text(
                    failed_page.content(), encoding="utf-8"
                )
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page):
    return open_page()


@pytest.fixture
def assert_accessible():
    """``assert_accessible(page)``: axe-core finds no serious or critical violation.

    axe is injected with ``page.evaluate`` (axe-playwright-python), so a page's Content
    Security Policy does not block it. The failure message names each rule, its impact
    and the first offending elements, so it reads without a screenshot.
    """
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page, *, context: str = "") -> None:
        results = axe.run(page)
        bad = [
            violation
            for violation in results.response["violations"]
            if violation.get("impact") in ("serious", "critical")
        ]
        lines = [
            f"{violation['id']} ({violation['impact']}): {violation['help']} — "
            + "; ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
            for violation in bad
        ]
        assert not bad, f"axe on {context or page.url}:\n" + "\n".join(lines)

    return check
