from django.urls import URLPattern, path, reverse_lazy
from django.views.generic.base import RedirectView
from oscar.config import Shop


class ChoPhienShop(Shop):
    """Oscar's root config with the storefront at ``/shop/`` and the dashboard beside it.

    ``shop/urls.py`` mounts these URLs under ``/shop/`` and the dashboard at
    ``/dashboard/``, so the dashboard is left out here to keep one route per view.
    """

    def get_urls(self) -> list[URLPattern]:
        urls = [url for url in super().get_urls() if str(url.pattern) not in {"", "dashboard/"}]
        # /shop/ itself shows the product list; "/" is Wagtail's home page.
        return [
            path("", RedirectView.as_view(url=reverse_lazy("catalogue:index")), name="home"),
            *urls,
        ]
