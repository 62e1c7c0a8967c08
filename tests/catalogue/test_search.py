"""Accent-insensitive search through the ORM, on SQLite and PostgreSQL alike."""

import pytest
from django.conf import settings
from django.urls import reverse

from catalogue.selectors import SORT_PRICE_ASC, SORT_PRICE_DESC, BrowseFilters, products_for_browse
from tests.factories import CooperativeFactory, ProductFactory, StockRecordFactory

pytestmark = pytest.mark.django_db


def browse(**filters):
    return list(products_for_browse(filters=BrowseFilters(**filters)))


@pytest.fixture
def vermicelli():
    return ProductFactory(title="Miến dong Bạch Thông", description="<p>Sợi dai.</p>")


@pytest.fixture
def honey():
    return ProductFactory(title="Mật ong rừng", description="<p>Hoa rừng Ba Bể.</p>")


@pytest.mark.parametrize("typed", ["mien dong", "Miến dong", "MIEN DONG", "dong mien", "miến"])
def test_words_with_or_without_accents_find_the_product(typed, vermicelli, honey):
    assert browse(query=typed) == [vermicelli]


def test_d_with_stroke_is_found_by_plain_d():
    product = ProductFactory(title="Đậu đỏ Chợ Đồn")
    ProductFactory(title="Gạo nếp")
    assert browse(query="dau do cho don") == [product]


def test_search_reads_descriptions_and_cooperative_names(vermicelli, honey):
    assert browse(query="ba be") == [honey]
    cooperative = CooperativeFactory(name="HTX Nà Pài")
    tea = ProductFactory(title="Chè xanh", cooperative=cooperative)
    assert browse(query="na pai") == [tea]


def test_title_matches_come_before_description_matches():
    in_description = ProductFactory(title="Bánh đa", description="<p>Làm từ gạo mới.</p>")
    in_title = ProductFactory(title="Gạo bao thai", description="<p>Dẻo thơm.</p>")
    assert browse(query="gao") == [in_title, in_description]


def test_hidden_products_and_inactive_cooperatives_are_not_listed(vermicelli):
    ProductFactory(title="Miến dong ẩn", is_public=False)
    closed = CooperativeFactory(is_active=False)
    ProductFactory(title="Miến dong đóng cửa", cooperative=closed)
    assert browse(query="mien") == [vermicelli]


def test_sorting_by_price():
    cheap = ProductFactory(stockrecords__price=50000)
    dear = ProductFactory(stockrecords__price=280000)
    assert browse(sort=SORT_PRICE_ASC) == [cheap, dear]
    assert browse(sort=SORT_PRICE_DESC) == [dear, cheap]


def test_search_page_and_catalogue_search_agree(client, vermicelli, honey):
    for url in (reverse("catalogue:index"), reverse("search:search")):
        response = client.get(url, {"q": "mien dong"})
        assert response.status_code == 200
        assert list(response.context["products"]) == [vermicelli]
        assert "Sản phẩm phù hợp với “mien dong”" in response.content.decode()


def test_an_unknown_sort_falls_back_without_an_error(client, vermicelli):
    response = client.get(reverse("catalogue:index"), {"sort_by": "drop table"})
    assert response.status_code == 200
    assert list(response.context["products"]) == [vermicelli]


def test_a_product_with_two_stock_records_is_listed_once():
    product = ProductFactory(title="Chè búp")
    StockRecordFactory(product=product, partner=product.cooperative.partner, partner_sku="x2")
    assert browse(query="che") == [product]


@pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="PostgreSQL only: SQLite has no trigram indexes (it reads every row)",
)
def test_postgresql_searches_through_the_trigram_indexes(vermicelli):
    """The lookup's SQL is the indexes' own expression, so the planner can use them."""
    from django.db import connection

    from catalogue.models import Product

    for field, index in (
        ("title", "catalogue_product_title_search"),
        ("description", "catalogue_product_description_search"),
    ):
        sql, params = Product.objects.filter(
            **{f"{field}__unaccent__icontains": "miến"}
        ).query.sql_with_params()
        with connection.cursor() as cursor:
            # A handful of rows is cheaper to read through; at scale the index wins. Left
            # only bitmap scans, the planner can still read through every row of another
            # index unless the condition is this index's own expression.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert f"Bitmap Index Scan on {index}" in plan, plan
    assert browse(query="MIEN dong") == [vermicelli]
