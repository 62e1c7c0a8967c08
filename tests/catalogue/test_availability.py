"""Stock told to shoppers only when it is low, so that orders leave kept pages alone."""

import re
from decimal import Decimal

import pytest
from django.utils import translation
from oscar.apps.partner.availability import Available, StockRequired, Unavailable

from catalogue.availability import LOW_STOCK_SHOWN, availability_message
from shop import page_cache
from tests.factories import CooperativeFactory, ProductFactory, WeightBasedFactory, place_order

pytestmark = pytest.mark.django_db


def stock_told(page: str) -> list[str]:
    """What the product page says about stock: beside the price, and in the details."""
    beside = re.findall(r'availability">\s*<i class="[^"]*"></i>(.*?)</p>', page, re.S)
    details = re.findall(r"Tình trạng hàng</th><td>(.*?)</td>", page)
    return [" ".join(text.split()) for text in beside + details]


@pytest.mark.parametrize(
    ("policy", "english", "vietnamese"),
    [
        (StockRequired(LOW_STOCK_SHOWN + 1), "In stock", "Còn hàng"),
        (StockRequired(243), "In stock", "Còn hàng"),
        (StockRequired(10), "Only 10 left", "Chỉ còn 10"),
        (StockRequired(1), "Only 1 left", "Chỉ còn 1"),
        (StockRequired(0), "Sold out", "Hết hàng"),
        (StockRequired(-2), "Sold out", "Hết hàng"),  # over-allocated by hand
        (Available(), "Available", None),
        (Unavailable(), "Unavailable", None),
    ],
)
def test_the_count_is_told_only_when_little_is_left(policy, english, vietnamese):
    assert LOW_STOCK_SHOWN == 10
    with translation.override("en"):
        assert availability_message(policy) == english
    if vietnamese:
        with translation.override("vi"):
            assert availability_message(policy) == vietnamese


@pytest.fixture
def honey():
    cooperative = CooperativeFactory()
    WeightBasedFactory(cooperative=cooperative, bands=[(5, 30000)])
    return ProductFactory(
        cooperative=cooperative,
        net_weight_grams=500,
        stockrecords__price=Decimal("150000"),
        stockrecords__num_in_stock=LOW_STOCK_SHOWN + 3,
    )


def test_the_product_page_tells_no_count_while_plenty_is_left(client):
    cooperative = CooperativeFactory()
    plenty = ProductFactory(cooperative=cooperative, stockrecords__num_in_stock=243)
    few = ProductFactory(cooperative=cooperative, stockrecords__num_in_stock=4)
    page = client.get(plenty.get_absolute_url()).content.decode()
    told = stock_told(page)  # beside the price, in the details, on related products' cards
    assert len(told) >= 2 and set(told) == {"Còn hàng"}
    assert "243" not in page
    page = client.get(few.get_absolute_url()).content.decode()
    assert stock_told(page)[:1] == ["Chỉ còn 4"]
    assert "Chỉ còn 4" in stock_told(page)[1:]  # the details say so too


@pytest.mark.usefixtures("page_cache_on")
def test_an_order_leaving_plenty_keeps_the_pages_and_one_leaving_little_shows_it(
    client, honey, django_capture_on_commit_callbacks
):
    url = honey.get_absolute_url()
    assert "Còn hàng" in client.get(url).content.decode()
    before = page_cache.generation()

    with django_capture_on_commit_callbacks(execute=True):
        place_order((honey, 2))  # 11 left: the page still says "in stock"
    assert page_cache.generation() == before
    assert client.get(url).headers["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        place_order((honey, 1))  # 10 left
    assert page_cache.generation() != before
    page = client.get(url)
    assert page.headers["X-Page-Cache"] == "miss"
    assert f"Chỉ còn {LOW_STOCK_SHOWN}" in page.content.decode()

    moved = page_cache.generation()
    with django_capture_on_commit_callbacks(execute=True):
        place_order((honey, LOW_STOCK_SHOWN))
    assert page_cache.generation() != moved
    assert "Hết hàng" in client.get(url).content.decode()


def test_held_stock_covers_lines_of_at_most_the_count_told():
    from catalogue.availability import held_stock_covers

    assert held_stock_covers(LOW_STOCK_SHOWN)
    assert not held_stock_covers(LOW_STOCK_SHOWN + 1)
