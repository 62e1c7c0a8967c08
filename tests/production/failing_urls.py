"""A URL whose view fails, for the error-reporting tests (ROOT_URLCONF in a test only)."""

from django.urls import path


class ViewFailure(Exception):
    """Raised on purpose; its name is what the error reports are searched for."""


def failing_view(request):
    raise ViewFailure("a bug in a view, on purpose")


urlpatterns = [path("boom/", failing_view)]
