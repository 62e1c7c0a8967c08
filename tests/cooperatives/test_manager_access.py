"""Every manager-console URL, walked as the wrong people.

The URLs are read from the console's URL conf, so a page added later is checked
too: a manager of another cooperative gets 404 (never learning what exists), an
anonymous visitor is sent to log in, and nothing changes for either.
"""

import pytest
from django.urls import URLPattern, URLResolver

from catalogue.models import Product, ProductImage
from cooperatives import manager_urls
from tests.factories import CooperativeFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


def patterns(urlpatterns, prefix=""):
    for entry in urlpatterns:
        if isinstance(entry, URLResolver):
            yield from patterns(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.name


def console_urls(kwargs: dict) -> list[tuple[str, str]]:
    urls = []
    for route, name in patterns(manager_urls.urlpatterns):
        path = route
        for key, value in kwargs.items():
            path = path.replace(f"<slug:{key}>", str(value)).replace(f"<int:{key}>", str(value))
        assert "<" not in path, f"no test value for a parameter of {route}"
        urls.append((f"/quan-ly/{path}", name))
    return urls


@pytest.fixture
def owned():
    manager = UserFactory()
    cooperative = CooperativeFactory(managers=[manager])
    product = ProductFactory(cooperative=cooperative)
    image = ProductImage.objects.create(product=product, original="images/products/x.jpg")
    from cooperatives.models import ProductImport

    product_import = ProductImport.objects.create(
        cooperative=cooperative,
        created_by=manager,
        original_name="a.csv",
        file_format="csv",
        status="dry_run_ok",
    )
    kwargs = {
        "cooperative_slug": cooperative.slug,
        "pk": product.pk,
        "image_pk": image.pk,
        "import_pk": product_import.pk,
        "action": "confirm",  # the order card's actions (tests/cooperatives/console/)
    }
    return {"manager": manager, "cooperative": cooperative, "product": product, "kwargs": kwargs}


def snapshot(product):
    product.refresh_from_db()
    stockrecord = product.stockrecords.get()
    return (product.title, product.is_public, stockrecord.price, product.images.count())


def test_the_walk_covers_every_console_page(owned):
    names = {name for _, name in console_urls(owned["kwargs"])}
    assert {"product-list", "product-create", "product-update", "product-visibility",
            "product-image-add", "product-image-delete", "product-image-move",
            "product-import", "product-export"} <= names  # fmt: skip


def test_manager_of_another_cooperative_is_refused_everywhere(client, owned):
    outsider = UserFactory()
    CooperativeFactory(managers=[outsider])
    client.force_login(outsider)
    before = snapshot(owned["product"])
    for url, name in console_urls(owned["kwargs"]):
        if name == "home":
            continue
        got = client.get(url).status_code
        posted = client.post(url, {"title": "Hacked", "is_public": "0", "price": 1}).status_code
        assert got in (404, 405), (url, got)
        assert posted == 404, (url, posted)
    assert snapshot(owned["product"]) == before


def test_anonymous_visitors_are_sent_to_log_in_everywhere(client, owned):
    before = snapshot(owned["product"])
    for url, _name in console_urls(owned["kwargs"]):
        for response in (client.get(url), client.post(url, {"title": "Hacked"})):
            assert response.status_code == 302, url
            assert response["Location"].startswith("/shop/accounts/login/"), url
    assert snapshot(owned["product"]) == before


def test_a_shopper_without_a_cooperative_is_refused_the_console(client):
    client.force_login(UserFactory())
    assert client.get("/quan-ly/").status_code == 403


def test_own_manager_and_staff_get_in(client, owned):
    client.force_login(owned["manager"])
    home = client.get("/quan-ly/")
    assert home.status_code == 302
    assert home["Location"] == f"/quan-ly/{owned['cooperative'].slug}/san-pham/"
    assert client.get(home["Location"]).status_code == 200
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(f"/quan-ly/{owned['cooperative'].slug}/san-pham/").status_code == 200
    client.force_login(UserFactory(is_staff=True))  # staff, but not the platform team
    assert client.get(f"/quan-ly/{owned['cooperative'].slug}/san-pham/").status_code == 404


def test_a_product_of_another_cooperative_cannot_be_reached_through_ones_own_url(client, owned):
    client.force_login(owned["manager"])
    foreign = ProductFactory()
    url = f"/quan-ly/{owned['cooperative'].slug}/san-pham/{foreign.pk}/"
    assert client.get(url).status_code == 404
    assert client.post(url + "hien-thi/", {"is_public": "0"}).status_code == 404
    assert Product.objects.get(pk=foreign.pk).is_public
