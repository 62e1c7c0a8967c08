"""Floods of place-order, search and the other abuse-prone requests get "429, wait".

There is no one-time-password (OTP) step in the shop, so the other requests that cost
the shop something each time are limited instead: the phone-order console, the commune
lookup, registration, password-reset e-mails and starting a card payment.
"""

import pytest
from django.urls import reverse

from order.models import Order
from shop.security import RATE_LIMITS
from tests.checkout.test_checkout_flow import add, delivery, with_shipping
from tests.factories import CooperativeFactory, ProductFactory, UserFactory, WeightBasedFactory
from tests.security.urlconf import routes

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rate_limits")]

SHOPPER_IP = "203.0.113.20"


def assert_too_many(response):
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    page = response.content.decode()
    assert '<html lang="vi"' in page and 'role="alert"' in page


def test_every_limited_url_name_exists():
    """A renamed URL would silently lose its limit."""
    names = {route.name for route in routes()}
    assert set(RATE_LIMITS) <= names, set(RATE_LIMITS) - names


@pytest.fixture
def product():
    cooperative = CooperativeFactory()
    WeightBasedFactory(cooperative=cooperative)
    return ProductFactory(cooperative=cooperative, net_weight_grams=500)


def ready_to_place(client, product):
    add(client, product)
    response = client.post(
        reverse("checkout:index"), with_shipping(delivery(), product), REMOTE_ADDR=SHOPPER_IP
    )
    assert response.status_code == 302
    return client.get(reverse("checkout:preview")).context["request"].basket.id


def test_place_order_flood_is_refused_and_places_nothing_more(client, product):
    basket_id = ready_to_place(client, product)
    response = client.post(
        reverse("checkout:preview"), {"basket_id": basket_id}, REMOTE_ADDR=SHOPPER_IP
    )
    assert response.status_code == 302  # the real order
    assert Order.objects.count() == 1
    for _ in range(9):  # repeats: the same order, within the limit of 10 a minute
        client.post(reverse("checkout:preview"), {"basket_id": basket_id}, REMOTE_ADDR=SHOPPER_IP)
    assert_too_many(
        client.post(reverse("checkout:preview"), {"basket_id": basket_id}, REMOTE_ADDR=SHOPPER_IP)
    )
    assert Order.objects.count() == 1


def test_another_shopper_behind_the_same_address_still_orders(client, client_factory, product):
    for _ in range(11):
        client.post(reverse("checkout:preview"), {"basket_id": "1"}, REMOTE_ADDR=SHOPPER_IP)
    assert client.post(reverse("checkout:preview"), REMOTE_ADDR=SHOPPER_IP).status_code == 429

    neighbour = client_factory()
    basket_id = ready_to_place(neighbour, product)
    response = neighbour.post(
        reverse("checkout:preview"), {"basket_id": basket_id}, REMOTE_ADDR=SHOPPER_IP
    )
    assert response.status_code == 302
    assert Order.objects.count() == 1


def test_cookie_dropping_script_meets_the_address_limit(client_factory):
    # Each request from a fresh client: no session to count by, only the address.
    statuses = [
        client_factory().post(reverse("checkout:preview"), REMOTE_ADDR=SHOPPER_IP).status_code
        for _ in range(61)
    ]
    assert 429 not in statuses[:10]
    assert statuses[-1] == 429


@pytest.fixture
def client_factory():
    from django.test import Client

    def make():
        client = Client()
        session = client.session  # gives the client its own session cookie
        session.save()
        return client

    return make


@pytest.mark.parametrize("url", ["/tim-kiem/?q=mien", "/shop/search/?q=mien"])
def test_search_allows_a_minute_of_typing_then_refuses(client, url):
    for _ in range(60):
        assert client.get(url, REMOTE_ADDR=SHOPPER_IP).status_code == 200
    assert_too_many(client.get(url, REMOTE_ADDR=SHOPPER_IP))
    # Others are not slowed down by one address's flood.
    assert client.get(url, REMOTE_ADDR="198.51.100.3").status_code == 200


def test_commune_lookup_is_limited(client):
    url = reverse("address:communes") + "?province=19"
    for _ in range(120):
        assert client.get(url, REMOTE_ADDR=SHOPPER_IP).status_code == 200
    assert_too_many(client.get(url, REMOTE_ADDR=SHOPPER_IP))


