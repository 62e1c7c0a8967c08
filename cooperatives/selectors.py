"""Reads of cooperatives for shoppers and managers."""

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse

from catalogue.models import Product
from catalogue.selectors import BrowseFilters, products_for_browse
from catalogue.services import description_text
from cooperatives.models import Cooperative


def cooperatives_public(*, province_code: str = "") -> QuerySet[Cooperative]:
    """Cooperatives a shopper can see, alphabetically, optionally of one province."""
    cooperatives = Cooperative.objects.filter(is_active=True).order_by("name")
    if province_code:
        cooperatives = cooperatives.filter(province_code=province_code)
    return cooperatives


def cooperative_provinces() -> list[tuple[str, str]]:
    """Provinces that have an active cooperative, for the index's filter."""
    return list(
        Cooperative.objects.filter(is_active=True)
        .values_list("province_code", "province_name")
        .distinct()
        .order_by("province_name")
    )


def cooperative_products(*, cooperative: Cooperative):
    """The cooperative's products as a shopper sees them on its profile."""
    return products_for_browse(filters=BrowseFilters(cooperative_slug=cooperative.slug))


def cooperative_json_ld(*, cooperative: Cooperative, url: str) -> dict:
    """schema.org data for search engines and link previews of a cooperative's profile."""
    data = {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": cooperative.name,
        "url": url,
        "description": cooperative.short_description,
        "address": {
            "@type": "PostalAddress",
            "streetAddress": cooperative.address_line,
            "addressLocality": cooperative.commune_name,
            "addressRegion": cooperative.province_name,
            "addressCountry": "VN",
        },
    }
    if cooperative.phone:
        data["telephone"] = cooperative.phone.as_e164
    if cooperative.founded_year:
        data["foundingDate"] = str(cooperative.founded_year)
    return data


def cooperatives_managed_by(*, user) -> QuerySet[Cooperative]:
    """The cooperatives ``user`` may manage: their own, or every one for platform staff.

    Being staff is not enough (editors may be staff for Wagtail): it takes the
    permission to change cooperatives, as superusers and the platform team have.
    """
    if not (user.is_authenticated and user.is_active):
        return Cooperative.objects.none()
    if user.has_perm("cooperatives.change_cooperative"):
        return Cooperative.objects.order_by("name")
    return Cooperative.objects.filter(partner__users=user).order_by("name")


def products_managed(*, cooperative: Cooperative, query: str = ""):
    """All of a cooperative's products for its managers, hidden ones too, newest first."""
    products = (
        Product.objects.filter(cooperative=cooperative)
        .prefetch_related("stockrecords", "images")
        .order_by("-date_created", "-pk")
    )
    for word in query.split():
        products = products.filter(
            Q(title__unaccent__icontains=word) | Q(stockrecords__partner_sku__icontains=word)
        ).distinct()
    return products


def product_form_initial(*, cooperative: Cooperative, product: Product) -> dict:
    """What the console's product form shows for ``product``, price and stock included."""
    stockrecord = product.stockrecords.filter(partner=cooperative.partner).first()
    price = stockrecord.price if stockrecord else None
    return {
        "title": product.title,
        "description": description_text(product.description),
        "price": int(price) if price is not None else None,
        "num_in_stock": stockrecord.num_in_stock if stockrecord else 0,
        "sku": stockrecord.partner_sku if stockrecord else "",
        "unit_label": product.unit_label,
        "net_weight_grams": product.net_weight_grams,
        "categories": list(product.categories.all()),
        "shelf_life_days": product.shelf_life_days,
        "harvest_months": product.harvest_month_numbers,
        "origin_province_code": product.origin_province_code,
        "origin_commune_code": product.origin_commune_code,
        "ocop_stars": product.ocop_stars,
        "ocop_certificate_number": product.ocop_certificate_number,
        "ocop_issued_on": product.ocop_issued_on,
        "ocop_expires_on": product.ocop_expires_on,
    }


def order_page_path(order) -> str:
    """The shopper's page of an order; the signed number in it is the key for guests."""
    return reverse(
        "orders:detail", kwargs={"number": order.number, "token": order.verification_hash()}
    )


def order_page_url(order) -> str:
    """``order_page_path`` as an absolute link, for messages sent outside the site."""
    return settings.SHOP_BASE_URL + order_page_path(order)


def order_for_shopper(*, number: str):
    from order.models import Order

    return Order.objects.filter(number=number).select_related("shipping_address", "user").first()


def order_parts(*, order) -> list[dict]:
    """Each cooperative's part of an order with its lines, events and the transfer it waits for."""
    from cooperatives.services.checkout import transfer_for

    # Both read unordered and sorted here: compiling ORDER BY made Django match it against
    # each selected column, which cost more than the sort (this runs for every new order's
    # messages, and on the order's page).
    lines_by_partner: dict[int, list] = {}
    lines = order.lines.filter(quantity__gt=0).select_related("product").order_by()
    for line in sorted(lines, key=lambda line: line.pk):
        lines_by_partner.setdefault(line.partner_id, []).append(line)
    parts = []
    # The cooperative's partner too: the order's messages go to its managers (partner.users).
    fulfilments = order.fulfilments.select_related("cooperative__partner").prefetch_related(
        "events"
    )
    for fulfilment in sorted(fulfilments.order_by(), key=lambda fulfilment: fulfilment.pk):
        parts.append(
            {
                "fulfilment": fulfilment,
                "cooperative": fulfilment.cooperative,
                "lines": lines_by_partner.get(fulfilment.cooperative.partner_id, []),
                "transfer": transfer_for(fulfilment),
                "events": list(fulfilment.events.all()),
            }
        )
    return parts


