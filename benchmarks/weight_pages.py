"""Page weight of a phone's first load, Lighthouse and screenshots, against a running server.

    python benchmarks/weight_pages.py measure --base-url http://127.0.0.1:8000 [--lighthouse]
    python benchmarks/weight_pages.py screenshots --base-url http://127.0.0.1:8000 --dir /tmp/s

The same measure as ``bench.py weight`` (bytes on the wire by kind, empty cache, 360 px
phone at DPR 2, requests leaving the server refused and counted as third-party), but
against any server already running with production-like static serving (``make prod``),
so a front-end change can be measured in a minute without rebuilding the benchmark data.
Pages are found by following links from the home page; checkout is reached with one
product in the basket, added through the product page's own form. ``measure`` also lists
the render-blocking requests and the heaviest files; ``screenshots`` saves 360×740 PNGs of
home, category, product, basket, checkout and (signed in as a demo manager) the console's
order inbox, to compare before and after a change by eye.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench import (  # noqa: E402
    CHROMIUM,
    HERE,
    KINDS,
    LIGHTHOUSE_MIN,
    PAGE_BYTES,
    lighthouse_page,
)

PHONE = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "vi-VN",
}
MANAGER = ("quanly.babe@example.vn", "chophien-demo")  # shop/demo_data.py
PRODUCT_LINK = re.compile(r'href="(/shop/catalogue/[^"/]+_\d+/)"')
CATEGORY_LINK = re.compile(r'href="(/shop/catalogue/category/[^"]+/)"')
ADD_FORM = re.compile(r'action="(/shop/basket/add/\d+/)"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def discover(base_url: str) -> dict[str, str]:
    """Home, a category and a product, found from links as a shopper would."""
    import requests

    home = requests.get(base_url + "/", timeout=30).text
    category = CATEGORY_LINK.search(home)
    if category is None:  # the home page may show no category: take oscar's catalogue list
        listing = requests.get(base_url + "/shop/catalogue/", timeout=30).text
        category = CATEGORY_LINK.search(listing)
    product = PRODUCT_LINK.search(home) or PRODUCT_LINK.search(
        requests.get(base_url + category.group(1), timeout=30).text
    )
    return {"home": "/", "category": category.group(1), "product": product.group(1)}


def fill_basket(context, base_url: str, product: str) -> None:
    """One item in the context's basket, through the product page's own form."""
    page = context.request.get(base_url + product).text()
    action = ADD_FORM.search(page).group(1)
    token = CSRF.search(page).group(1)
    context.request.post(
        base_url + action,
        form={"csrfmiddlewaretoken": token, "quantity": "1"},
        headers={"Referer": base_url + product},
        max_redirects=0,
    )


def weigh(browser, base_url: str, name: str, path: str, product: str) -> dict:
    context = browser.new_context(**PHONE)
    third_party: list[str] = []

    def refuse(route):
        third_party.append(route.request.url)
        route.abort()

    context.route(lambda url: not url.startswith(base_url), refuse)
    if name == "checkout":
        fill_basket(context, base_url, product)
    page = context.new_page()
    finished = []
    page.on("requestfinished", lambda request: finished.append(request))
    response = page.goto(base_url + path, wait_until="networkidle")
    sizes = {kind: 0 for kind in (*KINDS.values(), "other")}
    files = []
    for request in finished:
        measured = request.sizes()
        kind = KINDS.get(request.resource_type, "other")
        size = measured["responseBodySize"] + measured["responseHeadersSize"]
        sizes[kind] += size
        files.append((size, kind, request.url.removeprefix(base_url)))
    # What the browser had to fetch before it could paint: stylesheets and non-deferred
    # scripts in <head>, or before the first content.
    blocking = page.evaluate(
        """() => performance.getEntriesByType('resource')
            .filter(e => e.renderBlockingStatus === 'blocking').map(e => e.name)"""
    )
    context.close()
    return {
        "url": response.url.removeprefix(base_url) if response else path,
        "status": response.status if response else None,
        "requests": len(finished),
        "bytes": sizes,
        "total": sum(sizes.values()),
        "third_party": third_party,
        "render_blocking": [url.removeprefix(base_url) for url in blocking],
        "heaviest": sorted(files, reverse=True)[:6],
    }


def measure(base_url: str, *, with_lighthouse: bool, out_dir: Path) -> dict:
    from playwright.sync_api import sync_playwright

    pages = discover(base_url)
    pages["checkout"] = "/shop/checkout/"
    report: dict = {"pages": pages, "weight": {}, "lighthouse": {}}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        for name, path in pages.items():
            report["weight"][name] = weigh(browser, base_url, name, path, pages["product"])
        browser.close()
    if with_lighthouse:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name in ("home", "product"):
            out = out_dir / f"lighthouse-{name}.json"
            report["lighthouse"][name] = lighthouse_page(base_url, pages[name], out)
    return report


def print_report(report: dict) -> None:
    kinds = [*KINDS.values(), "other"]
    print(f"{'page':9} {'total KB':>9} " + " ".join(f"{k:>7}" for k in kinds) + "  reqs  3rd")
    for name, page in report["weight"].items():
        target = PAGE_BYTES if name in ("home", "product") else None
        ok = "" if target is None else ("  ok" if page["total"] < target else "  MISS")
        print(
            f"{name:9} {page['total'] / 1024:9.1f} "
            + " ".join(f"{page['bytes'][k] / 1024:7.1f}" for k in kinds)
            + f"  {page['requests']:4} {len(page['third_party']):4}{ok}"
        )
        print(f"          landed on {page['url']} ({page['status']})")
        print(f"          render-blocking: {', '.join(page['render_blocking']) or 'none'}")
        for size, kind, url in page["heaviest"]:
            print(f"            {size / 1024:7.1f} KB {kind:6} {url[:90]}")
    for name, scores in report["lighthouse"].items():
        verdict = (
            "ok"
            if min(scores["performance"], scores["accessibility"]) >= LIGHTHOUSE_MIN
            else "MISS"
        )
        print(
            f"Lighthouse {name}: performance {scores['performance']}, accessibility "
            f"{scores['accessibility']} ({verdict}); FCP {scores['fcp_ms']} ms, LCP "
            f"{scores['lcp_ms']} ms, TBT {scores['tbt_ms']} ms, CLS {scores['cls']}; "
            f"failed: {', '.join(scores['failed']) or 'none'}"
        )


def screenshots(base_url: str, directory: Path, password: str) -> None:
    from playwright.sync_api import sync_playwright

    pages = discover(base_url)
    directory.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        context = browser.new_context(**PHONE)
        context.route(lambda url: not url.startswith(base_url), lambda route: route.abort())
        page = context.new_page()
        for name in ("home", "category", "product"):
            page.goto(base_url + pages[name], wait_until="networkidle")
            page.screenshot(path=directory / f"{name}.png", full_page=True)
        page.locator("form[action*='/basket/add/'] button[type=submit]").first.click()
        page.goto(base_url + "/shop/basket/", wait_until="networkidle")
        page.screenshot(path=directory / "basket.png", full_page=True)
        page.goto(base_url + "/shop/checkout/", wait_until="networkidle")
        page.screenshot(path=directory / "checkout.png", full_page=True)
        # The menu opened: the collapse toggler must still work.
        page.goto(base_url + "/", wait_until="networkidle")
        page.locator("[data-target='#navbarSupportedContent']").click()
        page.wait_for_timeout(500)
        page.screenshot(path=directory / "menu-open.png")
        context.close()
        if password:
            context = browser.new_context(**PHONE)
            page = context.new_page()
            page.goto(base_url + "/shop/accounts/login/", wait_until="networkidle")
            page.fill("#id_login-username", MANAGER[0])
            page.fill("#id_login-password", password)
            page.locator("button[name=login_submit]").click()
            page.wait_for_load_state("networkidle")
            page.goto(base_url + "/quan-ly/", wait_until="networkidle")
            page.locator(".nav-pills .nav-link").nth(1).click()  # the console's "Orders"
            page.wait_for_load_state("networkidle")
            page.screenshot(path=directory / "manager-inbox.png", full_page=True)
            context.close()
        browser.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("mode", choices=["measure", "screenshots"])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--lighthouse", action="store_true", help="also Lighthouse home, product")
    parser.add_argument("--dir", type=Path, default=HERE / "var" / "weight")
    parser.add_argument("--json", type=Path, help="write the measure here too")
    parser.add_argument("--password", default=MANAGER[1], help="the demo manager's password")
    args = parser.parse_args(argv)
    base_url = args.base_url.rstrip("/")
    if args.mode == "screenshots":
        screenshots(base_url, args.dir, args.password)
        print(f"Screenshots in {args.dir}")
        return 0
    report = measure(base_url, with_lighthouse=args.lighthouse, out_dir=args.dir)
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
