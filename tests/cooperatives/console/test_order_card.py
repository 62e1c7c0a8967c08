"""The inbox's tabs, search and bulk actions; the order card and its one-tap actions."""

from unittest import mock

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from cooperatives import statuses
from cooperatives.models import Fulfilment, FulfilmentEvent
from cooperatives.services import fulfillment as services
from tests.factories import (
    CooperativeFactory,
    ProductFactory,
    UserFactory,
    WeightBasedFactory,
    delivery_address,
    place_order,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def notify():
    with mock.patch("cooperatives.tasks.fulfilment_event_notify_task") as task:
        yield task


@pytest.fixture
def manager():
    return UserFactory()


@pytest.fixture
def farm(manager):
    cooperative = CooperativeFactory(
        managers=[manager],
        bank_bin="970405",
        bank_account_number="1234567890",
        bank_account_holder="HTX THU NGHIEM",
    )
    WeightBasedFactory(cooperative=cooperative)
    return cooperative


@pytest.fixture
def product(farm):
    return ProductFactory(cooperative=farm, net_weight_grams=500, stockrecords__num_in_stock=50)


def _orders_url(farm, **params) -> str:
    url = reverse("manager:orders", kwargs={"cooperative_slug": farm.slug})
    if params:
        from urllib.parse import urlencode

        url += "?" + urlencode(params)
    return url


def _card_url(part) -> str:
    return reverse(
        "manager:order-detail", kwargs={"cooperative_slug": part.cooperative.slug, "pk": part.pk}
    )


def _action_url(part, action) -> str:
    return reverse(
        "manager:order-action",
        kwargs={"cooperative_slug": part.cooperative.slug, "pk": part.pk, "action": action},
    )


def _messages(response, level="error") -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request) if m.level_tag == level]


# Inbox


def test_tabs_count_each_state_and_filter(client, manager, product):
    parts = [place_order((product, 1)).fulfilments.get() for _ in range(3)]
    services.fulfilment_confirm(fulfilment=parts[0], actor=manager, channel=statuses.CHANNEL_PHONE)
    client.force_login(manager)

    response = client.get(_orders_url(product.cooperative, status="confirmed"))

    tabs = {code: count for code, _label, count in response.context["tabs"]}
    assert tabs[""] == 3 and tabs["new"] == 2 and tabs["confirmed"] == 1 and tabs["shipped"] == 0
    assert [p.pk for p in response.context["fulfilments"]] == [parts[0].pk]


@pytest.mark.parametrize(
    "query", ["hoang thi lan", "Hoàng Thị", "0912 000 111", "+84912000111", "912000111"]
)
def test_search_finds_name_without_accents_and_phone_any_way(client, manager, product, query):
    wanted = place_order(
        (product, 1), address=delivery_address(full_name="Hoàng Thị Lan", phone="+84912000111")
    )
    place_order(
        (product, 1), address=delivery_address(full_name="Nông Văn Dền", phone="+84987654321")
    )
    client.force_login(manager)

    response = client.get(_orders_url(product.cooperative, q=query))

    assert [p.order for p in response.context["fulfilments"]] == [wanted]


def test_search_by_order_number_and_filter_by_payment(client, manager, product):
    cod = place_order((product, 1))
    transfer = place_order((product, 1), payment_method="transfer")
    client.force_login(manager)

    by_number = client.get(_orders_url(product.cooperative, q=cod.number))
    by_method = client.get(_orders_url(product.cooperative, payment="transfer"))

    assert [p.order for p in by_number.context["fulfilments"]] == [cod]
    assert [p.order for p in by_method.context["fulfilments"]] == [transfer]


def test_bulk_confirm_from_the_inbox(client, manager, farm, product):
    first, second = (place_order((product, 1)).fulfilments.get() for _ in range(2))
    client.force_login(manager)

    response = client.post(
        reverse("manager:orders-bulk", kwargs={"cooperative_slug": farm.slug}),
        {
            "action": "confirm",
            "channel": "phone",
            "fulfilment": [f"{first.pk}:new", f"{second.pk}:new"],
        },
    )

    assert response.status_code == 302
    assert set(Fulfilment.objects.values_list("status", flat=True)) == {statuses.CONFIRMED}
    assert _messages(response, "success")