def order_card_payment_due(*, order) -> bool:
    """True while a card order still waits for its payment (the shopper may pay again)."""
    from cooperatives import statuses

    return (
        order.payment_method == "card"
        and order.fulfilments.filter(
            status=statuses.NEW, payment_status=statuses.PAYMENT_AWAITING
        ).exists()
    )


def fulfilments_for_cooperative(*, cooperative: Cooperative):
    """A cooperative's parts of orders for its managers, newest first.

    The order and its delivery address come in the same query, so a page of the
    console's order list costs the same whatever its length.
    """
    from cooperatives.models import Fulfilment

    return (
        Fulfilment.objects.filter(cooperative=cooperative)
        .select_related("order", "order__shipping_address")
        .order_by("-created_at", "-pk")
    )


def products_for_phone_order(*, cooperative: Cooperative):
    """What a manager can enter in a phone order: the cooperative's public products.

    Stock records come in one more query, so the product select of every row of the
    form costs the same two queries however many products the cooperative sells.
    """
    return (
        Product.objects.filter(cooperative=cooperative, is_public=True)
        .exclude(structure=Product.PARENT)
        .prefetch_related("stockrecords")
        .order_by("title", "pk")
    )


# --- The console's order inbox and order card ---------------------------------------------


def _phone_digits(query: str) -> str:
    """The national digits of a phone number as typed (0912 345 678, +84 912…), or ""."""
    digits = "".join(ch for ch in query if ch.isdigit())
    if query.strip().startswith("+84") or (digits.startswith("84") and len(digits) >= 11):
        digits = digits[2:]
    return digits.lstrip("0")


def fulfilments_inbox(
    *, cooperative: Cooperative, status: str = "", payment_method: str = "", query: str = ""
):
    """The console's inbox: a cooperative's parts, newest first, filtered and searched.

    ``query`` finds an order number, the shopper's phone (typed any usual way) or name
    (without accents too: "hoang thi lan" finds "Hoàng Thị Lan").
    """
    fulfilments = fulfilments_for_cooperative(cooperative=cooperative)
    if status:
        fulfilments = fulfilments.filter(status=status)
    if payment_method:
        fulfilments = fulfilments.filter(order__payment_method=payment_method)
    query = query.strip()
    if query:
        match = Q(order__number__icontains=query) | Q(
            order__shipping_address__first_name__unaccent__icontains=query
        )
        digits = _phone_digits(query)
        if len(digits) >= 3:
            match |= Q(order__shipping_address__phone_number__contains=digits)
        fulfilments = fulfilments.filter(match)
    return fulfilments


def fulfilment_status_counts(*, cooperative: Cooperative) -> dict[str, int]:
    """How many of the cooperative's parts are in each state (and ``all``), in one query."""
    from django.db.models import Count

    from cooperatives import statuses
    from cooperatives.models import Fulfilment

    counts = Fulfilment.objects.filter(cooperative=cooperative).aggregate(
        all=Count("pk"),
        **{
            code: Count("pk", filter=Q(status=code)) for code, _label in statuses.FULFILMENT_CHOICES
        },
    )
    return counts


# What a manager can do next from each state, in the order the buttons show.
FULFILMENT_ACTIONS: dict[str, tuple[str, ...]] = {
    "new": ("confirm", "cancel"),
    "confirmed": ("pack", "cancel"),
    "packed": ("ship", "cancel"),
    "shipped": ("deliver", "return"),
    "delivered": (),
    "cancelled": (),
    "returned": (),
}


def fulfilment_actions(*, fulfilment) -> list[str]:
    """The console actions allowed on a part now, payment ones included."""
    from cooperatives import statuses

    actions = list(FULFILMENT_ACTIONS[fulfilment.status])
    if fulfilment.payment_status == statuses.PAYMENT_DUE and fulfilment.status in (
        statuses.SHIPPED,
        statuses.DELIVERED,
    ):
        actions.append("cod-collected")
    if fulfilment.transfer_note and fulfilment.payment_status in (
        statuses.PAYMENT_AWAITING,
        statuses.PAYMENT_EXPIRED,
        statuses.PAYMENT_VOID,
    ):
        actions.append("payment-received")
    return actions


def fulfilment_card(*, cooperative: Cooperative, pk: int):
    """One part of an order as the console's order card shows it, or None if not this
    cooperative's: its order and address, its own lines, and its events with their actors.

    A fixed number of queries whatever the order's size.
    """
    from django.db.models import Prefetch

    from cooperatives.models import FulfilmentEvent

    fulfilment = (
        fulfilments_for_cooperative(cooperative=cooperative)
        .select_related("order__user")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=FulfilmentEvent.objects.select_related("actor").order_by(
                    "created_at", "pk"
                ),
            )
        )
        .filter(pk=pk)
        .first()
    )
    if fulfilment is None:
        return None
    fulfilment.own_lines = list(
        fulfilment.order.lines.filter(partner_id=cooperative.partner_id, quantity__gt=0)
        .select_related("product")
        .order_by("pk")
    )
    return fulfilment
