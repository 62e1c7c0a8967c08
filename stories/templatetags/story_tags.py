"""Stories on shop pages, and helpers for story blocks.

The shop never imports ``stories`` (ARCHITECTURE.md): product and cooperative pages
load this library instead.
"""

from django import template
from django.utils.safestring import mark_safe

from catalogue.selectors import products_public
from stories import selectors
from stories.sanitize import embed_clean, rich_text_clean

register = template.Library()


@register.simple_tag
def stories_about_cooperative(cooperative, limit: int = 3):
    """Published stories about ``cooperative``, newest first."""
    return selectors.stories_about_cooperative(cooperative=cooperative, limit=limit)


@register.simple_tag
def stories_about_product(product, limit: int = 3):
    """Published stories that feature ``product`` ("the story behind it"), newest first."""
    if product is None or product.pk is None:
        return []
    return selectors.stories_about_product(product=product, limit=limit)


@register.simple_tag(takes_context=True)
def story_product(context, product):
    """The buyable version of a chosen product, or ``None`` if it was deleted or hidden.

    Pages put every product of their stream in ``shop_products`` with one query; a
    block rendered elsewhere (an admin preview) looks its product up alone.
    """
    if product is None:
        return None
    shop_products = context.get("shop_products")
    if shop_products is not None:
        return shop_products.get(product.pk)
    return products_public().filter(pk=product.pk).first()


@register.filter
def story_rich_text(value) -> str:
    """Rich text as HTML with only harmless tags: no script reaches a shopper."""
    return mark_safe(rich_text_clean(str(value or "")))  # noqa: S308  (cleaned above)


@register.filter
def story_embed(value) -> str:
    """A video embed reduced to an https ``<iframe>``; empty if the provider is unreachable."""
    html = getattr(value, "html", "") if value else ""
    return mark_safe(embed_clean(html))  # noqa: S308  (cleaned above)
