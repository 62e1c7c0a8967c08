"""Anonymous shoppers' pages served from the cache, and thrown away when the shop changes.

The home page, stories, product lists, product pages and cooperative pages look the
same to every visitor without an account or a session, so the first such visitor's
page is kept in the cache (Redis in production, shared by every gunicorn process) and
served to the next ones without touching the database.

What keeps a kept page correct:

- **Changes.** Every kept page is stamped with the cache's *generation*, a counter
  that ``pages_invalidate`` moves on once a transaction that saved or deleted a
  product, price or stock record, category, cooperative, Wagtail page or image, or
  placed an order leaving little stock of a product (``catalogue.availability``: above
  ``LOW_STOCK_SHOWN`` pages say "in stock", not how many), has committed
  (``connect_invalidation``). A page
  stamped with an older generation is never served. ``PAGE_CACHE_SECONDS`` bounds
  what no signal announces: "in season" and campaign dates turning over at midnight.
  Prices are shown from here, but never charged from here: the checkout is not cached
  and prices from live stock records.
- **A guest's basket page** is kept under their basket (``KEYED_BY_VISITOR``): a digest
  of its stored lines and vouchers, read on every visit, so it is theirs alone and
  changes with their basket. It is checked against the generation in the cache, never
  the one a process holds for a second, and kept no longer than until the next offer
  or voucher starts or ends: it is the page a render would give now.
- **Who asks.** Pages are kept in two versions: one for guests and one for signed-in
  shoppers (the header says "Account" instead of "Login or register"). A guest is a
  GET request carrying no cookies but the CSRF, language, basket and basket-count
  ones. A signed-in shopper is one whose pages look like every other shopper's
  (``shopper_sees_shared_pages``: no staff, editor, manager or other permission, no
  unread notification, wish list or review of their own), whose session holds nothing
  but who they are, and who sends no other cookie. Anyone else (staff, managers,
  editors, a guest in checkout, a session holding a message or a private page's
  password, oscar's "recently viewed" cookie) gets their own page. A page whose
  rendering touched ``request.basket``, the session or queued (or showed) a message
  is not stored, nor a shopper's page that shows their e-mail address or name.
- **Per-visitor secrets.** A kept page has its CSRF tokens and its CSP nonce replaced
  by markers; serving it puts in this visitor's own token (setting their CSRF cookie
  if they had none) and a fresh nonce, so a form in a page first rendered for someone
  else posts fine, and the inline script still runs under this response's policy.
  The parts between the markers are gzip-compressed once, when the page is kept; a
  hit compresses only the token and nonce and joins the pieces (shop/gzip_pieces.py).
- **Language.** The key holds the host, the path, the allowed query parameters and
  the language the visitor is served in; responses vary on the same headers as ever.

The header's basket count is filled in by the browser from the ``basket_count``
cookie (``BasketCountCookieMiddleware``, static/js/mini_basket.js), so a basket does
not make a page personal.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CSRF_TOKEN_LENGTH, _unmask_cipher_token, get_token
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject, empty
from django.utils.regex_helper import _lazy_re_compile

from shop.gzip_pieces import FillMismatch, Pieces

logger = logging.getLogger(__name__)

GENERATION_KEY = "page-cache:generation"
BASKET_COUNT_COOKIE = "basket_count"
SHOPPER_KEY = "page-cache:shopper:{}"

# The two versions of a page (see the module's docstring).
GUEST = "guest"
SHOPPER = "shopper"
# What a signed-in shopper's session may hold and still be served the shared pages:
# who they are, and the number of their last order (only its own page reads it).
# Anything else with a value (checkout data in progress, a message that did not fit in
# its cookie, a private page's password) is about this visitor.
_SESSION_SHARED_KEYS = frozenset(
    {"_auth_user_id", "_auth_user_backend", "_auth_user_hash", "checkout_order_id"}
)


def _holds_something(value) -> bool:
    # Oscar's checkout data, once an order is placed, is a dict of empty dicts.
    if isinstance(value, dict):
        return any(_holds_something(inner) for inner in value.values())
    return bool(value)


_BROWSE = frozenset({"cooperative", "province", "ocop", "in_season", "sort_by", "page"})
# View name -> the query parameters that may vary its page; any other parameter (a
# search, a tracking tag) and the page is rendered afresh and not kept.
CACHEABLE_VIEWS: dict[str, frozenset[str]] = {
    "wagtail_serve": frozenset({"page"}),  # home, stories, campaigns
    "catalogue:index": _BROWSE,
    "catalogue:category": _BROWSE,
    "catalogue:detail": frozenset(),
    "cooperatives:list": frozenset({"page"}),
    "cooperatives:detail": frozenset({"page"}),
}


def _product_page_hit(request: HttpRequest, kwargs: dict) -> None:
    from catalogue.views import product_page_hit

    product_page_hit(request, product_id=int(kwargs["pk"]))


def _guest_basket(request: HttpRequest, visitor: str) -> str | None:
    from django.core.signing import BadSignature, Signer

    from basket.selectors import guest_basket_state

    if visitor != GUEST:  # a shopper's page also shows their saved basket
        return None
    signed = request.COOKIES.get(settings.OSCAR_BASKET_COOKIE_OPEN)
    if not signed:
        return "none"
    try:
        basket_id = int(Signer().unsign(signed))
    except (BadSignature, ValueError):
        return None  # oscar's middleware drops the cookie
    return guest_basket_state(basket_id)


# View name -> the part of its key that is the visitor's own, None if their page is not
# kept. Such a page is kept under what it shows of them, read afresh on every visit
# (their basket), so it is theirs alone; kept pages that show offers are kept until the
# next offer or voucher starts or ends, at most.
KEYED_BY_VISITOR: dict[str, Callable[[HttpRequest, str], str | None]] = {
    "basket:summary": _guest_basket,
}
CACHEABLE_VIEWS["basket:summary"] = frozenset()

# View name -> what still has to happen when its page is served from the cache.
ON_HIT: dict[str, Callable[[HttpRequest, dict], None]] = {
    "catalogue:detail": _product_page_hit,
}

# Any quoted string shaped like a masked CSRF token; only those that unmask to this
# request's secret are swapped, wherever they stand (the form input, a data attribute,
# JSON). Starting from a quote keeps the scan of a 100 kB page near 4 ms.
_CSRF_TOKEN = re.compile(rb"""(["'])([A-Za-z0-9]{64})(["'])""")
_CSRF_MARK = b"\x00csrf\x00"
_NONCE_MARK = b"\x00nonce\x00"
_MARKS = re.compile(b"(" + re.escape(_CSRF_MARK) + b"|" + re.escape(_NONCE_MARK) + b")")
_CSRF_LENGTH = CSRF_TOKEN_LENGTH  # a masked token, as get_token() gives
_ACCEPTS_GZIP = _lazy_re_compile(r"\bgzip\b")  # as django.middleware.gzip reads it


def _allowed_cookies() -> frozenset[str]:
    return frozenset(
        {
            settings.CSRF_COOKIE_NAME,
            settings.LANGUAGE_COOKIE_NAME,
            settings.OSCAR_BASKET_COOKIE_OPEN,
            BASKET_COUNT_COOKIE,
        }
    )


def generation() -> int:
    """The current generation, started from the clock so it never repeats an old one."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        value = cache.get(GENERATION_KEY)
    return value


class _Nearby:
    """Pages this process served lately, and the generation it last saw.

    A hit from Redis is a round trip and an unpickling of the page; from here it is
    neither, for ``PAGE_CACHE_LOCAL_SECONDS`` (1 s) after this process last read the
    generation. So a change made through another process shows here up to that second
    later (a change made here, at once). Prices are never charged from a page. Which
    signed-in shoppers share pages is held for as long, from Redis's answer.
    """

    def __init__(self, size: int = 256):
        self.size = size
        self.entries: OrderedDict[str, tuple] = OrderedDict()
        self.stamp: int | None = None
        self.read_at = 0.0
        self.sharers: dict[int, float] = {}  # user id -> when Redis said they share
        self.objects: dict[str, tuple] = {}  # key -> (stamp, until, what ``held`` read)

    def shares(self, user_id: int) -> bool:
        told_at = self.sharers.get(user_id)
        return told_at is not None and (
            time.monotonic() - told_at < settings.PAGE_CACHE_LOCAL_SECONDS
        )

    def shared(self, user_id: int) -> None:
        if len(self.sharers) > 4 * self.size:
            self.sharers.clear()
        self.sharers[user_id] = time.monotonic()

    def fresh_stamp(self) -> int | None:
        seconds = settings.PAGE_CACHE_LOCAL_SECONDS
        if self.stamp is None or time.monotonic() - self.read_at >= seconds:
            return None
        return self.stamp

    def saw(self, stamp: int) -> None:
        if stamp != self.stamp:
            self.entries.clear()
        self.stamp, self.read_at = stamp, time.monotonic()

    def get(self, key: str, stamp: int):
        held = self.entries.get(key)
        if held is None:
            return None
        entry, until = held
        if entry[0] != stamp or time.monotonic() >= until:
            return None
        self.entries.move_to_end(key)
        return entry

    def put(self, key: str, entry, seconds: float) -> None:
        """Hold ``entry`` for as long as the cache keeps it, at most."""
        self.entries[key] = (entry, time.monotonic() + seconds)
        self.entries.move_to_end(key)
        while len(self.entries) > self.size:
            self.entries.popitem(last=False)

    def forget(self) -> None:
        self.entries.clear()
        self.sharers.clear()
        self.objects.clear()
        self.stamp = None


_nearby = _Nearby()


def held(key: str, read: Callable[[], object], *, live: bool = False):
    """What ``read()`` gives, kept by this process beside its pages while the shop is as
    it was when it was read (the products that adding to a basket reads).

    Kept under the generation, as this process holds it (read from the cache at most
    once a second), and for ``PAGE_CACHE_SECONDS`` at most, as a kept page: as fresh as
    a page served from ``_Nearby``, and no staler should a change's invalidation have
    failed to reach Redis. ``live``: for what prices an order (delivery rates, offers),
    the generation is read from the cache every time, as for a guest's basket page, so
    a change is used from the moment it has committed and moved the generation on.
    Read afresh every time when nothing may be held (``PAGE_CACHE_LOCAL_SECONDS`` 0, as
    in tests) or the cache is down.
    """
    stamp = _held_generation(live=live)  # before reading: a change meanwhile moves it on
    if stamp is None:
        return read()
    now = time.monotonic()
    found = _nearby.objects.get(key)
    if found is not None and found[0] == stamp and now < found[1]:
        return found[2]
    value = read()
    if value is not None:
        if len(_nearby.objects) >= 4 * _nearby.size:
            _nearby.objects.clear()
        _nearby.objects[key] = (stamp, now + settings.PAGE_CACHE_SECONDS, value)
    return value


def _held_generation(*, live: bool = False) -> int | None:
    if not settings.PAGE_CACHE_LOCAL_SECONDS:
        return None
    stamp = None if live else _nearby.fresh_stamp()
    if stamp is None:
        try:
            stamp = generation()
        except Exception:  # a cache outage: read everything afresh
            logger.warning("Page cache unavailable", exc_info=True)
            return None
        _nearby.saw(stamp)
    return stamp


def pages_invalidate() -> None:
    """Stop serving every kept page: the next visitor to each renders it afresh."""
    _nearby.forget()
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet, or evicted: start a new one
        cache.set(GENERATION_KEY, time.time_ns(), timeout=None)


def _invalidate_on_commit(sender, **kwargs) -> None:
    if kwargs.get("raw"):  # fixtures being loaded
        return
    # After the commit, or a visitor could render and keep the old data meanwhile.
    transaction.on_commit(pages_invalidate)


def connect_invalidation() -> None:
    """Move the generation on when anything a cached page shows is saved or deleted."""
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save
    from wagtail.images import get_image_model
    from wagtail.models import Page, PageViewRestriction
    from wagtail.signals import page_published, page_slug_changed, page_unpublished

    from cooperatives.models import Cooperative

    models = [
        # Products, categories, images, certifications; prices and stock; delivery rates.
        *apps.get_app_config("catalogue").get_models(),
        *apps.get_app_config("partner").get_models(),
        *apps.get_app_config("shipping").get_models(),
        # Offers and vouchers: the basket page works them out.
        *apps.get_app_config("offer").get_models(),
        *apps.get_app_config("voucher").get_models(),
        Cooperative,
        # The delivery form's lists (address.selectors); not the shoppers' address books.
        apps.get_model("address", "Province"),
        apps.get_model("address", "Commune"),
        get_image_model(),  # not its renditions: pages create those while rendering
    ]
    for model in models:
        uid = f"page-cache-{model._meta.label}"
        post_save.connect(_invalidate_on_commit, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_invalidate_on_commit, sender=model, dispatch_uid=f"{uid}-delete")
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                _invalidate_on_commit,
                sender=field.remote_field.through,
                dispatch_uid=f"{uid}-{field.name}",
            )
    for signal in (page_published, page_unpublished, page_slug_changed):
        signal.connect(_invalidate_on_commit, dispatch_uid=f"page-cache-{id(signal)}")
    post_delete.connect(_invalidate_on_commit, sender=Page, dispatch_uid="page-cache-page")
    # A page made private must stop being served from a copy kept while it was public.
    for signal in (post_save, post_delete):
        signal.connect(
            _invalidate_on_commit,
            sender=PageViewRestriction,
            dispatch_uid=f"page-cache-restriction-{id(signal)}",
        )
    m2m_changed.connect(
        _invalidate_on_commit,
        sender=PageViewRestriction.groups.through,
        dispatch_uid="page-cache-restriction-groups",
    )
    # Placing an order allocates its stock with an UPDATE that sends no post_save; it
    # throws pages away itself when they show the stock it took (catalogue.availability).


def _cache_key(request: HttpRequest, allowed: frozenset[str], visitor: str) -> str | None:
    params = sorted(request.GET.lists())
    if any(name not in allowed for name, _values in params):
        return None
    query = urlencode([(name, value) for name, values in params for value in values])
    url = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    digest = hashlib.sha256(url.encode()).hexdigest()
    # "page2": kept as shop.gzip_pieces.Pieces, unlike the entries of before.
    return f"page2:{visitor}:{getattr(request, 'LANGUAGE_CODE', '')}:{digest}"


def _visitor(request: HttpRequest) -> str | None:
    """Which kept version of a page this visitor may be served, if any."""
    sent = {name for name, value in request.COOKIES.items() if value}  # "" is a deleted one
    allowed = _allowed_cookies()
    if sent <= allowed:
        return GUEST
    if not sent <= allowed | {settings.SESSION_COOKIE_NAME}:
        return None
    if not request.user.is_authenticated:  # a guest with a session: in checkout, say
        return None
    session = request.session
    if any(_holds_something(v) for key, v in session.items() if key not in _SESSION_SHARED_KEYS):
        return None
    return SHOPPER


def shopper_sees_shared_pages(user) -> bool:
    """Whether every page ``user`` is shown is the one every other such shopper is shown.

    Templates show staff an "edit" link, managers and editors a dashboard link, and a
    shopper their unread notifications, wish lists, stock alerts and whether they may
    still review a product. Someone with none of those sees the signed-in version everyone shares.
    """
    from django.contrib.auth import get_user_model
    from django.db.models import Exists, OuterRef
    from oscar.core.loading import get_model

    if not user.is_active or user.is_staff or user.is_superuser:
        return False
    User = get_user_model()
    ProductAlert = get_model("customer", "ProductAlert")
    own = {
        "groups": User.groups.through.objects.filter(user=OuterRef("pk")),
        "permissions": User.user_permissions.through.objects.filter(user=OuterRef("pk")),
        "partners": get_model("partner", "Partner").users.through.objects.filter(
            user=OuterRef("pk")
        ),
        "notifications": get_model("communication", "Notification").objects.filter(
            recipient=OuterRef("pk"), date_read=None
        ),
        "wishlists": get_model("wishlists", "WishList").objects.filter(owner=OuterRef("pk")),
        # A product page shows "you have a stock alert" instead of the alert form.
        "alerts": ProductAlert.objects.filter(user=OuterRef("pk"), status=ProductAlert.ACTIVE),
        "reviews": get_model("reviews", "ProductReview").objects.filter(user=OuterRef("pk")),
    }
    found = (
        User.objects.filter(pk=user.pk)
        .annotate(**{f"has_{name}": Exists(rows) for name, rows in own.items()})
        .values(*(f"has_{name}" for name in own))
        .first()
    )
    return found is not None and not any(found.values())


def _shopper_shares(request: HttpRequest, known: bool | None) -> bool:
    # Asked once per PAGE_CACHE_SECONDS per shopper, not per page. Meanwhile a shopper
    # made a manager, or who has just started a wish list, is still shown the shared
    # pages (no dashboard link, a plain "add to wish list"): they give no access, and
    # the shopper's own page is never kept (``_store`` asks afresh).
    if known is None:
        known = shopper_sees_shared_pages(request.user)
        cache.set(SHOPPER_KEY.format(request.user.pk), known, settings.PAGE_CACHE_SECONDS)
    return known


def _shows_who(request: HttpRequest, body: bytes) -> bool:
    """Whether a shopper's page shows who they are, so must not be shared."""
    user = request.user
    words = {user.email, user.get_username(), user.get_full_name()}
    return any(len(word) > 2 and word.encode() in body for word in words if word)


def _basket_touched(request: HttpRequest) -> bool:
    basket = getattr(request, "basket", None)
    return isinstance(basket, SimpleLazyObject) and basket._wrapped is not empty


def _messages_queued(request: HttpRequest) -> bool:
    storage = getattr(request, "_messages", None)
    if storage is None:
        return False
    # Showing a message moves it from the queue into the loaded list, so a page that
    # queued one and rendered it at once has an empty queue by now. The loaded list is
    # otherwise empty here: a visitor who sent a messages cookie is never served or kept.
    return bool(storage._queued_messages or getattr(storage, "_loaded_data", None))


def _session_written(request: HttpRequest) -> bool:
    # Reading the (empty) session of a visitor without one is fine: every page asks
    # who the user is. Writing it means this page did something for this visitor.
    session = getattr(request, "session", None)
    return bool(session is not None and session.modified)


def _seconds_to_next_offer_change(since) -> float:
    """How long from now until an offer or voucher starts or ends after ``since`` (when
    the page began rendering): saving one moves the generation on, reaching its dates
    does not. Negative if one did while the page was rendered."""
    from django.db.models import Min, Q
    from django.utils import timezone
    from oscar.core.loading import get_model

    dates = []
    for model in (get_model("offer", "ConditionalOffer"), get_model("voucher", "Voucher")):
        found = model.objects.aggregate(
            start=Min("start_datetime", filter=Q(start_datetime__gt=since)),
            end=Min("end_datetime", filter=Q(end_datetime__gt=since)),
        )
        dates += [date for date in found.values() if date is not None]
    if not dates:
        return float(settings.PAGE_CACHE_SECONDS)
    return (min(dates) - timezone.now()).total_seconds()


class AnonymousPageCacheMiddleware:
    """Serve and keep anonymous visitors' pages (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        pending = getattr(request, "_page_cache_pending", None)
        if pending is not None:
            self._store(request, response, *pending)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        seconds = settings.PAGE_CACHE_SECONDS
        match = request.resolver_match
        if not seconds or match is None or request.method not in ("GET", "HEAD"):
            return None
        allowed = CACHEABLE_VIEWS.get(match.view_name)
        if allowed is None:
            return None
        visitor = _visitor(request)
        key = visitor and _cache_key(request, allowed, visitor)
        if key is None:
            return None
        own = KEYED_BY_VISITOR.get(match.view_name)
        if own is not None:
            part = own(request, visitor)
            if part is None:
                return None
            key = f"{key}:{part}"
        # A visitor's own page (their basket) is always checked against the generation in
        # the cache, never the second-old one this process holds: it is as live as a page
        # rendered now. Nor is it held here, where it would crowd out the shared pages.
        stamp = _nearby.fresh_stamp() if own is None else None
        if stamp is not None and (visitor == GUEST or _nearby.shares(request.user.pk)):
            entry = _nearby.get(key, stamp)
            if entry is not None:
                return self._hit(request, match, view_kwargs, entry)
        keys = [GENERATION_KEY, key]
        if visitor == SHOPPER:
            keys.append(SHOPPER_KEY.format(request.user.pk))
        try:
            found = cache.get_many(keys)
            stamp = found.get(GENERATION_KEY)
            if stamp is None:
                stamp = generation()
            if visitor == SHOPPER:
                if not _shopper_shares(request, found.get(keys[2])):
                    return None
                _nearby.shared(request.user.pk)
        except Exception:  # a cache outage slows pages down; it must not break them
            logger.warning("Page cache unavailable", exc_info=True)
            return None
        _nearby.saw(stamp)
        entry = found.get(key)
        if entry is not None and entry[0] == stamp:
            if own is None:  # the cache's time left is not known here: a second, as the stamp
                _nearby.put(key, entry, settings.PAGE_CACHE_LOCAL_SECONDS)
            return self._hit(request, match, view_kwargs, entry)
        if request.method == "GET":
            request._page_cache_pending = (key, stamp, visitor, own, timezone.now())
        return None

    def _hit(self, request, match, view_kwargs, entry) -> HttpResponse:
        hook = ON_HIT.get(match.view_name)
        if hook is not None:
            hook(request, view_kwargs)
        return self._serve(request, entry)

    def _serve(self, request: HttpRequest, entry) -> HttpResponse:
        _stamp, content_type, pieces, marks = entry
        secrets = {}
        if _CSRF_MARK in marks:
            secrets[_CSRF_MARK] = get_token(request).encode()
        if _NONCE_MARK in marks:
            secrets[_NONCE_MARK] = str(request.csp_nonce).encode()
        fills = [secrets[mark] for mark in marks]
        # Compressed when kept, not per visitor (shop/gzip_pieces.py); GZipMiddleware
        # leaves a response that already has a Content-Encoding alone.
        response = None
        if _ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")):
            try:
                response = HttpResponse(pieces.gzip(fills), content_type=content_type)
            except FillMismatch:  # a token of another length: GZipMiddleware's turn
                logger.warning("Kept page's gaps do not fit this visitor's token or nonce")
            else:
                response["Content-Encoding"] = "gzip"
        if response is None:
            response = HttpResponse(pieces.plain(fills), content_type=content_type)
        patch_vary_headers(response, ("Accept-Encoding",))
        response["X-Page-Cache"] = "hit"
        return response

    def _store(self, request, response, key: str, stamp: int, visitor: str, own, since) -> None:
        if (
            response.status_code != 200
            or response.streaming
            or response.cookies  # set by the view: something about this visitor
            or response.has_header("Cache-Control")  # the view asked for its own caching
            or (own is None and _basket_touched(request))
            or _messages_queued(request)
            or _session_written(request)
        ):
            return
        timeout = settings.PAGE_CACHE_SECONDS
        if own is not None:
            # Their basket may have changed while the page was rendered (another tab).
            if not key.endswith(f":{own(request, visitor)}"):
                return
            timeout = min(timeout, _seconds_to_next_offer_change(since))
            if timeout < 1:  # the cache's least
                return
        if visitor == SHOPPER:
            # Asked afresh, not from the cache: what is kept is shown to every shopper.
            if not shopper_sees_shared_pages(request.user):
                return
            if _shows_who(request, response.content):
                logger.warning("A shopper's page shows who they are: not kept (%s)", key)
                return
        body = _csrf_tokens_marked(request, response.content)
        nonce = getattr(request, "_csp_nonce", None)
        if isinstance(nonce, str) and nonce:
            body = body.replace(nonce.encode(), _NONCE_MARK)
        split = _MARKS.split(body)  # text, mark, text, mark, ..., text
        marks = split[1::2]
        # Each gap as long as what fills it on a hit (the token, a nonce like this one).
        gaps = [_CSRF_LENGTH if mark == _CSRF_MARK else len(nonce) for mark in marks]
        try:
            pieces = Pieces.from_parts(split[::2], gaps)
        except ValueError:  # not UTF-8 text: holds the placeholder byte
            return
        entry = (stamp, response["Content-Type"], pieces, marks)
        try:
            cache.set(key, entry, timeout)
        except Exception:
            logger.warning("Page cache unavailable", exc_info=True)
            return
        if own is None:
            _nearby.put(key, entry, timeout)
        response["X-Page-Cache"] = "miss"


def _csrf_tokens_marked(request: HttpRequest, body: bytes) -> bytes:
    """``body`` with each of this visitor's CSRF tokens replaced by the marker."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return body

    def swap(match: re.Match) -> bytes:
        if _unmask_cipher_token(match[2].decode()) != secret:
            return match[0]
        return match[1] + _CSRF_MARK + match[3]

    return _CSRF_TOKEN.sub(swap, body)


def _signed_in_now(request: HttpRequest) -> bool:
    # Signing in gives the session a new key; until then the browser sends the old one.
    session = getattr(request, "session", None)
    if session is None or session.session_key is None or not hasattr(request, "basket"):
        return False
    sent = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    return session.session_key != sent and request.user.is_authenticated


class BasketCountCookieMiddleware:
    """Keep the ``basket_count`` cookie, read by the header's script, up to date.

    Written whenever a request loaded the basket (adding, the basket page, checkout)
    and so saw its true size, and on signing in, when oscar merges the visitor's basket
    into the account's; cleared once an anonymous visitor has no basket left to show
    (after signing out). Pages never read the basket for the header, which is what
    lets them be cached.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        shown = request.COOKIES.get(BASKET_COUNT_COOKIE)
        if _basket_touched(request) or _signed_in_now(request):
            basket = request.basket
            count = basket.num_items if basket.id and basket.can_be_edited else 0
            if str(count) != shown:
                response.set_cookie(
                    BASKET_COUNT_COOKIE,
                    str(count),
                    max_age=settings.OSCAR_BASKET_COOKIE_LIFETIME,
                    secure=settings.SESSION_COOKIE_SECURE,
                    samesite="Lax",
                )
        elif (
            shown is not None
            and settings.OSCAR_BASKET_COOKIE_OPEN not in request.COOKIES
            and not request.user.is_authenticated
        ):
            response.delete_cookie(BASKET_COUNT_COOKIE, samesite="Lax")
        return response
