"""The shop's URLs plus the benchmark's ceiling: ``bench/ping/``.

It answers "ok" through the whole middleware stack (sessions, locale, CSRF, auth,
messages, basket) with no query of its own, so its throughput is the most this stack
can serve on this machine; every page is reported as a share of it. (``/health/``
checks the database, cache and broker, which is more than a ceiling should.)

Product photos are served by the app, as the web server in front of gunicorn would
serve them, so that page weight counts them (``SERVE_MEDIA`` where the shop has it).
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import path, re_path
from django.views.static import serve

from shop.urls import handler404, handler500  # noqa: F401
from shop.urls import urlpatterns as shop_urlpatterns


def ping(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/ping/", ping, name="bench-ping")]
if not getattr(settings, "SERVE_MEDIA", False):
    media = settings.MEDIA_URL.lstrip("/")
    urlpatterns.append(
        re_path(rf"^{media}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})
    )
urlpatterns += shop_urlpatterns
