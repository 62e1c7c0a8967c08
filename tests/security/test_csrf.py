"""A forged cross-site POST is refused on every URL of the site.

The walk reads the root URL conf, so a view added later is covered without touching
this file; a view exempted from Django's CSRF check fails the test unless it is listed
below with the reason it is safe (and that reason is tested).
"""

import json
import re
import uuid

import pytest
from django.http import HttpResponseForbidden
from django.test import Client
from django.urls import resolve, reverse

from cooperatives.models import Fulfilment
from payment.models import StripeEvent
from tests.factories import (
    CooperativeFactory,
    ProductFactory,
    UserFactory,
    WeightBasedFactory,
    place_order,
)
from tests.fakes.stripe_api import sign
from tests.security.urlconf import routes

pytestmark = pytest.mark.django_db

CSRF_REFUSED = b"csrf-refused"


def csrf_refused(request, reason=""):
    """Replaces Django's CSRF failure page: tells a CSRF 403 from a permission 403."""
    return HttpResponseForbidden(CSRF_REFUSED)


# Views that Django's CSRF middleware lets through, and why that is safe.
EXEMPT = {
    # Stripe signs each event with the webhook secret; an unsigned POST is refused (below).
    "stripe:webhook": "signature",
    # Wagtail's admin API (Django REST framework) checks the CSRF token itself for a
    # signed-in editor: asserted by posting to it like every other URL.
    **{
        f"wagtailadmin_api:{kind}:{view}": "rest framework"
        for kind in ("pages", "documents", "images")
        for view in ("listing", "detail", "find")
    },
    "wagtailadmin_api:pages:action": "rest framework",
}

# Regular-expression routes (oscar, Wagtail, Django admin) can't be filled in
# automatically: an example URL for each, checked to resolve to the same view.
EXAMPLES = {
    "admin:app_list": "/django-admin/auth/",
    "wagtailadmin_pages:revisions_compare": "/cms/pages/1/revisions/compare/live...latest/",
    "wagtaildocs_serve": "/documents/1/report.pdf",
    "dashboard:catalogue-product-create": "/dashboard/catalogue/products/create/standard/",
    "dashboard:user-detail": "/dashboard/users/1/",
    "dashboard:user-password-reset": "/dashboard/users/1/password-reset/",
    "dashboard:user-alert-delete": "/dashboard/users/alerts/1/delete/",
    "dashboard:user-alert-update": "/dashboard/users/alerts/1/update/",
    "dashboard:comms-update": "/dashboard/comms/order-placed/",
    "catalogue:reviews-detail": "/shop/catalogue/mat-ong_1/reviews/1/",
    "catalogue:reviews-add": "/shop/catalogue/mat-ong_1/reviews/add/",
    "catalogue:reviews-vote": "/shop/catalogue/mat-ong_1/reviews/1/vote/",
    "catalogue:reviews-list": "/shop/catalogue/mat-ong_1/reviews/",
    "catalogue:detail": "/shop/catalogue/mat-ong_1/",
    "catalogue:category": "/shop/catalogue/category/mat-ong_1/",
    "catalogue:range": "/shop/catalogue/ranges/mua-thu/",
    "customer:anon-order-form": "/shop/accounts/order-status-form/100001/abc/",
    "customer:anon-order": "/shop/accounts/order-status/100001/abc/",
    "customer:address-change-status": "/shop/accounts/addresses/1/default_for_shipping/",
    "offer:detail": "/shop/offers/mua-thu/",
    "wagtail_serve": "/cau-chuyen/",
    "wagtailadmin_api:pages:listing": "/cms/api/main/pages/",
    "wagtailadmin_api:pages:detail": "/cms/api/main/pages/1/",
    "wagtailadmin_api:pages:find": "/cms/api/main/pages/find/",
    "wagtailadmin_api:pages:action": "/cms/api/main/pages/1/action/copy/",
    "wagtailadmin_api:documents:listing": "/cms/api/main/documents/",
    "wagtailadmin_api:documents:detail": "/cms/api/main/documents/1/",
    "wagtailadmin_api:documents:find": "/cms/api/main/documents/find/",
    "wagtailadmin_api:images:listing": "/cms/api/main/images/",
    "wagtailadmin_api:images:detail": "/cms/api/main/images/1/",
    "wagtailadmin_api:images:find": "/cms/api/main/images/find/",
    # Unnamed catch-alls of the two admin sites.
    "django-admin/(?P<url>.*)$": "/django-admin/no-such-page/",
    "cms/^.*/$": "/cms/no-such-page/",
}

CONVERTERS = {"int": "1", "slug": "x", "str": "x", "path": "x/y", "uuid": str(uuid.uuid4())}


