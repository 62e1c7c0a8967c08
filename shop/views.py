"""Site-wide views: error pages and the health check."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.views import defaults


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The translated 404 page, inside the shop's layout."""
    return defaults.page_not_found(request, exception, template_name="404.html")


def server_error(request: HttpRequest) -> HttpResponse:
    """A self-contained, translated 500 page.

    Rendered without context processors: whatever broke the request (the database,
    the basket) must not break the error page too. Never shows a traceback.
    """
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def health(request: HttpRequest) -> JsonResponse:
    """Liveness of the web process and its database, for load balancers and monitors."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
