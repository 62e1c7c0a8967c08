"""Defences against floods and password guessing, and the Content Security Policy per area.

Configured in ``shop/settings/base.py`` (section "Security"); tests in tests/security/.

- ``client_ip``: the address of the shopper, not of the proxy in front of the shop.
  Used by the rate limits below and by django-axes' login lock-out.
- ``RateLimitMiddleware``: one table of limits (``RATE_LIMITS``) keyed by URL name, so
  oscar's and Wagtail's own views (registration, password reset) are covered without
  forking them. Counters live in the cache: Redis in production, shared by every
  gunicorn process.
- ``LoginLockoutBackend``, ``login_identity``, ``login_locked_out``: django-axes fitted
  to oscar's sign-in by e-mail address and its registration.
- ``ContentSecurityPolicyMiddleware``: django-csp's middleware, with the Stripe Checkout
  origin allowed as a form target and a relaxed policy for the admin sites, which still
  use inline scripts and styles."""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from axes.backends import AxesStandaloneBackend
from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage

logger = logging.getLogger(__name__)

# Rate limits -----------------------------------------------------------------------------


def client_ip(request: HttpRequest) -> str:
    """The client's address, trusting ``X-Forwarded-For`` only from known proxies.

    With ``TRUSTED_PROXY_COUNT = 0`` (the default) the shop faces the internet and the
    socket's address is the client. Behind N proxies of our own, each appends the
    address it received the request from, so the client is the Nth entry from the
    right; anything further left was written by the client and could be forged to
    dodge a limit or lock someone else out.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def _by_ip(group: str, request: HttpRequest) -> str:
    return client_ip(request)


def _by_ip_and_session(group: str, request: HttpRequest) -> str:
    # A shopper behind a carrier's shared address (CGNAT, common on Vietnamese mobile
    # networks) must not be slowed down by the others on that address.
    return f"{client_ip(request)}|{request.session.session_key or ''}"


def _by_user_or_ip(group: str, request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return f"ip:{client_ip(request)}"


def _by_posted_email(group: str, request: HttpRequest) -> str:
    # Stops one mailbox from being flooded with reset e-mails from many addresses.
    email = request.POST.get("email", "").strip().lower()
    return f"email:{email}" if email else f"ip:{client_ip(request)}"


@dataclass(frozen=True)
class RateLimit:
    """At most ``rate`` requests (``"10/m"``) with these ``methods`` per ``key``."""

    rate: str
    key: object  # a django-ratelimit key function (group, request) -> str
    methods: tuple[str, ...] = ("POST",)


# URL name -> its limits, all of which must hold. Sized for real use: a shopper
# searching as they type a few words, or a manager taking orders by phone all morning,
# stays far below them; a script does not.
RATE_LIMITS: dict[str, tuple[RateLimit, ...]] = {
    # Placing an order reserves stock and notifies cooperatives: a flood would empty
    # the shelves. Per browser session, and per address for scripts that drop cookies.
    "checkout:preview": (
        RateLimit("10/m", _by_ip_and_session),
        RateLimit("60/m", _by_ip),
    ),
    # Starting a card payment creates a Stripe Checkout session each time.
    "stripe:pay": (RateLimit("10/m", _by_ip_and_session), RateLimit("60/m", _by_ip)),
    # Searching runs unindexed, accent-insensitive LIKE queries over the catalogue.
    "site-search": (RateLimit("60/m", _by_ip, ("GET",)),),
    "search:search": (RateLimit("60/m", _by_ip, ("GET",)),),
    # The commune picker asks once per province chosen.
    "address:communes": (RateLimit("120/m", _by_ip, ("GET",)),),
    # The phone-order console: a manager saves an order every minute or so at most.
    "manager:phone-order": (RateLimit("30/m", _by_user_or_ip),),
    # Closing an account asks for the password, which axes does not count: no guessing here.
    "privacy:erase": (RateLimit("10/h", _by_user_or_ip),),
    # Sign-in and registration share oscar's page; axes locks out password guessing per
    # account, this stops account creation in bulk.
    # Carriers put many shoppers behind one address, hence the generous per-address counts.
    "customer:login": (RateLimit("60/m", _by_ip),),
    "customer:register": (RateLimit("60/h", _by_ip),),
    "password-reset": (RateLimit("30/h", _by_ip), RateLimit("3/h", _by_posted_email)),
    "wagtailadmin_password_reset": (
        RateLimit("30/h", _by_ip),
        RateLimit("3/h", _by_posted_email),
    ),
}


def _seconds(rate: str) -> int:
    period = rate.split("/", 1)[1]
    unit = period[-1]
    count = int(period[:-1] or 1)
    return count * {"s": 1, "m": 60, "h": 3600, "d": 86400}[unit]


class RateLimitMiddleware:
    """Answer "429 Too Many Requests" once a view's limit in ``RATE_LIMITS`` is reached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        limits = RATE_LIMITS.get(match.view_name) if match is not None else None
        if not limits or not getattr(settings, "RATELIMIT_ENABLE", True):
            return None
        retry_after = 0
        for index, limit in enumerate(limits):
            if request.method not in limit.methods:
                continue
            try:
                usage = get_usage(
                    request,
                    group=f"{match.view_name}#{index}",
                    key=limit.key,
                    rate=limit.rate,
                    method=list(limit.methods),
                    increment=True,
                )
            except Exception:  # noqa: BLE001 — any cache failure, Redis' own errors included
                # Counting is a defence, not the service: with Redis down, orders still
                # go through (and are rate-limited again once it is back).
                logger.warning("Rate limit not counted: the cache is unreachable", exc_info=True)
                continue
            if usage is not None and usage["should_limit"]:
                # The window's last second still counts, hence + 1; time_left is -1
                # when the cache could not be reached (the request is refused): a minute.
                time_left = usage["time_left"]
                wait = time_left + 1 if time_left >= 0 else 60
                retry_after = max(retry_after, min(wait, _seconds(limit.rate)))
        if retry_after:
            return too_many_requests(request, retry_after=retry_after)
        return None


