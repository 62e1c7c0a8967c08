"""A guest's basket page kept under their basket (shop/page_cache.py, ``KEYED_BY_VISITOR``).

The page is kept under a digest of the basket's stored lines and vouchers
(``basket.selectors.guest_basket_state``), read on every visit, and under the page
cache's generation, which moves on when a price, stock, offer or delivery rate changes.
Changes are saved inside ``django_capture_on_commit_callbacks(execute=True)``: the
generation moves once the change commits, as in production.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.apps.offer.models import Benefit

from tests.factories import ProductFactory, UserFactory, site_offer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

BASKET = reverse("basket:summary")


def cached(response) -> str | None:
    return response.headers.get("X-Page-Cache")


def quantities(page) -> list[str]:
    return re.findall(rb'name="form-\d+-quantity" value="(\d+)"', page.content)


def guest_with(*items) -> Client:
    """A guest who put ``(product, quantity)`` in their basket and saw the message."""
    guest = Client()
    for product, quantity in items:
        guest.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": quantity})
    guest.cookies.pop("messages", None)  # shown on the page they were sent back to
    return guest


@pytest.fixture
def honey():
    return ProductFactory(title="Mật ong rừng", stockrecords__num_in_stock=50)


def test_a_guests_basket_page_is_kept_and_served_after_one_query(honey, django_assert_num_queries):
    guest = guest_with((honey, 2))
    first = guest.get(BASKET)
    assert (first.status_code, cached(first)) == (200, "miss")
    with django_assert_num_queries(1):  # the basket's stored lines and vouchers
        again = guest.get(BASKET)
    assert cached(again) == "hit"
    assert quantities(again) == quantities(first) == [b"2"]
    assert "Mật ong rừng" in again.content.decode()


def test_each_guest_is_served_their_own_basket(honey):
    noodles = ProductFactory(title="Miến dong Na Rì")
    a, b = guest_with((honey, 1)), guest_with((noodles, 3))
    assert cached(a.get(BASKET)) == "miss"
    page = b.get(BASKET)
    assert cached(page) == "miss"
    assert "Miến dong Na Rì" in page.content.decode()
    assert "Mật ong rừng" not in page.content.decode()
    empty = Client().get(BASKET)  # no basket at all
    assert "Mật ong rừng" not in empty.content.decode()


def test_a_change_to_the_basket_shows_at_once(honey):
    guest = guest_with((honey, 1))
    assert cached(guest.get(BASKET)) == "miss"
    assert cached(guest.get(BASKET)) == "hit"
    guest.post(reverse("basket:add", kwargs={"pk": honey.pk}), {"quantity": 1})
    shown = guest.get(BASKET)  # with the "added" message: rendered for this guest alone
    assert cached(shown) is None
    assert quantities(shown) == [b"2"]
    page = guest.get(BASKET)
    assert (cached(page), quantities(page)) == ("miss", [b"2"])
    line = page.context["formset"].forms[0]
    guest.post(
        BASKET,
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-id": line.instance.pk,
            "form-0-quantity": "5",
        },
    )
    guest.cookies.pop("messages", None)
    assert quantities(guest.get(BASKET)) == [b"5"]


def test_a_new_price_or_offer_shows_once_it_commits(honey, django_capture_on_commit_callbacks):
    guest = guest_with((honey, 2))
    guest.get(BASKET)
    stockrecord = honey.stockrecords.get()
    with django_capture_on_commit_callbacks(execute=True):
        stockrecord.price = Decimal("131000")
        stockrecord.save()
    page = guest.get(BASKET)
    assert cached(page) == "miss"
    assert page.context["basket"].total_incl_tax == Decimal("262000")
    with django_capture_on_commit_callbacks(execute=True):
        site_offer(name="Giảm 10%", benefit_type=Benefit.PERCENTAGE, value=10)
    page = guest.get(BASKET)
    assert cached(page) == "miss"
    assert page.context["basket"].total_incl_tax == Decimal("235800")


def test_a_page_showing_an_offer_that_ends_in_a_moment_is_not_kept(honey):
    offer = site_offer(name="Giảm 10%", benefit_type=Benefit.PERCENTAGE, value=10)
    offer.end_datetime = timezone.now() + datetime.timedelta(milliseconds=900)
    offer.save()
    guest = guest_with((honey, 1))
    # Kept for less than the cache's least, or, on a slow machine, the offer ended while
    # the page was rendered: not kept either way.
    assert cached(guest.get(BASKET)) is None
    assert cached(guest.get(BASKET)) is None


def test_a_signed_in_shoppers_basket_page_is_their_own(client, honey):
    client.force_login(UserFactory())
    client.post(reverse("basket:add", kwargs={"pk": honey.pk}), {"quantity": 1})
    client.cookies.pop("messages", None)
    client.get(BASKET)
    assert cached(client.get(BASKET)) is None  # shows their saved-for-later basket too


def test_a_basket_cookie_that_does_not_check_out_is_not_served(honey):
    guest = guest_with((honey, 1))
    guest.get(BASKET)
    guest.cookies["oscar_open_basket"] = "1:forged"
    page = guest.get(BASKET)
    assert cached(page) is None
    assert "Mật ong rừng" not in page.content.decode()
