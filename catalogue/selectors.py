"""Reads of the catalogue for shoppers: what is listed, found and in what order.

Oscar 4 browses through haystack, which lists nothing without a search server.
Chợ Phiên browses and searches through the ORM instead: the same code on SQLite
and PostgreSQL, accent-insensitive through the ``unaccent`` lookup (shop/db.py).
"""

import copy
import datetime
from dataclasses import dataclass

from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from catalogue.models import Category, Option, Product, ProductImage, month_bit
from cooperatives.models import Cooperative

SORT_RELEVANCE = "relevance"
SORT_NEWEST = "newest"
SORT_PRICE_ASC = "price-asc"
SORT_PRICE_DESC = "price-desc"
SORT_TITLE = "title-asc"
SORT_ORDERINGS = {
    SORT_NEWEST: ("-date_created", "-pk"),
    SORT_PRICE_ASC: ("min_price", "pk"),
    SORT_PRICE_DESC: ("-min_price", "-pk"),
    SORT_TITLE: ("title", "pk"),
}


@dataclass(frozen=True)
class BrowseFilters:
    """What a shopper narrowed the product list to."""

    query: str = ""
    category: Category | None = None
    cooperative_slug: str = ""
    province_code: str = ""
    ocop_only: bool = False
    in_season: bool = False
    sort: str = ""


def option_flags() -> dict:
    """Annotations read by oscar's ``Product.has_options``, which otherwise queries per product."""
    return {
        "has_product_class_options": Exists(
            Option.objects.filter(productclass=OuterRef("product_class"))
        ),
        "has_product_options": Exists(Option.objects.filter(product=OuterRef("pk"))),
    }


def products_public() -> QuerySet[Product]:
    """Products a shopper may see and buy, with what a product card shows."""
    return (
        Product.objects.browsable()  # public, and not a variant of another product
        .filter(Q(cooperative__isnull=True) | Q(cooperative__is_active=True))
        .select_related("cooperative", "product_class")
        .annotate(**option_flags())
        .prefetch_related(
            "stockrecords",
            Prefetch("images", queryset=ProductImage.objects.order_by("display_order", "pk")),
        )
    )


def products_with_valid_ocop(
    products: QuerySet[Product], *, on: datetime.date
) -> QuerySet[Product]:
    # The same rule as Product.ocop_is_valid: recognised already, not yet expired.
    return products.filter(
        ocop_stars__isnull=False, ocop_issued_on__lte=on, ocop_expires_on__gte=on
    )


def products_in_season(products: QuerySet[Product], *, on: datetime.date) -> QuerySet[Product]:
    return products.alias(in_month=F("harvest_months").bitand(month_bit(on.month))).filter(
        in_month__gt=0
    )


