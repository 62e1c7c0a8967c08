"""Every HTML page carries the Content Security Policy, and nothing on it needs relaxing.

The strict policy on the shop's pages, the relaxed one on the admin sites only; inline
scripts only with the request's nonce; no style attributes in what the shop renders.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from cooperatives.selectors import order_page_path
from tests.factories import (
    CooperativeFactory,
    ProductFactory,
    UserFactory,
    WeightBasedFactory,
    place_order,
)
from tests.security.urlconf import routes

pytestmark = pytest.mark.django_db

STRICT = [
    "default-src 'self'",
    "script-src 'self' 'nonce-",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "form-action 'self' https://checkout.stripe.com",
]
BANK = {
    "bank_bin": "970405",
    "bank_account_number": "8300205123456",
    "bank_account_holder": "HTX THU NGHIEM",
}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)([^>]*)>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle=", re.IGNORECASE)


def assert_strict(response, url):
    policy = response.get("Content-Security-Policy", "")
    for directive in STRICT:
        assert directive in policy, f"{url}: {directive!r} missing from {policy!r}"
    assert "unsafe" not in policy, url
    page = response.content.decode()
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    for attributes in INLINE_SCRIPT.findall(page):
        if 'type="application/json"' in attributes or "application/ld+json" in attributes:
            continue  # data, never run
        assert f'nonce="{nonce}"' in attributes, f"{url}: inline <script{attributes}> without nonce"
    assert not STYLE_ATTRIBUTE.search(page), f"{url}: style attribute, which the policy refuses"


@pytest.fixture
def shop():
    manager = UserFactory()
    farm = CooperativeFactory(managers=[manager], **BANK)
    WeightBasedFactory(cooperative=farm)
    honey = ProductFactory(cooperative=farm, net_weight_grams=700)
    order = place_order((honey, 1), payment_method="transfer")
    return {"manager": manager, "farm": farm, "honey": honey, "order": order}


def test_shopper_pages_carry_the_strict_policy(client, shop):
    honey, farm = shop["honey"], shop["farm"]
    client.post(reverse("basket:add", kwargs={"pk": honey.pk}), {"quantity": 1})
    urls = [
        "/",
        "/shop/catalogue/",
        honey.get_absolute_url(),
        "/hop-tac-xa/",
        farm.get_absolute_url(),
        "/shop/basket/",
        "/shop/checkout/",
        "/tim-kiem/?q=mat",
        "/shop/search/?q=mat",
        "/shop/accounts/login/",
        order_page_path(shop["order"]),  # with the VietQR code
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict(response, url)


def test_manager_pages_carry_the_strict_policy(client, shop):
    farm = shop["farm"]
    client.force_login(shop["manager"])
    fulfilment = shop["order"].fulfilments.get()
    for name, kwargs in [
        ("manager:home", {}),
        ("manager:product-list", {"cooperative_slug": farm.slug}),
        ("manager:product-create", {"cooperative_slug": farm.slug}),
        ("manager:product-update", {"cooperative_slug": farm.slug, "pk": shop["honey"].pk}),
        ("manager:phone-order", {"cooperative_slug": farm.slug}),
    ]:
        url = reverse(name, kwargs=kwargs)
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        assert_strict(response, url)
    inbox = client.get(f"/quan-ly/{farm.slug}/don-hang/")
    assert_strict(inbox, "inbox")
    card = client.get(
        reverse("manager:order-detail", kwargs={"cooperative_slug": farm.slug, "pk": fulfilment.pk})
    )
    assert card.status_code == 200
    assert_strict(card, "order card")


def test_error_pages_carry_the_strict_policy(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    assert_strict(response, "404")


def test_every_html_page_without_parameters_has_the_header(client, shop):
    """Walks the URL conf: a page added later is covered too."""
    client.force_login(shop["manager"])
    checked = 0
    for route in routes():
        if "<" in route.route or "(" in route.route or "^" in route.route:
            continue
        url = "/" + route.route
        response = client.get(url)
        if "html" not in response.get("Content-Type", ""):
            continue
        checked += 1
        assert "Content-Security-Policy" in response, url
        if not url.startswith(settings.CSP_ADMIN_URL_PREFIXES):
            assert "frame-ancestors 'none'" in response["Content-Security-Policy"], url
    assert checked > 20


def test_admin_sites_get_the_relaxed_policy_and_still_no_other_origin(client):
    for url in ["/cms/login/", "/django-admin/login/"]:
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "script-src 'self' 'unsafe-inline'" in policy, url
        assert "frame-ancestors 'self'" in policy, url
        assert "default-src 'self'" in policy
        assert "http" not in policy  # no origin but the shop's own


def test_card_payment_origin_follows_the_stripe_setting(client, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9123/"
    policy = client.get("/shop/basket/")["Content-Security-Policy"]
    assert "form-action 'self' http://127.0.0.1:9123;" in policy + ";"
    assert "checkout.stripe.com" not in policy


def test_nonce_differs_per_request(client):
    first = client.get("/shop/basket/")["Content-Security-Policy"]
    second = client.get("/shop/basket/")["Content-Security-Policy"]
    nonce = re.compile(r"'nonce-([^']+)'")
    assert nonce.search(first).group(1) != nonce.search(second).group(1)


def test_templates_have_no_style_attributes_or_bare_inline_scripts():
    """What the rendered-page checks above cannot reach: every project template."""
    problems = []
    for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html"):
        if "admin" in path.relative_to(Path(settings.BASE_DIR) / "templates").parts[:1]:
            continue  # Django's admin: relaxed policy
        text = path.read_text(encoding="utf-8")
        if STYLE_ATTRIBUTE.search(text):
            problems.append(f"{path}: style attribute")
        for attributes in INLINE_SCRIPT.findall(text):
            if "nonce=" not in attributes and "application/json" not in attributes:
                problems.append(f"{path}: inline <script{attributes}>")
        if re.search(r"\son[a-z]+=\"", text):
            problems.append(f"{path}: inline event handler")
    assert problems == []
