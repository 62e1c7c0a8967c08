"""A cooperative's numbers: sales per local day, best sellers, parts by state, CSV export;
its own cooperative only, at a query cost that does not grow with its orders."""

import csv
import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import NON_FIELD_ERRORS
from django.urls import reverse
from django.utils import timezone

from cooperatives import reports, statuses
from cooperatives.models import Fulfilment
from cooperatives.services.fulfillment import fulfilment_transition
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

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def farms():
    manager = UserFactory()
    other_manager = UserFactory()
    tea = CooperativeFactory(name="HTX Chè Tân Cương", managers=[manager])
    rice = CooperativeFactory(name="HTX Gạo Bắc Hương", managers=[other_manager])
    for cooperative in (tea, rice):
        WeightBasedFactory(cooperative=cooperative)
    return {
        "tea": tea,
        "rice": rice,
        "manager": manager,
        "other_manager": other_manager,
        "green_tea": ProductFactory(cooperative=tea, title="Chè búp", net_weight_grams=200),
        "black_tea": ProductFactory(
            cooperative=tea,
            title="Hồng trà",
            net_weight_grams=200,
            stockrecords__price=Decimal("80000"),
        ),
        "rice_bag": ProductFactory(cooperative=rice, title="Gạo nếp", net_weight_grams=200),
    }


def part_of(order, cooperative) -> Fulfilment:
    return order.fulfilments.get(cooperative=cooperative)


def placed_at(order, when: datetime.datetime) -> None:
    order.fulfilments.update(created_at=when)
    type(order).objects.filter(pk=order.pk).update(date_placed=when)


def url(name, cooperative, **params):
    path = reverse(f"manager:{name}", kwargs={"cooperative_slug": cooperative.slug})
    if params:
        path += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return path


def csv_rows(response) -> list[list[str]]:
    content = response.content.decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:])))


# --- The reads -------------------------------------------------------------------------------


def test_sales_per_local_day_fill_empty_days_and_leave_out_cancelled(farms):
    today = datetime.date(2025, 3, 31)
    start = today - datetime.timedelta(days=29)
    early = place_order((farms["green_tea"], 2))  # 250.000 ₫ of goods
    # 17:30 UTC on the 29th is 00:30 on the 30th in Hà Nội.
    placed_at(early, datetime.datetime(2025, 3, 29, 17, 30, tzinfo=datetime.UTC))
    late = place_order((farms["green_tea"], 1), (farms["rice_bag"], 1))
    placed_at(late, datetime.datetime(2025, 3, 30, 9, 0, tzinfo=HANOI))
    cancelled = place_order((farms["black_tea"], 3))
    placed_at(cancelled, datetime.datetime(2025, 3, 30, 10, 0, tzinfo=HANOI))
    fulfilment_transition(
        fulfilment=part_of(cancelled, farms["tea"]), to_status=statuses.CANCELLED, actor=None
    )

    days = reports.sales_by_day(cooperative=farms["tea"], start=start, end=today)

    assert len(days) == 30 and days[0][0] == start and days[-1][0] == today
    by_day = dict(days)
    assert by_day[datetime.date(2025, 3, 30)] == Decimal("375000")  # 250.000 + 125.000
    assert by_day[datetime.date(2025, 3, 29)] == 0
    assert sum(by_day.values()) == Decimal("375000")  # no rice, no cancelled tea


def test_top_products_are_this_cooperatives_by_quantity(farms):
    place_order((farms["green_tea"], 1), (farms["rice_bag"], 9))
    place_order((farms["black_tea"], 2), (farms["green_tea"], 2))
    cancelled = place_order((farms["black_tea"], 5))
    fulfilment_transition(
        fulfilment=part_of(cancelled, farms["tea"]), to_status=statuses.CANCELLED, actor=None
    )
    start, end = reports.report_period()

    top = reports.top_products(cooperative=farms["tea"], start=start, end=end)

    assert [(row["title"], row["quantity"]) for row in top] == [("Chè búp", 3), ("Hồng trà", 2)]
    assert top[0]["total"] == Decimal("375000")


def test_orders_by_state_counts_every_state(farms):
    first = place_order((farms["green_tea"], 1))
    place_order((farms["green_tea"], 1))
    place_order((farms["rice_bag"], 1))
    fulfilment_transition(
        fulfilment=part_of(first, farms["tea"]), to_status=statuses.CONFIRMED, actor=None
    )

    counts = {
        code: count for code, _label, count in reports.orders_by_state(cooperative=farms["tea"])
    }

    assert counts == {
        statuses.NEW: 1,
        statuses.CONFIRMED: 1,
        statuses.PACKED: 0,
        statuses.SHIPPED: 0,
        statuses.DELIVERED: 0,
        statuses.CANCELLED: 0,
        statuses.RETURNED: 0,
    }


# --- The page ----------------------------------------------------------------------------------