def concrete(route) -> str:
    """A URL that resolves to ``route``'s view, with placeholder values."""
    key = route.name or route.route
    if any(mark in route.route for mark in "^$("):
        assert key in EXAMPLES, f"add an example URL for {key!r}"
        return EXAMPLES[key]
    path = route.route
    for converter, value in CONVERTERS.items():
        while f"<{converter}:" in path:
            start = path.index(f"<{converter}:")
            path = path[:start] + value + path[path.index(">", start) + 1 :]
    path = re.sub(r"<\w+>", "1", path)  # no converter: a string
    assert not any(mark in path for mark in "<^$("), f"add an example URL for {key!r}"
    return "/" + path


def all_urls() -> list[tuple[str, str, str]]:
    return [(route.name or route.route, concrete(route), route.route) for route in routes()]


@pytest.fixture
def forger(settings):
    """A signed-in superuser's browser, made to POST by another site: no CSRF token."""
    settings.CSRF_FAILURE_VIEW = "tests.security.test_csrf.csrf_refused"
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_every_url_refuses_a_post_without_token(forger):
    refused, exempt = 0, []
    for key, url, pattern in all_urls():
        match = resolve(url)
        # Django drops the "^" of regular expressions when it joins them.
        assert match.route.replace("^", "") == pattern.replace("^", ""), (url, match.route)
        if getattr(match.func, "csrf_exempt", False):
            assert key in EXEMPT, f"{key} ({url}) is exempt from CSRF: list it with a reason"
            exempt.append(key)
            if EXEMPT[key] == "signature":
                continue  # tested below
        response = forger.post(url, {"anything": "1"})
        assert response.status_code == 403, (
            f"{key}: POST {url} without token → {response.status_code}"
        )
        if key not in EXEMPT:
            assert response.content == CSRF_REFUSED, f"{key}: 403, but not by the CSRF check"
        refused += 1
    print(f"{refused} URLs refused a POST without token")
    assert refused > 500  # the walk really walked
    assert sorted(exempt) == sorted(EXEMPT)


def test_a_post_with_the_token_gets_through(forger):
    """The refusals above are the missing token, not the test's setup."""
    forger.get(reverse("basket:summary"))
    token = forger.cookies["csrftoken"].value
    response = forger.post(
        "/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


@pytest.fixture
def concrete_objects():
    """The shop's own POST targets, with real objects rather than placeholders."""
    manager = UserFactory()
    farm = CooperativeFactory(managers=[manager])
    WeightBasedFactory(cooperative=farm)
    product = ProductFactory(cooperative=farm, net_weight_grams=500)
    order = place_order((product, 1))
    fulfilment = order.fulfilments.get()
    token = order.verification_hash()
    slug = farm.slug
    return manager, [
        reverse("basket:add", kwargs={"pk": product.pk}),
        reverse("checkout:index"),
        reverse("checkout:preview"),
        reverse("orders:cancel-part", args=[order.number, token, fulfilment.pk]),
        reverse("stripe:pay", args=[order.number, token]),
        reverse("manager:product-update", kwargs={"cooperative_slug": slug, "pk": product.pk}),
        reverse("manager:product-visibility", kwargs={"cooperative_slug": slug, "pk": product.pk}),
        reverse("manager:phone-order", kwargs={"cooperative_slug": slug}),
        reverse(
            "manager:order-action",
            kwargs={"cooperative_slug": slug, "pk": fulfilment.pk, "action": "confirm"},
        ),
        reverse("manager:payment-received", kwargs={"cooperative_slug": slug, "pk": fulfilment.pk}),
        reverse("manager:orders-bulk", kwargs={"cooperative_slug": slug}),
        reverse("customer:login"),
        "/i18n/setlang/",
    ]


def test_the_shops_own_forms_refuse_a_forged_post_and_change_nothing(settings, concrete_objects):
    settings.CSRF_FAILURE_VIEW = "tests.security.test_csrf.csrf_refused"
    manager, urls = concrete_objects
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    before = {f.pk: f.status for f in Fulfilment.objects.all()}
    for url in urls:
        response = client.post(url, {"quantity": 1, "visible": "0"})
        assert response.status_code == 403 and response.content == CSRF_REFUSED, url
    assert {f.pk: f.status for f in Fulfilment.objects.all()} == before


def test_stripe_webhook_is_exempt_but_refuses_what_stripe_did_not_sign(client, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_cho_phien"
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_cho_phien"
    url = reverse("stripe:webhook")
    assert getattr(resolve(url).func, "csrf_exempt", False)
    payload = json.dumps(
        {
            "id": "evt_forged",
            "object": "event",
            "type": "checkout.session.completed",
            "data": {"object": {"id": "cs_x", "payment_status": "paid"}},
        }
    )
    forged = [
        {},
        {"HTTP_STRIPE_SIGNATURE": "t=1,v1=deadbeef"},
        {"HTTP_STRIPE_SIGNATURE": sign(payload, "whsec_someone_else")},
    ]
    for headers in forged:
        response = client.post(url, payload, content_type="application/json", **headers)
        assert response.status_code == 400
    assert not StripeEvent.objects.exists()
    signed = client.post(
        url,
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(payload, "whsec_test_cho_phien"),
    )
    assert signed.status_code == 200
    assert StripeEvent.objects.filter(event_id="evt_forged").exists()