def test_phone_order_console_is_limited_per_manager(client):
    manager = UserFactory()
    cooperative = CooperativeFactory(managers=[manager])
    client.force_login(manager)
    url = reverse("manager:phone-order", kwargs={"cooperative_slug": cooperative.slug})
    for _ in range(30):
        assert client.post(url, {}).status_code == 200  # the form, with its errors
    assert_too_many(client.post(url, {}))
    assert client.get(url).status_code == 200  # reading the form is not limited


def test_registration_in_bulk_is_limited(client):
    url = reverse("customer:register")
    account = {"password1": "a-Long-pass-phrase-9", "password2": "a-Long-pass-phrase-9"}
    response = client.post(url, {"email": "lan@example.vn", **account}, REMOTE_ADDR=SHOPPER_IP)
    assert response.status_code == 302  # a real shopper registers
    client.logout()
    for _ in range(allowed("customer:register") - 1):
        assert client.post(url, {}, REMOTE_ADDR=SHOPPER_IP).status_code == 200
    assert_too_many(
        client.post(url, {"email": "bot@example.vn", **account}, REMOTE_ADDR=SHOPPER_IP)
    )


def allowed(name: str) -> int:
    """The fewest requests any of ``name``'s limits allows."""
    return min(int(limit.rate.split("/")[0]) for limit in RATE_LIMITS[name])


@pytest.mark.parametrize("name", RATE_LIMITS)
def test_every_limit_refuses_one_client_past_its_count(client, name):
    """Each rule in the table really applies to its view, whatever the view does."""
    from tests.security.test_csrf import concrete

    client.session.save()  # a browser that already has its session cookie
    route = next(route for route in routes() if route.name == name)
    url = concrete(route)
    method = RATE_LIMITS[name][0].methods[0]
    send = client.post if method == "POST" else client.get
    data = {"q": "mien"} if method == "GET" else {}
    statuses = [send(url, data, REMOTE_ADDR=SHOPPER_IP).status_code for _ in range(allowed(name))]
    assert 429 not in statuses, statuses
    assert_too_many(send(url, data, REMOTE_ADDR=SHOPPER_IP))


@pytest.mark.parametrize("url_name", ["password-reset", "wagtailadmin_password_reset"])
def test_reset_emails_to_one_mailbox_are_limited(client, mailoutbox, url_name):
    user = UserFactory(is_staff=True)
    url = reverse(url_name)
    for number in range(3):
        response = client.post(url, {"email": user.email}, REMOTE_ADDR=f"198.51.100.{number}")
        assert response.status_code == 302
    assert len(mailoutbox) == 3
    assert_too_many(client.post(url, {"email": user.email}, REMOTE_ADDR="198.51.100.99"))
    assert len(mailoutbox) == 3


def test_limits_are_off_when_disabled(client, settings):
    settings.RATELIMIT_ENABLE = False
    for _ in range(70):
        assert client.get("/tim-kiem/?q=x", REMOTE_ADDR=SHOPPER_IP).status_code == 200


def test_the_wait_ends_when_retry_after_says(client, rate_limits):
    for _ in range(60):
        client.get("/tim-kiem/?q=x", REMOTE_ADDR=SHOPPER_IP)
    refused = client.get("/tim-kiem/?q=x", REMOTE_ADDR=SHOPPER_IP)
    assert refused.status_code == 429
    rate_limits.now += int(refused["Retry-After"])
    assert client.get("/tim-kiem/?q=x", REMOTE_ADDR=SHOPPER_IP).status_code == 200


def test_cache_down_lets_shoppers_through(client, monkeypatch):
    """Redis down must not turn every search or order into "too many requests"."""
    import redis

    def unreachable(*args, **kwargs):
        raise redis.exceptions.ConnectionError("Connection refused")

    from django.core.cache import cache

    monkeypatch.setattr(cache, "add", unreachable)
    monkeypatch.setattr(cache, "incr", unreachable)
    for _ in range(65):
        assert client.get("/tim-kiem/?q=x", REMOTE_ADDR=SHOPPER_IP).status_code == 200
