"""Pictures a phone needs first are asked for first; the rest wait until scrolled to."""

import re

import pytest

from tests.factories import CategoryFactory, CooperativeFactory, ProductFactory

pytestmark = pytest.mark.django_db

IMG = re.compile(r"<img [^>]*>")


def images(client, url) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    return IMG.findall(response.content.decode())


def test_product_page_fetches_its_photo_first_and_related_cards_on_scroll(client):
    cooperative = CooperativeFactory()
    product, *others = ProductFactory.create_batch(4, cooperative=cooperative)
    found = images(client, product.get_absolute_url())
    eager = [img for img in found if 'loading="eager"' in img]
    assert len(eager) == 1, eager  # the product's own photo, not the "more from" cards
    assert 'fetchpriority="high"' in eager[0]
    lazy = [img for img in found if 'loading="lazy"' in img]
    assert len(lazy) >= len(others)
    assert not any("fetchpriority" in img for img in lazy)


def test_category_page_fetches_the_first_row_first(client):
    category = CategoryFactory()
    ProductFactory.create_batch(6, categories__category=category)
    found = [img for img in images(client, category.get_absolute_url()) if "loading=" in img]
    assert len(found) == 6
    assert all('loading="eager"' in img and 'fetchpriority="high"' in img for img in found[:4])
    assert all('loading="lazy"' in img and "fetchpriority" not in img for img in found[4:])
