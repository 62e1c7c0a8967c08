"""Query budgets of the home page and a story page: fixed, and flat as product cards grow.

Each page is fetched once before counting so that per-process caches (site, basket,
thumbnails, renditions) are warm, as they are for every request after the first.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from stories import services
from stories.models import HomePage
from tests.factories import CooperativeFactory, ProductFactory

pytestmark = pytest.mark.django_db

# Raise a budget only in a change that says why.
STORY_PAGE_BUDGET = 16
HOME_PAGE_BUDGET = 14


def count_queries(client, url: str) -> int:
    assert client.get(url).status_code == 200  # warm caches and thumbnails
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def cards(products):
    return [("product_card", {"product": product, "blurb": "Ngon."}) for product in products]


def test_a_story_page_costs_the_same_with_2_or_10_product_cards(client, make_story):
    cooperative = CooperativeFactory()
    two = make_story(body=cards(ProductFactory.create_batch(2, cooperative=cooperative)))
    ten = make_story(body=cards(ProductFactory.create_batch(10, cooperative=cooperative)))
    with_2 = count_queries(client, two.url)
    with_10 = count_queries(client, ten.url)
    print(f"story page: {with_2} queries with 2 product cards, {with_10} with 10")
    assert with_2 == with_10 == STORY_PAGE_BUDGET


def test_product_rows_cost_one_query_per_block_type_not_per_product(client, make_story):
    products = ProductFactory.create_batch(8)
    small = make_story(body=[("product_row", {"title": "", "products": products[:1]})])
    large = make_story(
        body=[("product_row", {"title": "", "products": products[:4]}) for _ in range(2)]
    )
    assert count_queries(client, small.url) == count_queries(client, large.url)


def test_the_home_page_costs_the_same_with_2_or_8_featured_products(
    client, home, make_story, campaign_index
):
    cooperative = CooperativeFactory()
    make_story(cooperative=cooperative)
    today = timezone.localdate()
    services.campaign_publish(
        index=campaign_index, title="Tết", slug="tet", start_date=today, end_date=today
    )
    home.featured_products = [("product", p) for p in ProductFactory.create_batch(2)]
    home.featured_cooperatives = [("cooperative", cooperative)]
    home.save_revision().publish()
    with_2 = count_queries(client, "/")
    home = HomePage.objects.get()
    home.featured_products = [("product", p) for p in ProductFactory.create_batch(8)]
    home.featured_cooperatives = [("cooperative", c) for c in CooperativeFactory.create_batch(3)]
    home.save_revision().publish()
    for _ in range(3):
        make_story(cooperative=cooperative)
    with_8 = count_queries(client, "/")
    print(f"home page: {with_2} queries with 2 featured products, {with_8} with 8")
    assert with_2 == with_8 == HOME_PAGE_BUDGET
