"""StreamField blocks of stories, campaigns and the home page (templates in ``templates/blocks/``).

Product and cooperative blocks store a reference chosen in the admin; what a shopper
sees (price, stock, whether it is still on sale) is read when the page renders. Pages
fetch every product their stream names in one go (``stream_products``) so the number
of queries does not grow with the number of cards.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

from stories.views import cooperative_chooser_viewset, product_chooser_viewset

ProductChooserBlock = product_chooser_viewset.get_block_class(
    name="ProductChooserBlock", module_path="stories.blocks"
)
CooperativeChooserBlock = cooperative_chooser_viewset.get_block_class(
    name="CooperativeChooserBlock", module_path="stories.blocks"
)

# Headings, emphasis, lists and links: no images, embeds or raw HTML inside text.
RICH_TEXT_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link"]
VIDEO_MAX_WIDTH = 800


class ParagraphBlock(blocks.RichTextBlock):
    def __init__(self, **kwargs):
        kwargs.setdefault("features", RICH_TEXT_FEATURES)
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        label = _("Paragraph")
        template = "blocks/paragraph_block.html"


class LegacyValueMixin:
    """Read values saved before the block became a StructBlock (a bare id or string)."""

    legacy_field = ""

    def _upgrade(self, value):
        return value if isinstance(value, dict) else {self.legacy_field: value}

    def to_python(self, value):
        return super().to_python(self._upgrade(value))

    def bulk_to_python(self, values):
        return super().bulk_to_python([self._upgrade(value) for value in values])


class ImageBlock(LegacyValueMixin, blocks.StructBlock):
    legacy_field = "image"

    image = ImageChooserBlock(label=_("Image"))
    alt_text = blocks.CharBlock(
        label=_("Alternative text"),
        required=False,
        max_length=200,
        help_text=_("What the photo shows, for shoppers who cannot see it."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=300)

    class Meta:
        icon = "image"
        label = _("Image with caption")
        template = "blocks/image_block.html"


class QuoteBlock(LegacyValueMixin, blocks.StructBlock):
    legacy_field = "text"

    text = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(label=_("Who said it"), required=False, max_length=200)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "blocks/quote_block.html"


class VideoBlock(blocks.StructBlock):
    video = EmbedBlock(
        label=_("Video link"),
        help_text=_("A YouTube or Vimeo link, e.g. https://www.youtube.com/watch?v=…"),
        max_width=VIDEO_MAX_WIDTH,
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=300)

    class Meta:
        icon = "media"
        label = _("Video")
        template = "blocks/video_block.html"


class ProductCardBlock(blocks.StructBlock):
    product = ProductChooserBlock(label=_("Product"))
    blurb = blocks.TextBlock(
        label=_("Why this product"),
        required=False,
        help_text=_("A sentence or two that ties the product to the story."),
    )

    class Meta:
        icon = "pick"
        label = _("Product card")
        template = "blocks/product_card_block.html"
        description = _("One product with its live price, stock and an add-to-basket button.")


class ProductRowBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), required=False, max_length=120)
    products = blocks.ListBlock(
        ProductChooserBlock(label=_("Product")), label=_("Products"), min_num=1, max_num=8
    )

    class Meta:
        icon = "list-ul"
        label = _("Product row")
        template = "blocks/product_row_block.html"
        description = _("Up to eight products side by side.")


class CooperativeCardBlock(blocks.StructBlock):
    cooperative = CooperativeChooserBlock(label=_("Cooperative"))
    blurb = blocks.TextBlock(label=_("Introduction"), required=False)

    class Meta:
        icon = "group"
        label = _("Cooperative card")
        template = "blocks/cooperative_card_block.html"


class StoryStreamBlock(blocks.StreamBlock):
    """The body of a story or campaign."""

    paragraph = ParagraphBlock()
    image = ImageBlock()
    quote = QuoteBlock()
    video = VideoBlock()
    product_card = ProductCardBlock()
    product_row = ProductRowBlock()
    cooperative_card = CooperativeCardBlock()

    class Meta:
        block_counts = {}


def _item_values(items):
    """ListBlock raw data: a plain list (old format) or ``{"type": "item", "value": …}`` dicts."""
    for item in items or ():
        yield item.get("value") if isinstance(item, dict) else item


def stream_product_ids(*streams) -> list[int]:
    """Ids of every product the raw stream data names, in order, without loading anything."""
    ids: list[int] = []
    for stream in streams:
        for child in stream.raw_data if hasattr(stream, "raw_data") else stream or ():
            value = child.get("value")
            if child.get("type") == "product_card" and isinstance(value, dict):
                ids.append(value.get("product"))
            elif child.get("type") == "product_row" and isinstance(value, dict):
                ids.extend(_item_values(value.get("products")))
            elif child.get("type") == "product":
                ids.append(value)
    return [pk for pk in ids if isinstance(pk, int)]
