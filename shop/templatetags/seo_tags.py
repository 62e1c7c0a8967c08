"""What search engines and link previews (Zalo, Facebook) read in a page's ``<head>``.

Used by templates/partials/seo.html, which templates/oscar/base.html includes on
every page. A Wagtail page (``page`` in the context) gets its SEO title, search
description or intro, and its cover image if the page type has one; any other page
gets its canonical URL. Product and cooperative pages write their own share tags.
"""

from django import template
from django.http import HttpRequest
from django.utils.html import strip_tags
from django.utils.text import Truncator
from wagtail.models import Page

register = template.Library()

DESCRIPTION_LENGTH = 200
# Facebook's and Zalo's preferred size for a link preview.
SHARE_IMAGE_SPEC = "fill-1200x630|format-jpeg|jpegquality-80"
# Only these query parameters name different content; the rest (utm_*, fbclid…) are tracking.
CANONICAL_PARAMETERS = ("page",)


def _wagtail_page(context) -> Page | None:
    page = context.get("page")
    return page if isinstance(page, Page) else None


def canonical_url(request: HttpRequest) -> str:
    """This page's absolute URL without tracking parameters (``page=2`` is kept)."""
    url = request.build_absolute_uri(request.path)
    kept = request.GET.copy()
    for key in list(kept):
        if key not in CANONICAL_PARAMETERS or kept.get(key) in ("", "1"):
            kept.pop(key)
    return f"{url}?{kept.urlencode()}" if kept else url


def page_description(page: Page) -> str:
    text = page.search_description or getattr(page, "intro", "") or ""
    return Truncator(" ".join(strip_tags(str(text)).split())).chars(DESCRIPTION_LENGTH)


def page_share_image_url(page: Page, request: HttpRequest) -> str:
    image = getattr(page, "cover_image", None)
    if image is None:
        return ""
    try:
        rendition = image.get_rendition(SHARE_IMAGE_SPEC)
    except Exception:  # noqa: BLE001  a missing original file must not break the page
        return ""
    return request.build_absolute_uri(rendition.url)


@register.simple_tag(takes_context=True)
def seo_description(context) -> str:
    """The Wagtail page's search description (or intro) as plain text; empty elsewhere."""
    page = _wagtail_page(context)
    return page_description(page) if page else ""


@register.simple_tag(takes_context=True)
def seo_meta(context) -> dict:
    """Canonical URL and OpenGraph values for the page being rendered."""
    request = context.get("request")
    if request is None:
        return {}
    page = _wagtail_page(context)
    meta = {"url": canonical_url(request), "type": "website"}
    if page is not None:
        site_root = page.depth <= 2  # the home page
        meta.update(
            title=page.seo_title or page.title,
            description=page_description(page),
            image=page_share_image_url(page, request),
            type=getattr(page, "og_type", "website" if site_root else "article"),
        )
    return meta
