"""Reads of stories and campaigns, and of the shop data their blocks show."""

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from taggit.models import Tag

from catalogue.models import Product
from catalogue.selectors import products_public
from cooperatives.models import Cooperative
from cooperatives.selectors import cooperatives_public
from stories.blocks import stream_product_ids
from stories.models import CampaignIndexPage, CampaignPage, StoryIndexPage, StoryPage


def stories_public(
    *, index: StoryIndexPage | None = None, tag: str = "", cooperative_slug: str = ""
) -> QuerySet[StoryPage]:
    """Published stories a shopper may read, with what a story card shows."""
    stories = StoryPage.objects.live().public().select_related("cover_image", "cooperative")
    if index is not None:
        stories = stories.child_of(index)
    if tag:
        stories = stories.filter(tags__slug=tag)
    if cooperative_slug:
        stories = stories.filter(
            Q(cooperative__slug=cooperative_slug) | Q(cooperatives__slug=cooperative_slug)
        )
    if tag or cooperative_slug:
        stories = stories.distinct()
    return stories


def stories_about_cooperative(*, cooperative: Cooperative, limit: int = 3) -> list[StoryPage]:
    """Published stories whose main or other cooperatives include ``cooperative``, newest first."""
    return list(
        stories_public()
        .filter(Q(cooperative=cooperative) | Q(cooperatives=cooperative))
        .distinct()
        .order_by("-date", "-pk")[:limit]
    )


def stories_about_product(*, product: Product, limit: int = 3) -> list[StoryPage]:
    """Published stories about ``product``: listed as one of its products, newest first."""
    return list(
        stories_public().filter(product_links__product=product).order_by("-date", "-pk")[:limit]
    )


def story_filter_choices(*, index: StoryIndexPage) -> dict[str, list[tuple[str, str]]]:
    """Tags and cooperatives of the index's published stories, for its filter links."""
    stories = StoryPage.objects.live().public().child_of(index)

    tags = (
        Tag.objects.filter(stories_storypagetag_items__content_object__in=stories)
        .values_list("slug", "name")
        .distinct()
        .order_by("name")
    )
    cooperatives = (
        cooperatives_public()
        .filter(Q(stories__in=stories) | Q(featured_in_stories__in=stories))
        .values_list("slug", "name")
        .distinct()
        .order_by("name")
    )
    return {"tags": list(tags), "cooperatives": list(cooperatives)}


def campaigns_running(
    *, index: CampaignIndexPage | None = None, today: datetime.date | None = None
) -> QuerySet[CampaignPage]:
    """Published campaigns whose dates include ``today``, ending soonest first."""
    today = today or timezone.localdate()
    campaigns = (
        CampaignPage.objects.live()
        .public()
        .filter(start_date__lte=today, end_date__gte=today)
        .select_related("cover_image")
        .order_by("end_date", "pk")
    )
    if index is not None:
        campaigns = campaigns.child_of(index)
    return campaigns


def products_in_order(ids: list[int]) -> list[Product]:
    """Public products with these ids in the given order, in one query; hidden ones are left out."""
    found = products_public().in_bulk(set(ids)) if ids else {}
    return [found[pk] for pk in dict.fromkeys(ids) if pk in found]


def products_for_streams(*streams) -> dict[int, Product]:
    """Every public product the streams' product cards and rows name, by id, in one query."""
    ids = stream_product_ids(*streams)
    return products_public().in_bulk(set(ids)) if ids else {}


def products_public_of(products) -> list[Product]:
    """Those of ``products`` (a page's picked products, saved or previewed) a shopper may buy."""
    ids = [product.pk for product in products]
    return list(products_public().filter(pk__in=ids).order_by("title")) if ids else []


def cooperatives_in_order(ids: list[int]) -> list[Cooperative]:
    found = cooperatives_public().in_bulk(set(ids)) if ids else {}
    return [found[pk] for pk in dict.fromkeys(ids) if pk in found]
