"""The console's order list and "money received" button, for a cooperative's managers only."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from cooperatives import statuses
from cooperatives.models import Fulfilment, FulfilmentEvent
from tests.budgets import session_queries
from tests.factories import (
    CooperativeFactory,
    ProductFactory,
    UserFactory,
    WeightBasedFactory,
    delivery_address,
    place_order,
)

pytestmark = pytest.mark.django_db

BANK = {
    "bank_bin": "970405",
    "bank_account_number": "1234567890",
    "bank_account_holder": "HTX THU NGHIEM",
}


@pytest.fixture
def manager():
    return UserFactory()


@pytest.fixture
def farm(manager):
    cooperative = CooperativeFactory(managers=[manager], **BANK)
    WeightBasedFactory(cooperative=cooperative)
    return cooperative


@pytest.fixture
def product(farm):
    return ProductFactory(cooperative=farm, net_weight_grams=500)


def _orders_url(cooperative) -> str:
    return reverse("manager:orders", kwargs={"cooperative_slug": cooperative.slug})


def _received_url(fulfilment) -> str:
    return reverse(
        "manager:payment-received",
        kwargs={"cooperative_slug": fulfilment.cooperative.slug, "pk": fulfilment.pk},
    )


def _transfer_part(product) -> Fulfilment:
    return place_order((product, 1), payment_method="transfer").fulfilments.get()


def test_the_list_shows_this_cooperatives_parts_newest_first(client, manager, farm, product):
    older = place_order(
        (product, 1), address=delivery_address(full_name="Nông Văn Dền", phone="+84912000111")
    )
    newer = place_order((product, 2), payment_method="transfer")
    other_farm = CooperativeFactory()
    WeightBasedFactory(cooperative=other_farm)
    foreign = place_order((ProductFactory(cooperative=other_farm, net_weight_grams=500), 1))
    client.force_login(manager)

    response = client.get(_orders_url(farm))

    assert response.status_code == 200
    fulfilments = list(response.context["fulfilments"])
    assert [part.order for part in fulfilments] == [newer, older]
    html = response.content.decode()
    assert str(older.number) in html and str(newer.number) in html
    assert str(foreign.number) not in html
    assert "Nông Văn Dền" in html
    assert 'href="tel:+84912000111"' in html
    newer_part = newer.fulfilments.get()
    assert newer_part.transfer_note in html
    assert _received_url(newer_part) in html  # the button, for the part awaiting a transfer
    assert _received_url(older.fulfilments.get()) not in html  # cash on delivery: none


def test_the_console_links_to_the_orders(client, manager, farm):
    client.force_login(manager)
    response = client.get(reverse("manager:product-list", kwargs={"cooperative_slug": farm.slug}))
    assert _orders_url(farm) in response.content.decode()


def test_the_list_is_paginated_by_25(client, manager, farm, product):
    for _ in range(26):
        place_order((product, 1))
    client.force_login(manager)

    first = client.get(_orders_url(farm))
    second = client.get(_orders_url(farm) + "?page=2")

    assert len(first.context["fulfilments"]) == 25
    assert len(second.context["fulfilments"]) == 1


# Measured on SQLite and PostgreSQL: session, user and its two permission reads, the
# cooperative from the URL, the paginator's count, the page of parts with their orders
# and addresses in one query, the cooperatives this manager may switch to, and oscar's
# layout (unread notifications, the category menu; the header's basket count is a cookie),
# and the tabs' counts by state in one aggregate: 12.
LIST_QUERIES = 11 + session_queries()


def test_the_list_query_count_stays_flat(client, manager, farm, product, django_assert_num_queries):
    for _ in range(5):
        place_order((product, 1), payment_method="transfer")
    client.force_login(manager)
    url = _orders_url(farm)
    client.get(url)  # warm session, basket and site caches once

    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(url).status_code == 200
    for _ in range(25):
        place_order((product, 1), payment_method="transfer")
    with django_assert_num_queries(LIST_QUERIES):  # 30 orders, a full page: no N+1
        response = client.get(url)
    assert len(response.context["fulfilments"]) == 25


def test_a_manager_records_money_received(client, manager, product):
    part = _transfer_part(product)
    client.force_login(manager)
    list_url = _orders_url(part.cooperative) + "?page=1"

    response = client.post(_received_url(part), {"next": list_url})

    assert response.status_code == 302
    assert response["Location"] == list_url
    part.refresh_from_db()
    assert part.payment_status == statuses.PAYMENT_RECEIVED
    event = FulfilmentEvent.objects.filter(fulfilment=part).latest("pk")
    assert (event.to_state, event.actor, event.channel) == (
        statuses.PAYMENT_RECEIVED,
        manager,
        statuses.CHANNEL_WEB,
    )
    [message] = get_messages(response.wsgi_request)
    assert message.level_tag == "success"
    assert str(part.order.number) in message.message


def test_recording_twice_shows_the_services_message(client, manager, product):
    part = _transfer_part(product)
    client.force_login(manager)
    client.post(_received_url(part))

    response = client.post(_received_url(part), {"next": "https://evil.example/"})

    assert response.status_code == 302
    assert response["Location"] == _orders_url(part.cooperative)  # never off-site
    messages = [m for m in get_messages(response.wsgi_request) if m.level_tag == "error"]
    assert len(messages) == 1
    assert (
        FulfilmentEvent.objects.filter(fulfilment=part, to_state=statuses.PAYMENT_RECEIVED).count()
        == 1
    )


def test_a_part_of_another_cooperative_is_not_found_through_ones_own_url(client, manager, farm):
    other_farm = CooperativeFactory(**BANK)
    WeightBasedFactory(cooperative=other_farm)
    foreign = _transfer_part(ProductFactory(cooperative=other_farm, net_weight_grams=500))
    client.force_login(manager)
    url = reverse(
        "manager:payment-received", kwargs={"cooperative_slug": farm.slug, "pk": foreign.pk}
    )

    assert client.post(url).status_code == 404

    foreign.refresh_from_db()
    assert foreign.payment_status == statuses.PAYMENT_AWAITING


@pytest.mark.parametrize("who", ["other_manager", "shopper"])
def test_others_cannot_see_the_list_or_record_money(client, product, who):
    part = _transfer_part(product)
    visitor = UserFactory()
    if who == "other_manager":
        CooperativeFactory(managers=[visitor])
    client.force_login(visitor)
    events = FulfilmentEvent.objects.count()

    assert client.get(_orders_url(part.cooperative)).status_code == 404
    assert client.post(_received_url(part)).status_code == 404

    part.refresh_from_db()
    assert part.payment_status == statuses.PAYMENT_AWAITING
    assert FulfilmentEvent.objects.count() == events


def test_anonymous_visitors_are_sent_to_log_in(client, product):
    part = _transfer_part(product)

    for response in (client.get(_orders_url(part.cooperative)), client.post(_received_url(part))):
        assert response.status_code == 302
        assert response["Location"].startswith("/shop/accounts/login/")

    part.refresh_from_db()
    assert part.payment_status == statuses.PAYMENT_AWAITING