def products_for_browse(
    *, filters: BrowseFilters | None = None, today: datetime.date | None = None
) -> QuerySet[Product]:
    """Public products, filtered and sorted as the shopper asked, ready for product cards.

    ``filters.query`` matches words in any order in the title, description or
    cooperative name, with or without Vietnamese accents ("mien dong" finds "Miến
    dong"). With words and no explicit sort, products whose title holds the words
    come first, then those whose description does, then the cooperative's others.
    """
    filters = filters or BrowseFilters()
    today = today or timezone.localdate()
    products = products_public().annotate(min_price=Min("stockrecords__price"))
    words = filters.query.split()
    for word in words:
        # The cooperatives by name first (a few hundred rows at most), so that the
        # condition stays on the product table, where PostgreSQL combines it with the
        # title and description indexes instead of reading every product.
        named = list(
            Cooperative.objects.filter(name__unaccent__icontains=word).values_list("pk", flat=True)
        )
        products = products.filter(
            Q(title__unaccent__icontains=word)
            | Q(description__unaccent__icontains=word)
            | Q(cooperative_id__in=named)
        )
    if filters.category is not None:
        products = products.filter(
            categories__in=filters.category.get_descendants_and_self()
        ).distinct()
    if filters.cooperative_slug:
        products = products.filter(cooperative__slug=filters.cooperative_slug)
    if filters.province_code:
        # Where it was grown, or else where its cooperative is.
        products = products.filter(
            Q(origin_province_code=filters.province_code)
            | Q(origin_province_code="", cooperative__province_code=filters.province_code)
        )
    if filters.ocop_only:
        products = products_with_valid_ocop(products, on=today)
    if filters.in_season:
        products = products_in_season(products, on=today)
    if words and filters.sort in ("", SORT_RELEVANCE):
        relevance = sum(
            Case(
                When(title__unaccent__icontains=word, then=Value(2)),
                When(description__unaccent__icontains=word, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
            for word in words
        )
        return products.annotate(relevance=relevance).order_by("-relevance", "-date_created", "-pk")
    return products.order_by(*SORT_ORDERINGS.get(filters.sort, SORT_ORDERINGS[SORT_NEWEST]))


def products_for_detail() -> QuerySet[Product]:
    """Every product (the view decides visibility) with what its page shows."""
    products = Product.objects.select_related("cooperative", "product_class", "parent")
    return products.annotate(**option_flags()).prefetch_related(
        "stockrecords",
        "certifications",
        "categories",
        Prefetch("images", queryset=ProductImage.objects.order_by("display_order", "pk")),
    )


def products_for_basket() -> QuerySet[Product]:
    """Products as adding one to a basket reads them, in two queries.

    The class says whether stock is tracked, the option flags whether oscar's form has
    options to read (a variant's come from its parent's class), and the stock records
    give the live price and stock that the form checks and the basket line stores.
    """
    return (
        Product.objects.select_related("product_class", "parent__product_class")
        .annotate(
            has_product_class_options=Exists(
                Option.objects.filter(
                    productclass=Coalesce(
                        OuterRef("product_class_id"), OuterRef("parent__product_class_id")
                    )
                )
            ),
            has_product_options=Exists(Option.objects.filter(product=OuterRef("pk"))),
        )
        .prefetch_related("stockrecords")
    )


def product_for_basket(pk: int, *, fresh: bool = False) -> Product | None:
    """One product as ``products_for_basket`` reads it, held by this process meanwhile.

    Every tap on "add" read the product, its class and its stock record (two queries,
    a third of the request). Held by ``shop.page_cache.held``, under the page cache's
    generation, which moves on whenever a product, price or stock record is saved or an
    order leaves little stock, it is as fresh as a product page served by this
    process: at most a second behind a change made through another one. The line's
    stored price is oscar's note of the price when added; the basket and checkout
    price every line from live stock records.
    """
    from shop.page_cache import held

    def read():
        # Only what shoppers can see: oscar's view took any product, hidden ones included.
        return products_for_basket().filter(pk=pk, is_public=True).first()

    if fresh:  # the stock as it is now (see ``basket.views.BasketAddView``)
        return read()
    product = held(f"product-for-basket:{pk}", read)
    # The request's own copy: the same object is handed to every request meanwhile.
    return copy.copy(product) if product is not None else None


def products_related(*, product: Product, limit: int = 4) -> QuerySet[Product]:
    """Other products of the same cooperative, newest first."""
    if product.cooperative_id is None:
        return Product.objects.none()
    return (
        products_public()
        .filter(cooperative_id=product.cooperative_id)
        .exclude(pk=product.pk)
        .order_by("-date_created", "-pk")[:limit]
    )


def ocop_certificates_expiring(*, within_days: int = 60, today: datetime.date | None = None):
    """Products whose OCOP certificate expires soon (or has expired), for staff to chase."""
    today = today or timezone.localdate()
    return (
        Product.objects.filter(
            ocop_stars__isnull=False,
            ocop_expires_on__lte=today + datetime.timedelta(days=within_days),
        )
        .select_related("cooperative")
        .order_by("ocop_expires_on", "title")
    )


def browse_choices() -> dict[str, list[tuple[str, str]]]:
    """Cooperatives and provinces that have products to show, for the list's filters."""
    public = products_public().prefetch_related(None).select_related(None)
    cooperatives = (
        public.exclude(cooperative=None)
        .values_list("cooperative__slug", "cooperative__name")
        .distinct()
        .order_by("cooperative__name")
    )
    provinces: dict[str, str] = {}
    for origin_code, origin_name, home_code, home_name in public.values_list(
        "origin_province_code",
        "origin_province_name",
        "cooperative__province_code",
        "cooperative__province_name",
    ).distinct():
        if origin_code:
            provinces[origin_code] = origin_name
        elif home_code:
            provinces[home_code] = home_name
    return {
        "cooperatives": list(cooperatives),
        "provinces": sorted(provinces.items(), key=lambda item: item[1]),
    }
