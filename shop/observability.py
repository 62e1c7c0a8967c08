"""What operators see of the running shop: one log line per request, errors in Sentry.

Each request is logged once, on the ``shop.requests`` logger, with the fields a log
collector filters on (``LOGGING`` in shop/settings/base.py formats them as one JSON
object per line): request id, method, path, status, duration, the signed-in user's id
and the order number when the request is about one order.
"""

import logging
import re
import time
import uuid
from urllib.parse import urlsplit

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve

request_logger = logging.getLogger("shop.requests")

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's id is kept when it looks like one; anything else (or nothing) gets a new one,
# so a client cannot write arbitrary text into the logs.
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


def request_id_for(request: HttpRequest) -> str:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if _REQUEST_ID.match(given) else uuid.uuid4().hex


def order_number_for(request: HttpRequest, response: HttpResponse) -> str | None:
    """The order this request was about: set by a view, in the URL, or where it redirects.

    Placing an order answers with a redirect to the order's page (``/don-hang/<number>/…``),
    so the place-order request is logged with the number it created.
    """
    number = getattr(request, "order_number", None)
    if number:
        return str(number)
    match = request.resolver_match
    if match is not None and match.kwargs.get("number"):
        return str(match.kwargs["number"])
    location = response.get("Location") if 300 <= response.status_code < 400 else None
    if location:
        try:
            target = resolve(urlsplit(location).path)
        except Resolver404:
            return None
        if target.kwargs.get("number"):
            return str(target.kwargs["number"])
    return None


# URL parts that open something to whoever holds the link: the guest order page and its
# card payment (``token``), password resets (``uidb64``, ``token``), oscar's order status
# (``hash``), shared wish lists and stock alerts (``key``, ``to_key``). Logs and error
# reports are read by more people than should open those.
SECRET_URL_KWARGS = frozenset({"token", "hash", "key", "to_key", "uidb64"})
REDACTED = "[redacted]"


def loggable_path(path: str, kwargs: dict | None) -> str:
    """``path`` with the segments holding a secret URL argument replaced by ``[redacted]``."""
    secrets = {str(value) for name, value in (kwargs or {}).items() if name in SECRET_URL_KWARGS}
    secrets.discard("")
    if not secrets:
        return path
    return "/".join(REDACTED if part in secrets else part for part in path.split("/"))


def _request_path(request: HttpRequest) -> str:
    match = request.resolver_match
    return loggable_path(request.path, match.kwargs if match is not None else None)


def sentry_event_scrub(event: dict, hint: dict) -> dict:
    """Sentry's ``before_send``: the request's URL without its link token, as in the log."""
    request = event.get("request") or {}
    url = request.get("url")
    if url:
        parts = urlsplit(url)
        try:
            kwargs = resolve(parts.path).kwargs
        except Resolver404:
            kwargs = None
        request["url"] = parts._replace(path=loggable_path(parts.path, kwargs)).geturl()
    return event


def _user_id(request: HttpRequest) -> int | None:
    # Only a user the request already loaded: looking them up here would cost two
    # queries on pages that never needed the session (the health check, static pages).
    user = getattr(request, "_cached_user", None)
    if user is not None and user.is_authenticated:
        return user.pk
    return None


class RequestLogMiddleware:
    """Log every request once, after its response, and echo its id in ``X-Request-ID``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        request.id = request_id_for(request)
        response = self.get_response(request)
        duration_ms = round((time.perf_counter() - started) * 1000, 1)
        response[REQUEST_ID_HEADER] = request.id
        path = _request_path(request)
        fields = {
            "request_id": request.id,
            "method": request.method,
            "path": path,
            "status": response.status_code,
            "duration_ms": duration_ms,
            "user_id": _user_id(request),
            "order_number": order_number_for(request, response),
        }
        level = logging.ERROR if response.status_code >= 500 else logging.INFO
        request_logger.log(
            level,
            "%s %s %s %.1fms",
            request.method,
            path,
            response.status_code,
            duration_ms,
            extra=fields,
        )
        return response


def sentry_init(
    *, dsn: str, environment: str, release: str = "", traces_sample_rate: float = 0.0
) -> None:
    """Send unhandled errors of web requests and Celery tasks to Sentry.

    ``send_default_pii=False``: no cookies, user addresses or request bodies leave the
    shop; shoppers' names, phones and addresses are personal data under Decree 13/2023.
    """
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import ignore_logger

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        send_default_pii=False,
        before_send=sentry_event_scrub,
        before_send_transaction=sentry_event_scrub,
        traces_sample_rate=traces_sample_rate,
        integrations=[DjangoIntegration(), CeleryIntegration()],
    )
    # A failed request is reported once, with its traceback, not again by its log line.
    ignore_logger(request_logger.name)
