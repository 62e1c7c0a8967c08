"""Wagtail pages: the home page, stories about cooperatives and seasonal campaigns.

Shop data (products, cooperatives, offers) is referenced, never copied. Listings are
built in ``get_context`` from the selectors in ``stories.selectors``.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, MultipleChooserPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from stories.blocks import (
    CooperativeChooserBlock,
    ProductChooserBlock,
    StoryStreamBlock,
    stream_product_ids,
)
from stories.views import product_chooser_viewset

# Editors search and pick products in a modal: the shop has thousands of them.
product_chooser_widget = product_chooser_viewset.widget_class


def image_field(verbose_name):
    return models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )


_https_url = URLValidator(schemes=["https"])


def is_safe_link(value: str) -> bool:
    """A path on this site (``/shop/``, not ``//host``) or an ``https://`` address."""
    if not value or value != value.strip() or "\\" in value:
        return False
    if any(ord(char) < 32 or ord(char) == 127 for char in value):
        return False
    if value.startswith("/"):
        return not value.startswith("//")
    if not value.lower().startswith("https://"):
        return False
    try:
        _https_url(value)
    except ValidationError:
        return False
    return True


def validate_safe_link(value: str) -> None:
    if value and not is_safe_link(value):
        raise ValidationError(
            _("Enter a path on this site starting with “/” or an address starting with https://."),
            code="unsafe_link",
        )


class HomePage(Page):
    """The site root: a hero, products and cooperatives editors picked, stories and campaigns."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    hero_title = models.CharField(_("hero title"), max_length=120, blank=True)
    hero_text = models.TextField(_("hero text"), max_length=400, blank=True)
    hero_image = image_field(_("hero image"))
    hero_link_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("hero link (page)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hero_link_url = models.CharField(
        _("hero link (address)"),
        max_length=300,
        blank=True,
        validators=[validate_safe_link],
        help_text=_("Used when no page is chosen, e.g. /shop/catalogue/."),
    )
    hero_link_text = models.CharField(_("hero button text"), max_length=60, blank=True)
    featured_products = StreamField(
        [("product", ProductChooserBlock(label=_("Product")))],
        verbose_name=_("featured products"),
        blank=True,
    )
    featured_cooperatives = StreamField(
        [("cooperative", CooperativeChooserBlock(label=_("Cooperative")))],
        verbose_name=_("featured cooperatives"),
        blank=True,
    )

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [
                FieldPanel("hero_title"),
                FieldPanel("hero_text"),
                FieldPanel("hero_image"),
                FieldRowPanel([FieldPanel("hero_link_page"), FieldPanel("hero_link_url")]),
                FieldPanel("hero_link_text"),
            ],
            heading=_("Hero"),
        ),
        FieldPanel("intro"),
        FieldPanel("featured_products"),
        FieldPanel("featured_cooperatives"),
    ]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["stories.StoryIndexPage", "stories.CampaignIndexPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    @property
    def hero_link(self) -> str:
        if self.hero_link_page_id and self.hero_link_page.live:
            return self.hero_link_page.url
        # Checked again here: a value written around the form's validation never renders.
        return self.hero_link_url if is_safe_link(self.hero_link_url) else ""

    def get_context(self, request, *args, **kwargs):
        from stories import selectors  # selectors read these models

        context = super().get_context(request, *args, **kwargs)
        context["featured_products"] = selectors.products_in_order(
            stream_product_ids(self.featured_products)
        )
        context["featured_cooperatives"] = selectors.cooperatives_in_order(
            [child["value"] for child in self.featured_cooperatives.raw_data]
        )
        context["latest_stories"] = selectors.stories_public().order_by("-date", "-pk")[:3]
        context["running_campaigns"] = selectors.campaigns_running()[:3]
        return context


class StoryIndexPage(Page):
    """Lists the stories under it, newest first, twelve a page; ``?tag=`` and ``?cooperative=``."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["stories.HomePage"]
    subpage_types = ["stories.StoryPage"]

    class Meta:
        verbose_name = _("story index")

    def get_context(self, request, *args, **kwargs):
        from stories import selectors  # selectors read these models

        context = super().get_context(request, *args, **kwargs)
        tag = request.GET.get("tag", "").strip()
        cooperative = request.GET.get("cooperative", "").strip()
        stories = selectors.stories_public(
            index=self, tag=tag, cooperative_slug=cooperative
        ).order_by("-date", "-pk")
        context["stories"] = Paginator(stories, 12).get_page(request.GET.get("page"))
        context["tag"] = tag
        context["cooperative_slug"] = cooperative
        context["filter_choices"] = selectors.story_filter_choices(index=self)
        return context


class StoryPageTag(TaggedItemBase):
    content_object = ParentalKey(
        "stories.StoryPage", related_name="tagged_items", on_delete=models.CASCADE
    )


class StoryPage(Page):
    """A story about a cooperative, its producers or a season, with products to buy."""

    date = models.DateField(_("date"), default=timezone.localdate)
    author = models.CharField(_("author"), max_length=120, blank=True)
    intro = models.CharField(_("introduction"), max_length=300, blank=True)
    cover_image = image_field(_("cover image"))
    cooperative = models.ForeignKey(
        "cooperatives.Cooperative",
        verbose_name=_("main cooperative"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stories",
    )
    cooperatives = ParentalManyToManyField(
        "cooperatives.Cooperative",
        verbose_name=_("other cooperatives"),
        blank=True,
        related_name="featured_in_stories",
    )
    tags = ClusterTaggableManager(through=StoryPageTag, blank=True, verbose_name=_("tags"))
    body = StreamField(StoryStreamBlock(), verbose_name=_("body"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("date"), FieldPanel("author")]),
        FieldPanel("intro"),
        FieldPanel("cover_image"),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldPanel("cooperative"),
                FieldPanel("cooperatives", widget=forms.CheckboxSelectMultiple),
                FieldPanel("tags"),
            ],
            heading=_("What the story is about"),
        ),
        MultipleChooserPanel(
            "product_links",
            chooser_field_name="product",
            heading=_("Products"),
            label=_("Product"),
            help_text=_("Products this story is about: their pages link back to it."),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("author"),
        index.SearchField("body"),
        index.RelatedFields("tags", [index.SearchField("name")]),
        index.FilterField("date"),
    ]
    parent_page_types = ["stories.StoryIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("story")
        verbose_name_plural = _("stories")

    def get_context(self, request, *args, **kwargs):
        from stories import selectors  # selectors read these models

        context = super().get_context(request, *args, **kwargs)
        # Every product card and row of the body from one query (a hidden product is absent).
        context["shop_products"] = selectors.products_for_streams(self.body)
        return context

    @property
    def products(self) -> list:
        """The products picked for this story, in the editor's order (draft or live)."""
        return [link.product for link in self.product_links.all()]


class PageProduct(Orderable):
    """One product picked for a page, by reference; the shop product stays the source."""

    panels = [FieldPanel("product", widget=product_chooser_widget)]

    class Meta(Orderable.Meta):
        abstract = True


class StoryPageProduct(PageProduct):
    page = ParentalKey(StoryPage, related_name="product_links", on_delete=models.CASCADE)
    product = models.ForeignKey(
        "catalogue.Product",
        verbose_name=_("product"),
        on_delete=models.CASCADE,
        related_name="story_links",
    )

    class Meta(PageProduct.Meta):
        verbose_name = _("story product")
        constraints = [
            models.UniqueConstraint(fields=["page", "product"], name="story_product_once")
        ]


class CampaignIndexPage(Page):
    """Lists the campaigns running today."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["stories.HomePage"]
    subpage_types = ["stories.CampaignPage"]
    max_count = 1

    class Meta:
        verbose_name = _("campaign index")

    def get_context(self, request, *args, **kwargs):
        from stories import selectors  # selectors read these models

        context = super().get_context(request, *args, **kwargs)
        context["campaigns"] = selectors.campaigns_running(index=self)
        return context


class CampaignPage(Page):
    """A season's campaign (Tết gift boxes, the bamboo-shoot harvest), shown only in its dates."""

    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    intro = models.CharField(_("introduction"), max_length=300, blank=True)
    cover_image = image_field(_("cover image"))
    body = StreamField(StoryStreamBlock(), verbose_name=_("body"), blank=True)
    offer = models.ForeignKey(
        "offer.ConditionalOffer",
        verbose_name=_("offer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("An offer set up in the dashboard that applies during the campaign."),
    )
    voucher = models.ForeignKey(
        "voucher.Voucher",
        verbose_name=_("voucher"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A voucher code shoppers enter in the basket."),
    )

    content_panels = [
        *Page.content_panels,
        FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
        FieldPanel("intro"),
        FieldPanel("cover_image"),
        FieldPanel("body"),
        MultipleChooserPanel(
            "product_links", chooser_field_name="product", heading=_("Products"), label=_("Product")
        ),
        FieldRowPanel([FieldPanel("offer"), FieldPanel("voucher")]),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
        index.FilterField("start_date"),
        index.FilterField("end_date"),
    ]
    parent_page_types = ["stories.CampaignIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="campaign_ends_after_it_starts",
            )
        ]

    def clean(self):
        super().clean()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The last day comes before the first day.")})

    def status(self, today: datetime.date | None = None) -> str:
        """``upcoming``, ``running`` or ``ended`` on ``today`` (local date)."""
        today = today or timezone.localdate()
        if today < self.start_date:
            return "upcoming"
        if today > self.end_date:
            return "ended"
        return "running"

    def get_context(self, request, *args, **kwargs):
        from stories import selectors  # selectors read these models

        context = super().get_context(request, *args, **kwargs)
        context["campaign_status"] = self.status()
        context["shop_products"] = selectors.products_for_streams(self.body)
        context["campaign_products"] = selectors.products_public_of(self.products)
        return context

    @property
    def products(self) -> list:
        """The products picked for this campaign, in the editor's order (draft or live)."""
        return [link.product for link in self.product_links.all()]

    def get_sitemap_urls(self, request=None):
        # Search engines get a campaign only while it runs (before or after, its page says so).
        if self.status() != "running":
            return []
        return super().get_sitemap_urls(request)


class CampaignPageProduct(PageProduct):
    page = ParentalKey(CampaignPage, related_name="product_links", on_delete=models.CASCADE)
    product = models.ForeignKey(
        "catalogue.Product",
        verbose_name=_("product"),
        on_delete=models.CASCADE,
        related_name="campaign_links",
    )

    class Meta(PageProduct.Meta):
        verbose_name = _("campaign product")
        constraints = [
            models.UniqueConstraint(fields=["page", "product"], name="campaign_product_once")
        ]
