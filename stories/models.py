"""Wagtail pages: the home page and the stories editors tell about cooperatives."""

from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Page
from wagtail.search import index

from catalogue.selectors import products_for_browse
from cooperatives.selectors import cooperatives_public


class HomePage(Page):
    """The site root: a welcome, the newest stories, products and cooperatives."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["latest_stories"] = (
            StoryPage.objects.live().public().select_related("cover_image").order_by("-date")[:3]
        )
        context["new_products"] = products_for_browse()[:8]
        context["cooperatives"] = cooperatives_public()[:6]
        return context


class StoryIndexPage(Page):
    """Lists the stories under it, newest first, a page at a time."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["stories.HomePage"]
    subpage_types = ["stories.StoryPage"]

    class Meta:
        verbose_name = _("story index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        stories = (
            StoryPage.objects.live()
            .public()
            .child_of(self)
            .select_related("cover_image")
            .order_by("-date")
        )
        context["stories"] = Paginator(stories, 12).get_page(request.GET.get("page"))
        return context


class StoryPage(Page):
    """A story about a cooperative, its producers or a season."""

    date = models.DateField(_("date"), default=timezone.localdate)
    intro = models.CharField(_("introduction"), max_length=300, blank=True)
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("cover image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cooperative = models.ForeignKey(
        "cooperatives.Cooperative",
        verbose_name=_("cooperative"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stories",
    )
    body = StreamField(
        [
            ("paragraph", blocks.RichTextBlock(label=_("Paragraph"))),
            ("image", ImageChooserBlock(label=_("Image"))),
            ("quote", blocks.BlockQuoteBlock(label=_("Quote"))),
        ],
        verbose_name=_("body"),
        blank=True,
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("intro"),
        FieldPanel("cover_image"),
        FieldPanel("cooperative"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
    ]
    parent_page_types = ["stories.StoryIndexPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("story")
        verbose_name_plural = _("stories")
