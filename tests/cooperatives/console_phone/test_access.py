"""Every phone-order and printing URL: another cooperative's manager gets 404, anonymous logs in."""

import pytest
from django.urls import reverse

from order.models import Order
from tests.factories import UserFactory, place_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def urls(farm, honey):
    fulfilment = place_order((honey, 1)).fulfilments.get()
    slug = {"cooperative_slug": farm.slug}
    return [
        reverse("manager:phone-order", kwargs=slug),
        reverse("manager:packing-slip", kwargs={**slug, "pk": fulfilment.pk}),
        reverse("manager:pick-list", kwargs=slug),
    ]


def test_managers_of_another_cooperative_get_404(client, urls, other_manager, honey):
    client.force_login(other_manager)
    for url in urls:
        assert client.get(url).status_code == 404, url
    response = client.post(urls[0], {"product_0": honey.pk, "quantity_0": 1})
    assert response.status_code == 404
    assert Order.objects.count() == 1


def test_a_slip_of_another_cooperative_is_404_under_ones_own_slug(
    client, manager, farm, other_farm, other_manager
):
    from tests.factories import ProductFactory

    noodles = ProductFactory(cooperative=other_farm)
    foreign = place_order((noodles, 1)).fulfilments.get()
    client.force_login(manager)
    url = reverse("manager:packing-slip", kwargs={"cooperative_slug": farm.slug, "pk": foreign.pk})
    assert client.get(url).status_code == 404


def test_shoppers_get_404(client, urls):
    client.force_login(UserFactory())
    for url in urls:
        assert client.get(url).status_code == 404, url


def test_anonymous_visitors_are_sent_to_log_in(client, urls):
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert "login" in response["Location"]
    assert client.post(urls[0], {}).status_code == 302
    assert Order.objects.count() == 1


def test_console_navigation_links_to_phone_order_and_print(client, manager, farm, urls):
    client.force_login(manager)
    page = client.get(reverse("manager:orders", kwargs={"cooperative_slug": farm.slug}))
    assert urls[0] in page.content.decode() and urls[2] in page.content.decode()
