from django.apps import apps
from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from shop import health, views

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("health/", health.health, name="health"),
    path("tim-kiem/", views.site_search, name="site-search"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", views.sitemap_xml, name="sitemap"),
    path("hop-tac-xa/", include("cooperatives.urls")),
    path("quan-ly/", include("cooperatives.manager_urls")),
    path("don-hang/", include("cooperatives.order_urls")),
    path("payments/stripe/", include("checkout.stripe_urls")),
    path("dia-chi/", include("address.urls")),
    path("dashboard/", apps.get_app_config("dashboard").urls),
    # Before oscar's accounts: a shopper's data export, and erasure in place of oscar's
    # "delete profile" (which deletes the user outright).
    path("shop/accounts/", include("privacy.urls")),
    # Oscar's storefront: catalogue, basket, checkout, accounts, search.
    path("shop/", include(apps.get_app_config("oscar").urls[0])),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
elif settings.SERVE_MEDIA:
    urlpatterns.append(
        re_path(
            rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    )

# Wagtail's catch-all serves the home page and stories; it must come last.
urlpatterns.append(path("", include(wagtail_urls)))

handler404 = "shop.views.page_not_found"
handler500 = "shop.views.server_error"
