"""Real-browser tests: Debian's Chromium driven by Playwright against live_server.

Browser downloads fail on these machines, so the tests use /usr/bin/chromium
(installed by ``.ci/run`` from Debian's packages). Without it they are skipped
with a loud reason, never silently. The phone is a 360×740 screen in Vietnamese;
every request that is not for the test server is aborted.
"""

import os
import shutil
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
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(base_url=live_server.url, **PHONE)
    page = context.new_page()
    local = live_server.url

    def only_local(route):
        if route.request.url.startswith(local):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", only_local)
    page.set_default_timeout(15_000)
    yield page
    failed = getattr(request.node, "report_call", None)
    if failed is not None and failed.failed:
        RESULTS.mkdir(exist_ok=True)
        name = request.node.name.replace("/", "_")
        page.screenshot(path=str(RESULTS / f"{name}.png"), full_page=True)
        (RESULTS / f"{name}.html").write_text(page.content(), encoding="utf-8")
    context.close()


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