def too_many_requests(request: HttpRequest, *, retry_after: int) -> HttpResponse:
    """The translated "slow down" page, with the seconds to wait in ``Retry-After``."""
    minutes = max(1, -(-retry_after // 60))
    response = render(
        request,
        "429.html",
        {"retry_after": retry_after, "retry_minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


# Login lock-out (django-axes) -------------------------------------------------------------


def login_identity(request: HttpRequest, credentials: dict | None) -> str:
    """The account a sign-in attempt is for, however it was typed (django-axes' username).

    Oscar's sign-in takes an e-mail address in any letter case, Wagtail's and Django's
    admin take the username. Counting each spelling apart would give a guesser five
    tries per spelling ("Lan@x.vn", "LAN@x.vn", "lan", …), and a success by username
    would not clear failures typed as an e-mail. So an e-mail that names exactly one
    account counts as that account's username; anything else is compared lower-cased.
    """
    typed = (credentials or {}).get("username") or ""
    if not typed:
        data = getattr(request, "POST", {}) if request is not None else {}
        typed = data.get("username") or data.get("login-username") or ""
    typed = typed.strip()
    if "@" in typed:
        user_model = get_user_model()
        names = list(
            user_model._default_manager.filter(email__iexact=typed).values_list(
                user_model.USERNAME_FIELD, flat=True
            )[:2]
        )
        if len(names) == 1:
            return names[0]
        return typed.lower()
    return typed


class LoginLockoutBackend(AxesStandaloneBackend):
    """django-axes' backend, letting oscar's registration sign the new customer in.

    ``RegisterUserMixin.register_user`` calls ``authenticate()`` without the request,
    with the password the customer has just chosen: nobody is guessing there, and
    axes would fail the registration with an error. Every sign-in form does pass the
    request (tests/security/test_login_lockout.py checks each), so guesses are counted.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def login_locked_out(request: HttpRequest, original_response, credentials) -> HttpResponse:
    """django-axes' lock-out page: translated, 429, and when to try again."""
    cool_off: timedelta = settings.AXES_COOLOFF_TIME
    seconds = int(cool_off.total_seconds())
    response = render(
        request,
        "axes/lockout.html",
        {"cooloff_minutes": max(1, seconds // 60)},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response


# Content Security Policy -----------------------------------------------------------------


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp with ``CONTENT_SECURITY_POLICY_ADMIN`` on the admin sites.

    Wagtail's, Django's and oscar's admin pages still carry inline scripts and style
    attributes (Draftail, the page editor's side panels), so they get a relaxed policy
    rather than none: still same-origin only, still no framing by other sites. Editors
    and staff are few and trusted; the shop's own pages keep the strict policy.
    """

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if report_only or parts.config is not None:
            return parts  # a view's own @csp decorator wins
        if request.path_info.startswith(settings.CSP_ADMIN_URL_PREFIXES):
            parts.config = default_config(settings.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"])
        else:
            update = dict(parts.update or {})
            update["form-action"] = [*update.get("form-action", []), stripe_checkout_origin()]
            parts.update = update
        return parts


def stripe_checkout_origin() -> str:
    """Where "pay by card" sends the shopper's form: Stripe's hosted Checkout page.

    Browsers apply ``form-action`` to the redirect that follows a form, so placing an
    order by card needs this origin. Read per request: tests point ``STRIPE_API_BASE``
    at a local fake of Stripe, whose pay page then lives there.
    """
    if settings.STRIPE_API_BASE:
        parsed = urlsplit(settings.STRIPE_API_BASE)
        return f"{parsed.scheme}://{parsed.netloc}"
    return settings.STRIPE_CHECKOUT_ORIGIN
