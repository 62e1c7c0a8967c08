"""Redis down as the cache: the shop still sells, it only forgets what it cached.

Production's cache is the same Redis as the broker. The pages a shopper takes to place
an order, Wagtail's pages (they look up the site's root paths in the cache), the rate
limits (counted in the cache) and a manager's phone order (its send-once key is in the
cache) must all keep working with nothing listening on the cache's port.
"""

import logging

import pytest
from django.core.cache import cache
from django.urls import reverse

from cooperatives.models import Notification
from order.models import Order
from tests.checkout.test_checkout_flow import add, delivery, with_shipping
from tests.factories import CooperativeFactory, ProductFactory, UserFactory, WeightBasedFactory
from tests.faults.stack import celery_broker, free_port

pytestmark = pytest.mark.django_db

CACHE_BACKEND = "shop.cache.ForgivingRedisCache"


@pytest.fixture
def redis_down(settings):
    """The cache and the broker on a port where nothing listens."""
    url = f"redis://127.0.0.1:{free_port()}/0"
    settings.RATELIMIT_ENABLE = True  # as in production: its counters live in the cache
    settings.CACHES = {
        "default": {"BACKEND": CACHE_BACKEND, "LOCATION": url, "KEY_PREFIX": "chophien"}
    }
    with celery_broker(url):
        yield url


@pytest.fixture
def honey():
    manager = UserFactory(email="quanly@mat-ong.example.vn")
    farm = CooperativeFactory(name="HTX Mật ong Ba Bể", managers=[manager])
    WeightBasedFactory(cooperative=farm)
    return ProductFactory(cooperative=farm, title="Mật ong rừng", net_weight_grams=700)


def test_a_shopper_browses_and_places_an_order_while_redis_is_down(
    client, honey, redis_down, demo_store, caplog
):
    with caplog.at_level(logging.WARNING):
        assert client.get("/").status_code == 200  # a Wagtail page
        assert client.get(honey.get_absolute_url()).status_code == 200
        assert client.get(reverse("search:search"), {"q": "mật ong"}).status_code == 200
        add(client, honey)
        data = with_shipping(delivery(email="lan@example.vn"), honey)
        assert client.post(reverse("checkout:index"), data).status_code == 302
        basket_id = client.get(reverse("checkout:preview")).context["request"].basket.id
        placed = client.post(reverse("checkout:preview"), {"basket_id": basket_id})

    order = Order.objects.get(lines__product=honey)
    assert placed.status_code == 302
    assert client.get(placed["Location"]).status_code == 200
    assert not Notification.objects.filter(order=order).exists()  # the sweep sends them later
    assert "cache unreachable" in caplog.text


def test_the_cache_forgets_instead_of_failing(redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="shop.cache"):
        assert cache.get("x", "default") == "default"
        assert cache.get_many(["x", "y"]) == {}
        assert cache.has_key("x") is False
        assert cache.set("x", 1) is None
        assert cache.set_many({"x": 1, "y": 2}) == ["x", "y"]
        assert cache.delete("x") is False
        assert cache.touch("x") is False
        with pytest.raises(ValueError):
            cache.incr("x")  # as for a key that is not there
        # ``add`` says yes: a send-once key or a rate-limit counter that cannot be kept
        # must not refuse the order it guards (see shop/cache.py).
        assert cache.add("x", 1) is True
    assert caplog.text.count("cache unreachable") == 9


def test_without_the_forgiving_cache_a_dead_redis_breaks_pages(
    client, honey, redis_down, demo_store, settings
):
    """Why the backend is not Django's own: its errors reach the shopper as a 500."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_down,
        }
    }
    with pytest.raises(Exception, match="Connection refused"):
        client.get("/")  # Wagtail looks up its sites' root paths in the cache


def test_a_manager_takes_a_phone_order_while_redis_is_down(client, honey, redis_down):
    from tests.cooperatives.console_phone.test_phone_order_page import _data, _url

    farm = honey.cooperative
    client.force_login(farm.partner.users.get())
    submission = client.get(_url(farm)).context["form"].initial["submission"]

    response = client.post(_url(farm), _data(honey, submission=submission))

    fulfilment = Order.objects.get().fulfilments.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "manager:order-detail", kwargs={"cooperative_slug": farm.slug, "pk": fulfilment.pk}
    )


def test_the_health_check_still_reports_the_cache_down(client, redis_down):
    """Forgiving pages must not hide the outage from whoever watches /health/."""
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["status"] == "error"
