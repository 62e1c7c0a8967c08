"""Shoppers narrow the product list: cooperative, province, OCOP, season, price."""

import datetime

import pytest
from django.urls import reverse

from catalogue.selectors import BrowseFilters, browse_choices, products_for_browse
from catalogue.services import harvest_months_mask
from tests.factories import CooperativeFactory, ProductFactory

pytestmark = pytest.mark.django_db

JULY = datetime.date(2026, 7, 15)


def browse(today=JULY, **filters):
    return list(products_for_browse(filters=BrowseFilters(**filters), today=today))


def rated(stars=4, expires_on=datetime.date(2027, 1, 1), **kwargs):
    return ProductFactory(
        ocop_stars=stars,
        ocop_certificate_number="OCOP-TN-2025-0001",
        ocop_issued_on=datetime.date(2024, 1, 1),
        ocop_expires_on=expires_on,
        **kwargs,
    )


def test_ocop_only_lists_products_whose_certificate_is_still_valid():
    valid = rated()
    expires_today = rated(expires_on=JULY)
    rated(expires_on=JULY - datetime.timedelta(days=1))  # expired yesterday
    ProductFactory()  # never rated
    assert set(browse(ocop_only=True)) == {valid, expires_today}


def test_in_season_lists_products_harvested_this_month():
    summer = ProductFactory(harvest_months=harvest_months_mask([6, 7, 8]))
    ProductFactory(harvest_months=harvest_months_mask([9, 10, 11]))
    ProductFactory(harvest_months=0)
    winter = ProductFactory(harvest_months=harvest_months_mask([11, 12, 1]))
    assert browse(in_season=True) == [summer]
    assert browse(in_season=True, today=datetime.date(2027, 1, 10)) == [winter]


def test_by_cooperative():
    ba_be = CooperativeFactory(name="HTX Ba Bể")
    honey = ProductFactory(cooperative=ba_be)
    ProductFactory()
    assert browse(cooperative_slug=ba_be.slug) == [honey]


def test_by_province_of_origin_or_else_of_the_cooperative():
    from_lao_cai = ProductFactory(origin_province_code="15", origin_province_name="Lào Cai")
    made_at_home = ProductFactory()  # no origin: its cooperative is in Thái Nguyên (19)
    assert browse(province_code="15") == [from_lao_cai]
    assert browse(province_code="19") == [made_at_home]


def test_filters_offer_only_cooperatives_and_provinces_with_products():
    ProductFactory(cooperative=CooperativeFactory(name="HTX Có hàng"))
    CooperativeFactory(name="HTX Chưa có hàng")
    ProductFactory(origin_province_code="15", origin_province_name="Lào Cai")
    choices = browse_choices()
    names = [name for _, name in choices["cooperatives"]]
    assert "HTX Có hàng" in names
    assert "HTX Chưa có hàng" not in names
    assert ("15", "Lào Cai") in choices["provinces"]
    assert ("19", "Thái Nguyên") in choices["provinces"]


def test_list_page_applies_the_filters_and_ignores_bad_values(client):
    cooperative = CooperativeFactory()
    rated_product = rated(cooperative=cooperative)
    ProductFactory(cooperative=cooperative)
    response = client.get(
        reverse("catalogue:index"),
        {"cooperative": cooperative.slug, "ocop": "on", "province": "no-such-province"},
    )
    assert response.status_code == 200
    assert list(response.context["products"]) == [rated_product]
    assert "Chỉ sản phẩm OCOP" in response.content.decode()


def test_category_page_keeps_filters(client):
    from tests.factories import CategoryFactory

    category = CategoryFactory(name="Mật ong")
    honey = rated(categories__category=category)
    ProductFactory(categories__category=category)
    response = client.get(category.get_absolute_url(), {"ocop": "on"})
    assert list(response.context["products"]) == [honey]
