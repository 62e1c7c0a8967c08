"""Reads for a cooperative's numbers: sales per day, top products, orders by state, export.

Every function takes the cooperative and reads only its parts and its own order lines;
views check first that the user manages it (``cooperatives.manager``). Days are local
days in ``TIME_ZONE`` (Asia/Ho_Chi_Minh): an order at 23:30 counts on the day the
cooperative saw it, not on UTC's.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from cooperatives import statuses
from cooperatives.models import Cooperative, Fulfilment

# Parts that brought no money: cancelled before shipping, or sent back by the shopper.
NOT_SOLD = (statuses.CANCELLED, statuses.RETURNED)


def _local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _day_start(day: datetime.date) -> datetime.datetime:
    """Local midnight starting ``day``, as an aware datetime."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=_local_zone())


def report_period(*, days: int = 30, today: datetime.date | None = None):
    """The last ``days`` local days, today included: (first day, today)."""
    today = today or timezone.localdate()
    return today - datetime.timedelta(days=days - 1), today


def sales_by_day(
    *, cooperative: Cooperative, start: datetime.date, end: datetime.date
) -> list[tuple[datetime.date, Decimal]]:
    """The worth of goods sold each local day from ``start`` to ``end``, days without sales 0.

    Goods only (``goods_total``: shipping is the carrier's), of parts neither cancelled
    nor returned, by the day the part was ordered. One query.
    """
    totals = dict(
        Fulfilment.objects.filter(
            cooperative=cooperative,
            created_at__gte=_day_start(start),
            created_at__lt=_day_start(end + datetime.timedelta(days=1)),
        )
        .exclude(status__in=NOT_SOLD)
        .annotate(day=TruncDate("created_at", tzinfo=_local_zone()))
        .values("day")
        .annotate(total=Sum("goods_total"))
        .values_list("day", "total")
    )
    days = (end - start).days + 1
    return [
        (day, totals.get(day) or Decimal(0))
        for day in (start + datetime.timedelta(days=n) for n in range(days))
    ]


def top_products(
    *,
    cooperative: Cooperative,
    start: datetime.date,
    end: datetime.date,
    limit: int = 10,
) -> list[dict]:
    """The cooperative's best sellers by quantity ordered in the period, with their worth.

    Lines of its own partner only; lines of a part that was cancelled or returned do not
    count. Each row: ``product_id``, ``title``, ``quantity``, ``total``. One query.
    """
    from order.models import Line

    not_sold = Fulfilment.objects.filter(
        order=OuterRef("order"), cooperative=cooperative, status__in=NOT_SOLD
    )
    return list(
        Line.objects.filter(
            partner_id=cooperative.partner_id,
            order__date_placed__gte=_day_start(start),
            order__date_placed__lt=_day_start(end + datetime.timedelta(days=1)),
            quantity__gt=0,
        )
        .exclude(Exists(not_sold))
        .values("product_id")
        .annotate(
            title=Max("title"),
            quantity=Sum("quantity"),
            total=Sum("line_price_incl_tax"),
        )
        .order_by("-quantity", "-total", "title")[:limit]
    )


def orders_by_state(*, cooperative: Cooperative) -> list[tuple[str, str, int]]:
    """How many of the cooperative's parts are in each state, every state listed.

    Rows: (state code, label, count), in pipeline order. One query.
    """
    counts = dict(
        Fulfilment.objects.filter(cooperative=cooperative)
        .order_by()
        .values("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    return [(code, label, counts.get(code, 0)) for code, label in statuses.FULFILMENT_CHOICES]


def fulfilments_for_export(
    *, cooperative: Cooperative, start: datetime.date, end: datetime.date
) -> QuerySet[Fulfilment]:
    """The cooperative's parts ordered from ``start`` to ``end`` (local days, inclusive),
    oldest first, with their order and delivery address in the same query."""
    return (
        Fulfilment.objects.filter(
            cooperative=cooperative,
            created_at__gte=_day_start(start),
            created_at__lt=_day_start(end + datetime.timedelta(days=1)),
        )
        .select_related("order", "order__shipping_address")
        .order_by("created_at", "pk")
    )
