"""Site-wide views: error pages, site search, robots.txt and sitemap.xml.

``shop`` wires the apps together, so these views may read from all of them.
"""

from django.apps import apps
from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template import loader
from django.urls import reverse
from django.views import defaults
from wagtail.models import Page

from catalogue.selectors import BrowseFilters, products_for_browse
from cooperatives.models import Cooperative
from cooperatives.selectors import cooperatives_public
from shop.sitemaps import sitemaps_for


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The translated 404 page, inside the shop's layout."""
    return defaults.page_not_found(request, exception, template_name="404.html")


def server_error(request: HttpRequest) -> HttpResponse:
    """A self-contained, translated 500 page.

    Rendered without context processors: whatever broke the request (the database,
    the basket) must not break the error page too. Never shows a traceback.
    """
    return HttpResponse(loader.get_template("500.html").render(), status=500)


# Site search ---------------------------------------------------------------------------

SEARCH_QUERY_MAX_LENGTH = 200
SEARCH_SECTION_PREVIEW = 4  # stories and cooperatives shown beside the products
SEARCH_LIST_PER_PAGE = 20  # a full list of stories or cooperatives, a page at a time
# Wagtail page types that are found by the site search; a type that does not exist
# (yet) is skipped. Each is matched on its title, search description and ``intro``.
SEARCH_PAGE_TYPES = ("stories.StoryPage", "stories.CampaignPage")
SEARCH_KIND_STORIES = "stories"
SEARCH_KIND_COOPERATIVES = "cooperatives"


def _search_page_models() -> list[type[Page]]:
    models = []
    for label in SEARCH_PAGE_TYPES:
        try:
            models.append(apps.get_model(label))
        except LookupError:
            continue
    return models


def _pages_matching(query: str) -> QuerySet[Page]:
    """Live, public stories and campaigns with every word of ``query``, newest first.

    Wagtail's database search backend is not accent-insensitive for Vietnamese: on
    SQLite (FTS5) "mien" does not find "Miến" (two marks on one letter), and
    PostgreSQL's text search keeps accents without an unaccent dictionary. So pages
    are matched through the same ``unaccent`` lookup as products (shop/db.py).
    """
    models = _search_page_models()
    pages = Page.objects.live().public().type(*models) if models else Page.objects.none()
    intro_fields = [
        f"{model._meta.model_name}__intro"
        for model in models
        if any(field.name == "intro" for field in model._meta.get_fields())
    ]
    for word in query.split():
        matches = Q(title__unaccent__icontains=word) | Q(
            search_description__unaccent__icontains=word
        )
        for field in intro_fields:
            matches |= Q(**{f"{field}__unaccent__icontains": word})
        pages = pages.filter(matches)
    return pages.order_by("-first_published_at", "-pk").specific(defer=False)


def _cooperatives_matching(query: str) -> QuerySet[Cooperative]:
    """Active cooperatives whose name, description or place holds every word of ``query``."""
    cooperatives = cooperatives_public()
    for word in query.split():
        cooperatives = cooperatives.filter(
            Q(name__unaccent__icontains=word)
            | Q(short_description__unaccent__icontains=word)
            | Q(province_name__unaccent__icontains=word)
            | Q(commune_name__unaccent__icontains=word)
        )
    return cooperatives


def _preview(items: QuerySet) -> tuple[list, bool]:
    """The first few ``items`` and whether there are more, without counting them all."""
    first = list(items[: SEARCH_SECTION_PREVIEW + 1])
    return first[:SEARCH_SECTION_PREVIEW], len(first) > SEARCH_SECTION_PREVIEW


def site_search(request: HttpRequest) -> HttpResponse:
    """``/tim-kiem/?q=``: products, stories and cooperatives for the words a shopper typed.

    Products come a page at a time (``page``); stories and cooperatives show their
    first few with a link to all of them (``type=stories`` or ``type=cooperatives``).
    Accents are optional everywhere: "mien dong" finds "Miến dong".
    """
    query = " ".join(request.GET.get("q", "").split())[:SEARCH_QUERY_MAX_LENGTH]
    kind = request.GET.get("type", "")
    if kind not in (SEARCH_KIND_STORIES, SEARCH_KIND_COOPERATIVES):
        kind = ""
    context = {"query": query, "kind": kind}
    if query and kind == SEARCH_KIND_STORIES:
        paginator = Paginator(_pages_matching(query), SEARCH_LIST_PER_PAGE)
        context["page_obj"] = paginator.get_page(request.GET.get("page"))
    elif query and kind == SEARCH_KIND_COOPERATIVES:
        paginator = Paginator(_cooperatives_matching(query), SEARCH_LIST_PER_PAGE)
        context["page_obj"] = paginator.get_page(request.GET.get("page"))
    elif query:
        products = products_for_browse(filters=BrowseFilters(query=query))
        paginator = Paginator(products, settings.OSCAR_PRODUCTS_PER_PAGE)
        context["page_obj"] = paginator.get_page(request.GET.get("page"))
        if context["page_obj"].number == 1:  # later pages of products show products only
            context["stories"], context["more_stories"] = _preview(_pages_matching(query))
            context["cooperatives"], context["more_cooperatives"] = _preview(
                _cooperatives_matching(query)
            )
    if "page_obj" in context:
        context["paginator"] = context["page_obj"].paginator
        context["is_paginated"] = context["paginator"].num_pages > 1
    return render(request, "shop/search.html", context)


# Search engines ------------------------------------------------------------------------

ROBOTS_DISALLOWED = (
    "/dashboard/",
    "/cms/",
    "/django-admin/",
    "/quan-ly/",
    "/shop/basket/",
    "/shop/checkout/",
    "/don-hang/",
    "/shop/accounts/",
)


def robots_txt(request: HttpRequest) -> HttpResponse:
    """``/robots.txt``: crawl the shop and its stories, not the consoles, baskets or orders."""
    lines = ["User-agent: *", "Allow: /"]
    lines += [f"Disallow: {path}" for path in ROBOTS_DISALLOWED]
    lines += ["", f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def sitemap_xml(request: HttpRequest) -> HttpResponse:
    """``/sitemap.xml``: Wagtail pages, products and cooperatives (see shop/sitemaps.py)."""
    return sitemap_views.sitemap(request, sitemaps=sitemaps_for(request))