def test_the_page_shows_the_chart_table_top_products_and_states(client, farms):
    place_order((farms["green_tea"], 2), (farms["rice_bag"], 7))
    client.force_login(farms["manager"])

    response = client.get(url("reports", farms["tea"]))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<rect") == 30
    assert "<table" in html and "Chè búp" in html
    assert "Gạo nếp" not in html  # another cooperative's product
    assert url("orders-csv", farms["tea"]) in html
    assert url("reports", farms["tea"]) in html  # the console's navigation links here


@pytest.mark.parametrize("name", ["reports", "orders-csv"])
def test_another_cooperatives_manager_gets_404_and_a_visitor_the_login(client, farms, name):
    client.force_login(farms["other_manager"])
    assert client.get(url(name, farms["tea"])).status_code == 404
    client.logout()
    response = client.get(url(name, farms["tea"]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_report_page_queries_stay_flat_from_3_to_30_orders(
    client, farms, django_assert_num_queries
):
    for _ in range(3):
        place_order((farms["green_tea"], 1), (farms["black_tea"], 1))
    client.force_login(farms["manager"])
    page = url("reports", farms["tea"])
    client.get(page)  # warm session, site and basket caches once
    # 3 are the numbers; the rest is the layout (12 since the header reads the basket count
    # from a cookie instead of loading the basket).
    with django_assert_num_queries(11 + session_queries()):
        assert client.get(page).status_code == 200
    for _ in range(27):
        place_order((farms["green_tea"], 1), (farms["black_tea"], 1))
    with django_assert_num_queries(11 + session_queries()):
        client.get(page)


# --- CSV export --------------------------------------------------------------------------------


def test_csv_lists_only_this_cooperatives_parts_with_vietnamese_intact(client, farms):
    order = place_order(
        (farms["green_tea"], 2),
        (farms["rice_bag"], 1),
        address=delivery_address(full_name="Nguyễn Thị Hường"),
    )
    rice_only = place_order((farms["rice_bag"], 1))
    tea_part = part_of(order, farms["tea"])
    Fulfilment.objects.filter(pk=tea_part.pk).update(
        carrier="Viettel Post", tracking_number="VTP001"
    )
    client.force_login(farms["manager"])
    today = timezone.localdate().isoformat()

    response = client.get(url("orders-csv", farms["tea"], start=today, end=today))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    header, *rows = csv_rows(response)
    assert len(header) == 15
    assert len(rows) == 1
    (row,) = rows
    assert row[0] == str(order.number)
    assert row[2] == "Nguyễn Thị Hường"
    assert row[3] == "0912 345 678"
    assert row[4:6] == ["Xã Ba Bể", "Thái Nguyên"]
    assert row[9:13] == ["250000", "30000", "280000", "280000"]  # goods, shipping, total, COD
    assert row[13:] == ["Viettel Post", "VTP001"]
    assert str(rice_only.number) not in response.content.decode()


def test_csv_keeps_to_the_date_range_and_defaults_to_the_last_30_days(client, farms):
    old = place_order((farms["green_tea"], 1))
    placed_at(old, timezone.now() - datetime.timedelta(days=40))
    recent = place_order((farms["green_tea"], 1))
    client.force_login(farms["manager"])

    default = csv_rows(client.get(url("orders-csv", farms["tea"])))
    assert [row[0] for row in default[1:]] == [str(recent.number)]

    old_day = timezone.localtime(timezone.now() - datetime.timedelta(days=40)).date()
    ranged = csv_rows(
        client.get(url("orders-csv", farms["tea"], start=old_day.isoformat(), end=old_day))
    )
    assert [row[0] for row in ranged[1:]] == [str(old.number)]


def test_typed_formulas_are_plain_text_in_the_csv(client, farms):
    place_order((farms["green_tea"], 1), address=delivery_address(full_name="=HYPERLINK(1)"))
    client.force_login(farms["manager"])
    (_header, row) = csv_rows(client.get(url("orders-csv", farms["tea"])))
    assert row[2] == "'=HYPERLINK(1)"


@pytest.mark.parametrize(
    ("start", "end", "field", "code"),
    [
        ("31-02-2025", "2025-03-01", "start", "invalid"),
        ("2025-02-30", "2025-03-01", "start", "invalid"),
        ("2025-03-01", "ngày mai", "end", "invalid"),
        ("2025-03-10", "2025-03-01", NON_FIELD_ERRORS, "end_before_start"),
        ("2023-01-01", "2025-03-01", NON_FIELD_ERRORS, "too_long"),
    ],
)
def test_bad_dates_show_a_message_and_keep_what_was_typed(client, farms, start, end, field, code):
    client.force_login(farms["manager"])
    response = client.get(url("orders-csv", farms["tea"], start=start, end=end))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    form = response.context["form"]
    assert form.has_error(field, code)
    html = response.content.decode()
    assert f'value="{start}"' in html and f'value="{end}"' in html  # what was typed, kept
    for message in form.errors[field]:
        assert str(message) in html
