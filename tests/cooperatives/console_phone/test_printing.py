"""Packing slips and the pick list: content, scope and a flat query budget."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cooperatives import statuses
from cooperatives.models import Fulfilment
from order.models import Order
from tests.budgets import session_queries
from tests.factories import ProductFactory, delivery_address, place_order

pytestmark = pytest.mark.django_db


def _slip_url(fulfilment) -> str:
    return reverse(
        "manager:packing-slip",
        kwargs={"cooperative_slug": fulfilment.cooperative.slug, "pk": fulfilment.pk},
    )


def _pick_url(cooperative, **params) -> str:
    url = reverse("manager:pick-list", kwargs={"cooperative_slug": cooperative.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def _confirm_all(cooperative):
    # A read test: the confirm service has its own tests.
    Fulfilment.objects.filter(cooperative=cooperative).update(status=statuses.CONFIRMED)


def test_cod_slip_shows_who_where_what_and_cash_to_collect(client, manager, farm, honey):
    order = place_order(
        (honey, 2), address=delivery_address(notes="Giao buổi chiều"), payment_method="cod"
    )
    fulfilment = order.fulfilments.get()
    client.force_login(manager)
    page = client.get(_slip_url(fulfilment)).content.decode()
    assert "HTX Mật ong Ba Bể" in page and "Thôn Nà Phòng" in page
    assert str(order.number) in page
    assert "Hoàng Thị Lan" in page
    assert "0912 345 678" in page
    assert "Thôn Pác Ngòi" in page and "Xã Ba Bể" in page
    assert "Giao buổi chiều" in page
    assert "Mật ong rừng" in page and "chai 500ml" in page
    # 2 × 125.000 + 45.000 delivery (1,4 kg)
    assert "295.000\xa0₫" in page
    assert "css/print.css" in page


def test_transfer_slip_collects_nothing_once_received(client, manager, farm, honey):
    fulfilment = place_order((honey, 1), payment_method="transfer").fulfilments.get()
    Fulfilment.objects.filter(pk=fulfilment.pk).update(payment_status=statuses.PAYMENT_RECEIVED)
    client.force_login(manager)
    page = client.get(_slip_url(fulfilment)).content.decode()
    assert fulfilment.transfer_note in page
    assert "₫" not in page.split('class="slip-money"')[1]


def test_slip_of_a_mixed_order_shows_only_this_cooperatives_lines(
    client, manager, farm, honey, other_farm
):
    noodles = ProductFactory(cooperative=other_farm, title="Miến dong Bình Liêu")
    order = place_order((honey, 1), (noodles, 3))
    client.force_login(manager)
    page = client.get(_slip_url(order.fulfilments.get(cooperative=farm))).content.decode()
    assert "Mật ong rừng" in page and "Miến dong Bình Liêu" not in page


def test_pick_list_adds_up_confirmed_parts_by_product(client, manager, farm, honey):
    tea = ProductFactory(cooperative=farm, title="Chè Shan tuyết", unit_label="gói 200g")
    place_order((honey, 2), (tea, 1))
    place_order((honey, 3))
    waiting = place_order((tea, 5)).fulfilments.get()  # confirmed below, then set back to new
    _confirm_all(farm)
    Fulfilment.objects.filter(pk=waiting.pk).update(status=statuses.NEW)
    client.force_login(manager)
    response = client.get(_pick_url(farm))
    totals = {
        t.title: (t.unit_label, t.quantity, t.order_count)
        for t in response.context["pick_list"].totals
    }
    assert totals == {
        "Chè Shan tuyết": ("gói 200g", 1, 1),
        "Mật ong rừng": ("chai 500ml", 5, 2),
    }
    assert len(response.context["pick_list"].parts) == 2
    assert response.context["waiting"] == 1
    page = response.content.decode()
    assert "0912 345 678" in page
    for part in response.context["pick_list"].parts:
        assert _slip_url(part.fulfilment) in page
    assert _slip_url(waiting) not in page


def test_pick_list_date_bounds_the_orders(client, manager, farm, honey):
    order = place_order((honey, 1))
    Order.objects.filter(pk=order.pk).update(
        date_placed=timezone.now() + datetime.timedelta(days=2)
    )
    _confirm_all(farm)
    client.force_login(manager)
    today = timezone.localdate()
    assert client.get(_pick_url(farm, date=today.isoformat())).context["pick_list"].parts == []
    later = (today + datetime.timedelta(days=3)).isoformat()
    assert len(client.get(_pick_url(farm, date=later)).context["pick_list"].parts) == 1
    # A date that cannot be read is today.
    assert client.get(_pick_url(farm, date="hôm-nay")).context["pick_list"].day == today


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_pick_list_query_budget_is_flat(client, manager, farm, honey):
    tea = ProductFactory(cooperative=farm, title="Chè Shan tuyết", stockrecords__num_in_stock=100)
    for _ in range(3):
        place_order((honey, 1), (tea, 1))
    _confirm_all(farm)
    client.force_login(manager)
    url = _pick_url(farm)
    client.get(url)  # warm session and site caches once
    with_3 = _queries(client, url)
    honey.stockrecords.update(num_in_stock=100)
    for _ in range(27):
        place_order((honey, 1), (tea, 1))
    _confirm_all(farm)
    with_30 = _queries(client, url)
    assert len(client.get(url).context["pick_list"].parts) == 30
    # session, user, 2 × permissions, cooperative, parts, lines, new-parts count, and
    # oscar's unread-notifications count in the context processor.
    assert with_3 == with_30 == 8 + session_queries()


def test_slip_query_budget(client, manager, farm, honey, django_assert_num_queries):
    fulfilment = place_order((honey, 1)).fulfilments.get()
    client.force_login(manager)
    client.get(_slip_url(fulfilment))
    # session, user, 2 × permissions, cooperative, part with order and address, lines,
    # oscar's unread-notifications count.
    with django_assert_num_queries(7 + session_queries()):
        client.get(_slip_url(fulfilment))
