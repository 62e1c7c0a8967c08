"""Reads of the catalogue for shoppers: what is listed, found and in what order.

Oscar 4 browses through haystack, which lists nothing without a search server.
Chợ Phiên browses and searches through the ORM instead: the same code on SQLite
and PostgreSQL, accent-insensitive through the ``unaccent`` lookup (shop/db.py).
"""

from django.db.models import Case, IntegerField, Min, Prefetch, Q, QuerySet, Value, When

from catalogue.models import Category, Product, ProductImage

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


def products_for_browse(
    *,
    query: str = "",
    category: Category | None = None,
    sort: str = "",
) -> QuerySet[Product]:
    """Public products a shopper may buy, filtered and sorted, ready for product cards.

    ``query`` matches words in any order in the title, description or cooperative
    name, with or without Vietnamese accents ("mien dong" finds "Miến dong").
    With words and no explicit ``sort``, products whose title holds the words come
    first, then those whose description does, then the cooperative's other products.
    """
    products = (
        Product.objects.browsable()  # public, and not a variant of another product
        .filter(Q(cooperative__isnull=True) | Q(cooperative__is_active=True))
        .select_related("cooperative", "product_class")
        .prefetch_related(
            "stockrecords",
            Prefetch("images", queryset=ProductImage.objects.order_by("display_order")),
        )
        .annotate(min_price=Min("stockrecords__price"))
    )
    words = query.split()
    for word in words:
        products = products.filter(
            Q(title__unaccent__icontains=word)
            | Q(description__unaccent__icontains=word)
            | Q(cooperative__name__unaccent__icontains=word)
        )
    if category is not None:
        products = products.filter(categories__in=category.get_descendants_and_self()).distinct()
    if words and sort in ("", SORT_RELEVANCE):
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
    return products.order_by(*SORT_ORDERINGS.get(sort, SORT_ORDERINGS[SORT_NEWEST]))
