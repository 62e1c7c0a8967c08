"""Product pictures sized for phones: WebP with a JPEG fallback, in two widths.

An uploaded photo can be a 12-megapixel original of several megabytes; shoppers only
ever receive thumbnails of the widths asked for here.
"""

from html import unescape

from django import template
from django.utils.html import json_script, strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from oscar.core.thumbnails import get_thumbnailer
from wagtail.whitelist import Whitelister

from catalogue.availability import availability_message

register = template.Library()


def original(image):
    """The source file of a product image, or of oscar's "image not found" placeholder."""
    return image["original"] if isinstance(image, dict) else image.original


@register.inclusion_tag("catalogue/partials/picture.html")
def product_picture(
    image,
    alt: str,
    *,
    width: int = 320,
    square: bool = True,
    loading: str = "lazy",
    sizes: str = "(max-width: 575px) 50vw, 25vw",
    css_class: str = "img-fluid",
):
    """A ``<picture>`` of ``image`` at ``width`` and twice that for sharp screens.

    ``image`` is a ProductImage, or the dict oscar's ``primary_image()`` gives for a
    product without photos. Square pictures are cropped to the centre, for cards.
    """
    thumbnailer = get_thumbnailer()
    source = original(image)
    versions = {}
    for fmt in ("WEBP", "JPEG"):
        versions[fmt] = []
        for scale in (1, 2):
            size = f"{width * scale}x{width * scale}" if square else f"{width * scale}x"
            options = {"size": size, "format": fmt, "upscale": False, "quality": 80}
            if square:
                options["crop"] = "center"
            versions[fmt].append(thumbnailer.generate_thumbnail(source, **options))
    fallback = versions["JPEG"][0]
    return {
        "webp": versions["WEBP"],
        "jpeg": versions["JPEG"],
        "fallback": fallback,
        "alt": alt,
        "loading": loading,
        "sizes": sizes,
        "css_class": css_class,
    }


@register.simple_tag
def product_share_data(product, session, request) -> dict:
    """What a link to ``product`` shows when pasted into Zalo or Facebook, and for search engines.

    Returns the canonical URL, a plain-text description, an absolute image URL and
    the schema.org Product as a dict (rendered with ``json_script``).
    """
    url = request.build_absolute_uri(product.get_absolute_url())
    text = unescape(strip_tags(product.description or ""))
    description = Truncator(" ".join(text.split())).chars(200) or product.get_title()
    image = get_thumbnailer().generate_thumbnail(
        original(product.primary_image()), size="800x800", format="JPEG", upscale=False, quality=80
    )
    image_url = request.build_absolute_uri(image.url)
    price = None
    json_ld = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": product.get_title(),
        "description": description,
        "image": [image_url],
        "url": url,
    }
    if product.cooperative:
        json_ld["brand"] = {"@type": "Organization", "name": product.cooperative.name}
    if session.stockrecord is not None:
        json_ld["sku"] = session.stockrecord.partner_sku
    if session.price.exists:
        price = int(
            session.price.incl_tax if session.price.is_tax_known else session.price.excl_tax
        )
        json_ld["offers"] = {
            "@type": "Offer",
            "price": str(price),
            "priceCurrency": session.price.currency,
            "url": url,
            "availability": "https://schema.org/InStock"
            if session.availability.is_available_to_buy
            else "https://schema.org/OutOfStock",
        }
        if product.cooperative:
            json_ld["offers"]["seller"] = {
                "@type": "Organization",
                "name": product.cooperative.name,
            }
    return {
        "url": url,
        "description": description,
        "image_url": image_url,
        "price": price,
        "json_ld": json_ld,
    }


@register.filter
def json_ld(data: dict) -> str:
    """``data`` as a ``<script type="application/ld+json">``, escaped like ``json_script``."""
    script = json_script(data).replace('type="application/json"', 'type="application/ld+json"', 1)
    return mark_safe(script)  # noqa: S308  (json_script escaped the data)


@register.filter
def clean_html(html: str) -> str:
    """Product HTML with only harmless tags and attributes (Wagtail's rich-text whitelist).

    Oscar prints descriptions unescaped; they come from several hands (staff,
    managers, imports), so scripts, event handlers and ``javascript:`` links go.
    """
    return mark_safe(Whitelister().clean(html or ""))  # noqa: S308  (whitelisted above)


@register.filter
def stock_message(availability) -> str:
    """How much is left, told only when it is little (catalogue.availability)."""
    return availability_message(availability)
