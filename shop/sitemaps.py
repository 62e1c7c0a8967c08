"""``/sitemap.xml``: every public page, product and cooperative, for search engines.

All sections take the scheme and host from the request, the same host the
canonical links of the pages name (templates/partials/seo.html), so a sitemap
never points search engines at ``example.com`` or at a stale Wagtail site name.
"""

from urllib.parse import urlsplit

from django.contrib.sitemaps import Sitemap
from django.http import HttpRequest
from wagtail.contrib.sitemaps import Sitemap as WagtailSitemap

from catalogue.selectors import products_public
from cooperatives.selectors import cooperatives_public


class RequestHostMixin:
    """Absolute URLs on the host the sitemap was asked from."""

    request: HttpRequest

    def get_domain(self, site=None) -> str:
        return self.request.get_host()


class PageSitemap(RequestHostMixin, WagtailSitemap):
    """Live, public Wagtail pages: the home page, story indexes, stories, campaigns.

    Wagtail builds each entry (a page type may override ``get_sitemap_urls``);
    only the host is swapped for the request's.
    """

    def _urls(self, page, protocol, domain):
        urls = super()._urls(page, protocol, domain)
        for url in urls:
            url["location"] = self.request.build_absolute_uri(urlsplit(url["location"]).path)
        return urls


class ProductSitemap(RequestHostMixin, Sitemap):
    """Products a shopper may see; hidden ones and those of paused cooperatives are left out."""

    changefreq = "weekly"

    def __init__(self, request: HttpRequest):
        self.request = request

    def items(self):
        # Neither the stock records nor the images go into a sitemap.
        return products_public().prefetch_related(None).order_by("pk")

    def lastmod(self, product):
        return product.date_updated


class CooperativeSitemap(RequestHostMixin, Sitemap):
    """Public profiles of active cooperatives."""

    changefreq = "monthly"

    def __init__(self, request: HttpRequest):
        self.request = request

    def items(self):
        return cooperatives_public().order_by("pk")


def sitemaps_for(request: HttpRequest) -> dict[str, Sitemap]:
    return {
        "pages": PageSitemap(request),
        "products": ProductSitemap(request),
        "cooperatives": CooperativeSitemap(request),
    }