def test_bulk_ship_reads_each_rows_tracking_number(client, manager, farm, product):
    part = place_order((product, 1)).fulfilments.get()
    services.fulfilment_confirm(fulfilment=part, actor=manager, channel="phone")
    services.fulfilment_pack(fulfilment=part, actor=manager)
    client.force_login(manager)
    html = client.get(_orders_url(farm, status="packed")).content.decode()
    assert f'name="tracking-{part.pk}"' in html and 'form="bulk-form"' in html

    client.post(
        reverse("manager:orders-bulk", kwargs={"cooperative_slug": farm.slug}),
        {
            "action": "ship",
            "carrier": "GHN",
            "fulfilment": [f"{part.pk}:packed"],
            f"tracking-{part.pk}": "GHN-77",
        },
    )

    part.refresh_from_db()
    assert (part.status, part.carrier, part.tracking_number) == ("shipped", "GHN", "GHN-77")


# The order card


def test_the_card_shows_what_the_manager_needs(client, manager, farm, product):
    neighbour = CooperativeFactory()
    WeightBasedFactory(cooperative=neighbour)
    tea = ProductFactory(cooperative=neighbour, title="Chè Tân Cương", net_weight_grams=100)
    order = place_order(
        (product, 2),
        (tea, 1),
        address=delivery_address(
            full_name="Hoàng Thị Lan", phone="+84912000111", notes="Gọi trước khi giao"
        ),
    )
    part = order.fulfilments.get(cooperative=farm)
    client.force_login(manager)

    response = client.get(_card_url(part))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Hoàng Thị Lan" in html
    assert 'href="tel:+84912000111"' in html
    assert 'href="https://zalo.me/0912000111"' in html
    assert "Thôn Pác Ngòi" in html and "Gọi trước khi giao" in html
    assert product.title in html
    assert "Chè Tân Cương" not in html  # another cooperative's line
    assert _action_url(part, "confirm") in html
    assert _action_url(part, "cancel") in html
    assert _action_url(part, "pack") not in html  # not allowed from "new"
    assert 'name="expected_status" value="new"' in html
    assert _action_url(part, "line") in html  # quantities may change until confirmed


def test_confirm_from_the_card_then_a_stale_second_tap_is_refused(client, manager, product):
    part = place_order((product, 1)).fulfilments.get()
    client.force_login(manager)
    data = {"expected_status": "new", "channel": "phone", "note": "Đã gọi"}

    first = client.post(_action_url(part, "confirm"), data)
    second = client.post(_action_url(part, "confirm"), data)

    assert first.status_code == second.status_code == 302
    assert first["Location"] == _card_url(part)
    part.refresh_from_db()
    assert part.status == statuses.CONFIRMED
    assert FulfilmentEvent.objects.filter(fulfilment=part, to_state="confirmed").count() == 1
    [message] = _messages(second)
    assert "Hoàng Thị Lan" in message  # the manager who confirmed it (UserFactory's name)


def test_change_a_line_from_the_card(client, manager, product):
    part = place_order((product, 3)).fulfilments.get()
    line = part.order.lines.get()
    client.force_login(manager)

    client.post(
        _action_url(part, "line"), {"expected_status": "new", "line": line.pk, "quantity": 1}
    )

    line.refresh_from_db()
    assert line.quantity == 1


def test_cancel_without_a_reason_is_refused_with_a_message(client, manager, product):
    part = place_order((product, 1)).fulfilments.get()
    client.force_login(manager)

    response = client.post(_action_url(part, "cancel"), {"expected_status": "new"})

    assert _messages(response)
    part.refresh_from_db()
    assert part.status == statuses.NEW


def test_the_whole_pipeline_by_taps(client, manager, product):
    part = place_order((product, 1)).fulfilments.get()
    client.force_login(manager)
    steps = [
        ("confirm", {"expected_status": "new", "channel": "in_person"}),
        ("pack", {"expected_status": "confirmed"}),
        (
            "ship",
            {"expected_status": "packed", "carrier": "Viettel Post", "tracking_number": "V9"},
        ),
        ("deliver", {"expected_status": "shipped"}),
        ("cod-collected", {}),
    ]
    for action, data in steps:
        html = client.get(_card_url(part)).content.decode()
        assert _action_url(part, action) in html, action
        response = client.post(_action_url(part, action), data)
        assert _messages(response, "success"), (action, _messages(response))
    part.refresh_from_db()
    assert (part.status, part.payment_status) == ("delivered", "collected")
    assert part.events.count() == 6  # placed, 4 moves, cash


def test_an_unknown_action_is_not_found(client, manager, product):
    part = place_order((product, 1)).fulfilments.get()
    client.force_login(manager)
    assert client.post(_action_url(part, "explode"), {}).status_code == 404
