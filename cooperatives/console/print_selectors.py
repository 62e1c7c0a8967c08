"""Reads behind the console's printouts: one packing slip, and the day's pick list.

Both are scoped to one cooperative: a part of another cooperative is simply not found.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import QuerySet

from cooperatives import statuses
from cooperatives.models import Cooperative, Fulfilment
from cooperatives.selectors import fulfilments_for_cooperative
from order.models import Line


def _part_lines(*, cooperative: Cooperative, order_ids) -> QuerySet[Line]:
    """The cooperative's lines of these orders, with their products, in one query."""
    return (
        Line.objects.filter(
            partner_id=cooperative.partner_id, order_id__in=order_ids, quantity__gt=0
        )
        .select_related("product")
        .order_by("pk")
    )


def packing_slip(*, cooperative: Cooperative, pk: int) -> dict | None:
    """One part of an order as the packer needs it, or None if it is not this cooperative's."""
    fulfilment = fulfilments_for_cooperative(cooperative=cooperative).filter(pk=pk).first()
    if fulfilment is None:
        return None
    return {
        "fulfilment": fulfilment,
        "order": fulfilment.order,
        "address": fulfilment.order.shipping_address,
        "lines": list(_part_lines(cooperative=cooperative, order_ids=[fulfilment.order_id])),
        "paid": fulfilment.payment_status in statuses.PAYMENT_SETTLED,
    }


@dataclass
class PickTotal:
    """One product on the pick list: how many units to take from the shelf, for how many orders."""

    title: str
    unit_label: str
    quantity: int = 0
    order_ids: set = field(default_factory=set)

    @property
    def order_count(self) -> int:
        return len(self.order_ids)


@dataclass
class PickPart:
    fulfilment: Fulfilment
    lines: list = field(default_factory=list)


@dataclass
class PickList:
    day: datetime.date
    totals: list[PickTotal]
    parts: list[PickPart]


def pick_list(*, cooperative: Cooperative, day: datetime.date) -> PickList:
    """What to pack: the cooperative's confirmed parts of orders placed up to ``day``.

    Why confirmed parts and not "orders placed that day": a part is worth packing once
    the manager has called the shopper and confirmed it ("chốt đơn"); a new order may
    still be cancelled on that call. And an order placed yesterday but confirmed this
    morning must be packed today: a list of one day's orders would lose it. ``day``
    bounds the list to orders placed by the end of that day (the shop's time zone), so a
    list printed for yesterday leaves out what came in since. A part leaves the list
    once it is packed.

    Two queries whatever the number of orders: the parts with their orders and
    addresses, then all their lines with products; totals are added up here.
    """
    fulfilments = list(
        fulfilments_for_cooperative(cooperative=cooperative)
        .filter(status=statuses.CONFIRMED, order__date_placed__date__lte=day)
        .order_by("order__date_placed", "pk")
    )
    parts = {fulfilment.order_id: PickPart(fulfilment=fulfilment) for fulfilment in fulfilments}
    totals: dict[int | str, PickTotal] = {}
    if parts:
        for line in _part_lines(cooperative=cooperative, order_ids=list(parts)):
            parts[line.order_id].lines.append(line)
            # The line keeps the title it was ordered under; the unit comes from the product.
            key = line.product_id or line.title
            total = totals.get(key)
            if total is None:
                total = totals[key] = PickTotal(
                    title=line.title,
                    unit_label=line.product.unit_label if line.product is not None else "",
                )
            total.quantity += line.quantity
            total.order_ids.add(line.order_id)
    return PickList(
        day=day,
        totals=sorted(totals.values(), key=lambda total: total.title.lower()),
        parts=list(parts.values()),
    )


def waiting_for_confirmation(*, cooperative: Cooperative) -> int:
    """New parts not on the pick list yet: the manager still has to call these shoppers."""
    return Fulfilment.objects.filter(cooperative=cooperative, status=statuses.NEW).count()
