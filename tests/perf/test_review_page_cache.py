"""Review of shop/page_cache.py: what one visitor's page must never give another.

Changes are saved inside ``django_capture_on_commit_callbacks(execute=True)``, as in
test_page_cache.py, because the cache is invalidated once the change commits.
"""

import re

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.urls import reverse

from shop import page_cache
from tests.factories import (
    CategoryFactory,
    ProductFactory,
    UserFactory,
    WeightBasedFactory,
    place_order,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


@pytest.fixture
def product():
    category = CategoryFactory()
    product = ProductFactory(categories__category=category, stockrecords__num_in_stock=5)
    WeightBasedFactory(cooperative=product.cooperative)
    return product


def cached(response) -> str | None:
    return response.headers.get("X-Page-Cache")


def test_a_message_shown_in_the_same_response_is_not_kept_for_the_next_visitor(
    settings, monkeypatch
):
    # Rendering the messages moves the queued ones into the "shown" list: the page holds
    # this visitor's message although nothing is queued any more when it is stored.
    settings.ROOT_URLCONF = "tests.perf.review_urls"
    monkeypatch.setitem(page_cache.CACHEABLE_VIEWS, "review-message", frozenset())
    first = Client().get("/review-message/")
    assert "Đơn hàng của Lan".encode() in first.content
    assert cached(first) is None
    other = Client().get("/review-message/")
    assert cached(other) is None


def test_every_csrf_token_in_a_kept_page_is_the_visitors_own(settings, monkeypatch):
    settings.ROOT_URLCONF = "tests.perf.review_urls"
    monkeypatch.setitem(page_cache.CACHEABLE_VIEWS, "review-token", frozenset())
    first = Client(enforce_csrf_checks=True)
    kept = first.get("/review-token/")
    assert cached(kept) == "miss"
    second = Client(enforce_csrf_checks=True)
    served = second.get("/review-token/")
    assert cached(served) == "hit"
    tokens = re.findall(rb"[A-Za-z0-9]{64}", served.content)
    assert len(tokens) == 3
    secret = second.cookies["csrftoken"].value
    for token in tokens:
        assert _unmask_cipher_token(token.decode()) == secret
    assert first.cookies["csrftoken"].value != secret


def test_placing_an_order_shows_the_new_stock_at_once(
    client, product, django_capture_on_commit_callbacks
):
    url = product.get_absolute_url()
    client.get(url)
    assert cached(client.get(url)) == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        place_order((product, 5))  # the last five: allocated by one conditional UPDATE
    page = client.get(url)
    assert cached(page) == "miss"
    assert not page.context["session"].availability.is_available_to_buy


def test_a_served_page_carries_none_of_the_first_visitors_cookies(product):
    url = product.get_absolute_url()
    first = Client()
    first.cookies["django_language"] = "vi"
    first.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
    assert cached(first.get(url)) is None  # the "added" message is shown once, not kept
    kept = first.get(url)
    assert cached(kept) == "miss"
    sent_by_first = {name: morsel.value for name, morsel in first.cookies.items()}
    second = Client().get(url)
    assert cached(second) == "hit"
    for name, morsel in second.cookies.items():
        assert morsel.value != sent_by_first.get(name), name
    assert set(second.cookies) <= {"csrftoken"}
    assert str(first.cookies["csrftoken"].value).encode() not in second.content


def test_head_is_answered_but_never_kept(client, product):
    url = product.get_absolute_url()
    head = client.head(url)
    assert head.status_code == 200
    assert cached(head) is None
    assert cached(client.get(url)) == "miss"


# A guest's basket page is kept under their basket alone: test_basket_page_cache.py.
@pytest.mark.parametrize("name", ["checkout:index", "customer:summary", "customer:login"])
def test_checkout_and_account_pages_are_never_served_from_the_cache(client, name):
    for _ in range(2):
        assert cached(client.get(reverse(name))) is None


def test_a_signed_in_shoppers_page_is_never_kept(client, product):
    client.force_login(UserFactory(first_name="Lan"))
    url = product.get_absolute_url()
    client.get(url)
    assert cached(Client().get(url)) == "miss"


def test_a_not_found_page_is_never_kept(client):
    for _ in range(2):
        response = client.get("/shop/catalogue/khong-co-san-pham_999999/")
        assert response.status_code == 404
        assert cached(response) is None


def test_a_manager_raising_a_line_shows_the_new_stock_at_once(
    client, product, django_capture_on_commit_callbacks
):
    from cooperatives.models import Fulfilment
    from cooperatives.services.fulfillment import fulfilment_line_change

    with django_capture_on_commit_callbacks(execute=True):
        order = place_order((product, 1))
    url = product.get_absolute_url()
    client.get(url)
    assert cached(client.get(url)) == "hit"
    manager = UserFactory()
    product.cooperative.partner.users.add(manager)
    with django_capture_on_commit_callbacks(execute=True):
        fulfilment_line_change(  # the other four: allocated by one conditional UPDATE
            fulfilment=Fulfilment.objects.get(order=order),
            line=order.lines.get(),
            quantity=5,
            actor=manager,
        )
    page = client.get(url)
    assert cached(page) == "miss"
    assert not page.context["session"].availability.is_available_to_buy
