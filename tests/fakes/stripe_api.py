"""A small, stateful fake of the parts of Stripe's HTTP API that the shop uses.

It is served over real HTTP on 127.0.0.1, so the real ``stripe`` library talks to it over a
socket exactly as it talks to api.stripe.com::

    with FakeStripe() as fake:
        client = fake.client()  # stripe.StripeClient(..., base_addresses=fake.base_addresses)
        session = client.v1.checkout.sessions.create(params={...}, options={...})
        event = fake.complete_session(session.id)  # the customer paid on the hosted page
        response = fake.deliver(event, url="/stripe/webhook/", secret="whsec_test", client=client)

What is simulated:

* API keys: ``Authorization: Bearer sk_test_...`` (or ``rk_test_``), else 401 as Stripe answers.
* Form bodies with nested keys (``line_items[0][price_data][unit_amount]=...``).
* Idempotency: same key and same request -> the saved response, replayed with
  ``Idempotent-Replayed: true``; same key with other parameters or another endpoint -> 400
  ``idempotency_error``. As at Stripe, a request that fails validation saves nothing.
* Parameters are checked against the pinned library's own parameter types: a name Stripe does not
  know is refused (``parameter_unknown``), as Stripe does. A real parameter that this fake does
  not simulate is refused too (``fake_stripe_unsupported``) rather than silently ignored.
* Endpoints: Checkout Sessions (create, retrieve, line_items, expire), PaymentIntents and Charges
  (retrieve), Refunds (create, retrieve). Anything else under /v1 is Stripe's 404.
* The hosted payment page: ``GET /pay/<session id>``, with Pay / Decline / Cancel buttons.
* Events for every state change (``fake.events``), with ``fake.on_event`` to push them somewhere,
  and webhook signing/delivery with Stripe's own signature scheme.
* A clock (``fake.advance(seconds)``): open sessions expire when ``expires_at`` passes.

The fake supports ``mode=payment`` with ``price_data`` line items only; see ``SESSION_SIMULATED``.
"""

from __future__ import annotations

import copy
import html
import json
import re
import secrets
import string
import sys
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import stripe
from stripe.params import RefundCreateParams, RefundRetrieveParams
from stripe.params.checkout import (
    SessionCreateParams,
    SessionCreateParamsLineItem,
    SessionCreateParamsLineItemPriceData,
    SessionCreateParamsLineItemPriceDataProductData,
    SessionCreateParamsPaymentIntentData,
    SessionExpireParams,
    SessionRetrieveParams,
)

__all__ = [
    "FakeStripe",
    "RecordedRequest",
    "WebhookDelivery",
    "deliver",
    "sign",
    "webhook_payload",
]

# --- Amount limits ----------------------------------------------------------------------------
# Stripe, on `amount` (docstring in stripe-python 16.1.0, stripe/_payment_intent.py and
# stripe/params/_payment_intent_create_params.py, generated from Stripe's OpenAPI spec):
#   "The minimum amount is $0.50 US or equivalent in charge currency
#    (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts). The amount value
#    supports up to eight digits (e.g., a value of 99999999 for a USD charge of $999,999.99)."
# VND is not a settlement currency in Stripe's minimum-charge table, so a VND charge must
# *convert* to at least USD 0.50 (Stripe's error: "Amount must convert to at least 50 cents.
# ... converts to approximately $0.xx."). The VND minimum therefore moves with the exchange
# rate; the fake assumes DEFAULT_VND_PER_USD (configurable), i.e. 13,000 VND.
MINIMUM_CHARGE_USD_CENTS = 50
MAXIMUM_AMOUNT = 99_999_999
DEFAULT_VND_PER_USD = 26_000

# https://docs.stripe.com/currencies#zero-decimal
ZERO_DECIMAL_CURRENCIES = frozenset(
    [
        "bif",
        "clp",
        "djf",
        "gnf",
        "jpy",
        "kmf",
        "krw",
        "mga",
        "pyg",
        "rwf",
        "ugx",
        "vnd",
        "vuv",
        "xaf",
        "xof",
        "xpf",
    ]
)
CURRENCY_SYMBOLS = {"vnd": "₫", "usd": "$", "eur": "€", "gbp": "£", "jpy": "¥"}

# https://docs.stripe.com/metadata: 50 pairs; key <= 40 chars, no square brackets; value <= 500.
METADATA_MAX_KEYS, METADATA_MAX_KEY, METADATA_MAX_VALUE = 50, 40, 500
# https://docs.stripe.com/api/idempotent_requests: keys are up to 255 characters and may be
# pruned once they are 24 hours old.
IDEMPOTENCY_KEY_MAX, IDEMPOTENCY_TTL = 255, 24 * 3600
# SessionCreateParams.expires_at: "anywhere from 30 minutes to 24 hours after Checkout Session
# creation. By default, this value is 24 hours from creation."
SESSION_MIN_LIFETIME, SESSION_MAX_LIFETIME = 30 * 60, 24 * 3600

# --- Parameters ---------------------------------------------------------------------------------
# The library's *Params TypedDicts mix request options into the parameters (module-level calls
# take both); with StripeClient they travel as headers, never in the body.
_REQUEST_OPTIONS = frozenset(
    [
        "api_key",
        "content_type",
        "headers",
        "idempotency_key",
        "max_network_retries",
        "stripe_account",
        "stripe_context",
        "stripe_version",
    ]
)


def _stripe_params(typed_dict: type) -> frozenset[str]:
    """The parameter names Stripe accepts, according to the installed library."""
    return frozenset(typed_dict.__annotations__) - _REQUEST_OPTIONS


# (names Stripe knows, names this fake simulates or harmlessly stores)
SESSION_PARAMS = (
    _stripe_params(SessionCreateParams),
    frozenset(
        [
            "mode",
            "currency",
            "line_items",
            "success_url",
            "cancel_url",
            "metadata",
            "payment_intent_data",
            "client_reference_id",
            "expires_at",
            "expand",
            "customer_email",
            "locale",
            "ui_mode",
            "submit_type",
            "billing_address_collection",
            "allowed_payment_method_types",
        ]
    ),
)
LINE_ITEM_PARAMS = (
    _stripe_params(SessionCreateParamsLineItem),
    frozenset({"price_data", "quantity"}),
)
PRICE_DATA_PARAMS = (
    _stripe_params(SessionCreateParamsLineItemPriceData),
    frozenset({"currency", "unit_amount", "product_data"}),
)
PRODUCT_DATA_PARAMS = (
    _stripe_params(SessionCreateParamsLineItemPriceDataProductData),
    frozenset({"name", "description", "images", "metadata", "unit_label"}),
)
PAYMENT_INTENT_DATA_PARAMS = (
    _stripe_params(SessionCreateParamsPaymentIntentData),
    frozenset(
        [
            "metadata",
            "description",
            "receipt_email",
            "statement_descriptor",
            "statement_descriptor_suffix",
            "capture_method",
        ]
    ),
)
REFUND_PARAMS = (
    _stripe_params(RefundCreateParams),
    frozenset({"payment_intent", "charge", "amount", "reason", "metadata", "expand"}),
)
RETRIEVE_PARAMS = (_stripe_params(SessionRetrieveParams) | _stripe_params(RefundRetrieveParams),)
EXPIRE_PARAMS = (_stripe_params(SessionExpireParams), frozenset({"expand"}))
SESSION_SIMULATED = SESSION_PARAMS[1]

REFUND_REASONS = frozenset({"duplicate", "fraudulent", "requested_by_customer"})
WEBHOOK_USER_AGENT = "Stripe/1.0 (+https://stripe.com/docs/webhooks)"

_ALNUM = string.ascii_letters + string.digits


def _new_id(prefix: str, length: int = 24) -> str:
    return prefix + "".join(secrets.choice(_ALNUM) for _ in range(length))


# --- Errors -------------------------------------------------------------------------------------
class StripeErrorResponse(Exception):
    """Raised inside the fake; becomes a Stripe-shaped error body."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
    ):
        super().__init__(message)
        self.status, self.message, self.type, self.code, self.param = (
            status,
            message,
            type,
            code,
            param,
        )

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.message, "type": self.type}
        if self.code:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        if self.param:
            error["param"] = self.param
        return {"error": error}


def _bad(message: str, *, param: str | None = None, code: str | None = None):
    return StripeErrorResponse(400, message, param=param, code=code)


def _missing(param: str) -> StripeErrorResponse:
    return _bad(f"Missing required param: {param}.", param=param, code="parameter_missing")


def _no_such(kind: str, object_id: str, param: str = "id") -> StripeErrorResponse:
    return StripeErrorResponse(
        404, f"No such {kind}: '{object_id}'", code="resource_missing", param=param
    )


def _check_params(params: Mapping[str, Any], spec: tuple, prefix: str = "") -> None:
    known = spec[0]
    simulated = spec[1] if len(spec) > 1 else known
    for key in params:
        name = f"{prefix}[{key}]" if prefix else key
        if key not in known:
            raise _bad(f"Received unknown parameter: {name}", param=name, code="parameter_unknown")
        if key not in simulated:
            raise _bad(
                f"FakeStripe does not simulate the Stripe parameter `{name}`. Extend "
                "tests/fakes/stripe_api.py before relying on it.",
                param=name,
                code="fake_stripe_unsupported",
            )


# --- Form decoding ------------------------------------------------------------------------------
_KEY_RE = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_PART_RE = re.compile(r"\[([^\[\]]*)\]")


def parse_form(encoded: str) -> dict[str, Any]:
    """Decode Stripe's form encoding (``a[b][0][c]=1``) into nested dicts and lists."""
    root: dict[str, Any] = {}
    for key, value in urllib.parse.parse_qsl(encoded, keep_blank_values=True):
        match = _KEY_RE.match(key)
        if not match:
            raise _bad(f"Invalid parameter name: {key}", param=key)
        parts = [match.group(1), *_PART_RE.findall(match.group(2))]
        node = root
        for depth, part in enumerate(parts):
            part = part or str(len(node))  # `expand[]=x` appends
            last = depth == len(parts) - 1
            if last:
                if isinstance(node.get(part), dict):
                    raise _bad(f"Invalid parameter: {key} is both a value and a hash", param=key)
                node[part] = value
            else:
                child = node.setdefault(part, {})
                if not isinstance(child, dict):
                    raise _bad(f"Invalid parameter: {key} is both a value and a hash", param=key)
                node = child
    return _listify(root, "")


def _listify(value: Any, name: str) -> Any:
    if not isinstance(value, dict):
        return value
    out = {k: _listify(v, f"{name}[{k}]" if name else k) for k, v in value.items()}
    if out and all(k.isdigit() for k in out) and not name.endswith("metadata"):
        indexes = sorted(int(k) for k in out)
        if indexes != list(range(len(indexes))):
            raise _bad(f"Invalid array: indexes of {name} must start at 0 and be contiguous")
        return [out[str(i)] for i in indexes]
    return out


def _int(value: Any, param: str, *, minimum: int | None = None) -> int:
    """Stripe's integer parsing: "170000" is fine, "170000.00" is ``Invalid integer``."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"-?\d+", value):
        number = int(value)
    else:
        raise _bad(f"Invalid integer: {value}", param=param, code="parameter_invalid_integer")
    if minimum is not None and number < minimum:
        raise _bad(
            f"This value must be greater than or equal to {minimum}.",
            param=param,
            code="parameter_invalid_integer",
        )
    return number


def _dict(value: Any, param: str) -> dict[str, Any]:
    if value == "":
        return {}
    if not isinstance(value, dict):
        raise _bad(f"Invalid object: {param} must be a hash", param=param)
    return value


def _metadata(value: Any, param: str) -> dict[str, str]:
    data = _dict(value, param)
    data = {k: v for k, v in data.items() if v != ""}  # empty value = unset
    if len(data) > METADATA_MAX_KEYS:
        raise _bad(f"Invalid {param}: at most {METADATA_MAX_KEYS} keys are allowed", param=param)
    for key, val in data.items():
        if not isinstance(val, str):
            raise _bad(f"Invalid {param}[{key}]: values must be strings", param=f"{param}[{key}]")
        if len(key) > METADATA_MAX_KEY:
            raise _bad(
                f"Metadata keys can have up to {METADATA_MAX_KEY} characters: '{key}'",
                param=f"{param}[{key}]",
            )
        if len(val) > METADATA_MAX_VALUE:
            raise _bad(
                f"Metadata values can have up to {METADATA_MAX_VALUE} characters",
                param=f"{param}[{key}]",
            )
    return data


def _url(value: Any, param: str) -> str:
    parts = urllib.parse.urlsplit(value) if isinstance(value, str) else None
    if not parts or parts.scheme not in ("http", "https") or not parts.netloc:
        raise _bad("Not a valid URL", param=param, code="url_invalid")
    return value


def format_amount(amount: int, currency: str) -> str:
    """``format_amount(170000, "vnd") == "₫170,000"``; ``format_amount(50, "usd") == "$0.50"``."""
    symbol = CURRENCY_SYMBOLS.get(currency, currency.upper() + " ")
    if currency in ZERO_DECIMAL_CURRENCIES:
        return f"{symbol}{amount:,}"
    return f"{symbol}{amount / 100:,.2f}"


# --- Webhooks -----------------------------------------------------------------------------------
def webhook_payload(event: Mapping[str, Any] | str) -> str:
    """The body Stripe would POST: pretty-printed JSON (verify the raw body, never a re-dump)."""
    return event if isinstance(event, str) else json.dumps(event, indent=2, ensure_ascii=False)


def sign(payload: str, secret: str | list[str], timestamp: int | None = None) -> str:
    """A ``Stripe-Signature`` header value, computed by the stripe library itself.

    ``t=<timestamp>,v1=<hex HMAC-SHA256(secret, f"{t}.{payload}")>``; with several secrets (an
    endpoint whose secret is being rolled) there is one ``v1`` per secret, as Stripe sends.
    """
    secrets_ = [secret] if isinstance(secret, str) else list(secret)
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    header = stripe.WebhookSignature.generate_signature_header(payload, secrets_[0], timestamp)
    for extra in secrets_[1:]:
        other = stripe.WebhookSignature.generate_signature_header(payload, extra, timestamp)
        header += "," + other.split(",", 1)[1]
    return header


@dataclass(frozen=True)
class WebhookDelivery:
    """The receiver's answer when ``deliver`` went over urllib."""

    status: int
    body: bytes
    headers: dict[str, str]


def deliver(
    event: Mapping[str, Any] | str,
    *,
    url: str,
    secret: str | list[str],
    client: Any = None,
    timestamp: int | None = None,
) -> Any:
    """POST ``event`` to a webhook endpoint with a valid ``Stripe-Signature`` header.

    With ``client`` (a ``django.test.Client``) the request goes through Django's test client and
    its response is returned; otherwise it goes over urllib to an absolute ``url`` and a
    ``WebhookDelivery`` is returned (4xx/5xx answers are returned, not raised).
    """
    payload = webhook_payload(event)
    headers = {
        "Stripe-Signature": sign(payload, secret, timestamp),
        "User-Agent": WEBHOOK_USER_AGENT,
    }
    if client is not None:
        return client.post(url, data=payload, content_type="application/json", headers=headers)
    request = urllib.request.Request(  # noqa: S310 - a test helper; tests choose the URL
        url,
        data=payload.encode(),
        method="POST",
        headers={**headers, "Content-Type": "application/json; charset=utf-8"},
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=10) as response:
            return WebhookDelivery(response.status, response.read(), dict(response.headers))
    except urllib.error.HTTPError as error:
        return WebhookDelivery(error.code, error.read(), dict(error.headers))


# --- Recorded requests --------------------------------------------------------------------------
@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    params: dict[str, Any]
    status: int
    replayed: bool = False

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)

    @property
    def idempotency_key(self) -> str | None:
        return self.header("Idempotency-Key")

    @property
    def stripe_version(self) -> str | None:
        return self.header("Stripe-Version")


@dataclass
class _Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _IdempotentResult:
    api_key: str
    method: str
    path: str
    params: dict[str, Any]
    response: _Response
    request_id: str
    created: float


class _Handler(BaseHTTPRequestHandler):
    fake: FakeStripe  # set on the per-server subclass
    server_version = "FakeStripe/1.0"
    protocol_version = "HTTP/1.0"

    def _serve(self) -> None:
        self.fake._serve(self)

    do_GET = do_POST = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        pass


# --- The fake -----------------------------------------------------------------------------------
class FakeStripe:
    """A stateful fake Stripe API on http://127.0.0.1:<free port>. See the module docstring."""

    api_version = stripe.api_version

    def __init__(
        self,
        *,
        vnd_per_usd: int = DEFAULT_VND_PER_USD,
        minimum_charge: Mapping[str, int] | None = None,
        maximum_amount: int = MAXIMUM_AMOUNT,
        on_event: Callable[[dict[str, Any]], None] | None = None,
    ):
        self.vnd_per_usd = vnd_per_usd
        self.minimum_charge = dict(minimum_charge or {}) or {
            "usd": MINIMUM_CHARGE_USD_CENTS,
            "vnd": -(-MINIMUM_CHARGE_USD_CENTS * vnd_per_usd // 100),  # ceil
        }
        self.maximum_amount = maximum_amount
        self.on_event = on_event

        self.sessions: dict[str, dict[str, Any]] = {}
        self.line_items: dict[str, list[dict[str, Any]]] = {}
        self.payment_intents: dict[str, dict[str, Any]] = {}
        self.charges: dict[str, dict[str, Any]] = {}
        self.refunds: dict[str, dict[str, Any]] = {}
        self.events: list[dict[str, Any]] = []
        self.requests: list[RecordedRequest] = []
        self.errors: list[str] = []  # tracebacks of bugs in the fake itself (answered with 500)

        self._idempotency: dict[tuple[str, str], _IdempotentResult] = {}
        self._offset = 0
        self._outbox: list[dict[str, Any]] = []
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle --
    def start(self) -> FakeStripe:
        if self._server is not None:
            return self
        handler = type("FakeStripeHandler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"FakeStripe:{self._server.server_address[1]}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> FakeStripe:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("FakeStripe is not started; use `with FakeStripe() as fake:`")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def base_addresses(self) -> dict[str, str]:
        """For ``stripe.StripeClient(base_addresses=...)``: every Stripe host, to this fake."""
        return {name: self.url for name in ("api", "connect", "files", "meter_events")}

    def client(self, api_key: str = "sk_test_fake_cho_phien", **kwargs: Any) -> stripe.StripeClient:
        """A real ``stripe.StripeClient`` (real HTTP client) pointed at this fake."""
        return stripe.StripeClient(api_key, base_addresses=self.base_addresses, **kwargs)

    # -- clock --
    def now(self) -> int:
        return int(time.time()) + self._offset

    def advance(self, seconds: int) -> None:
        """Move the fake's clock on; sessions whose ``expires_at`` has passed expire."""
        with self._lock:
            self._offset += int(seconds)
            self._expire_due()
        self._drain_outbox()

    # -- events and webhooks --
    def event(
        self,
        type: str,
        obj: Mapping[str, Any],
        *,
        previous_attributes: Mapping[str, Any] | None = None,
        request_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """An event as Stripe sends it (snapshot payload), with the library's pinned version."""
        data: dict[str, Any] = {"object": copy.deepcopy(dict(obj))}
        if previous_attributes is not None:
            data["previous_attributes"] = copy.deepcopy(dict(previous_attributes))
        return {
            "id": _new_id("evt_"),
            "object": "event",
            "api_version": self.api_version,
            "created": self.now(),
            "data": data,
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": request_id, "idempotency_key": idempotency_key},
            "type": type,
        }

    def events_of(self, type: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == type]

    sign = staticmethod(sign)
    deliver = staticmethod(deliver)
    payload = staticmethod(webhook_payload)

    def _emit(self, type: str, obj: Mapping[str, Any], **kwargs: Any) -> dict[str, Any]:
        event = self.event(type, obj, **kwargs)
        self.events.append(event)
        self._outbox.append(event)
        return event

    def _drain_outbox(self, *, in_server: bool = False) -> None:
        # Called without the lock held, so an on_event hook may call back into the fake. In the
        # server thread a failing hook is recorded in self.errors (the fixture reports it).
        with self._lock:
            pending, self._outbox = self._outbox, []
        if self.on_event is None:
            return
        for event in pending:
            try:
                self.on_event(event)
            except Exception:
                if not in_server:
                    raise
                self.errors.append(f"on_event hook failed:\n{traceback.format_exc()}")

    # -- test controls (the customer's side of Stripe) --
    def complete_session(self, session_id: str, *, email: str = "khach@example.vn") -> dict:
        """The customer paid: the session completes and a succeeded PaymentIntent exists.

        Returns the ``checkout.session.completed`` event (also in ``self.events``).
        """
        with self._lock:
            self._expire_due()
            event = self._complete(session_id, email)
        self._drain_outbox()
        return event

    def expire_session(self, session_id: str) -> dict:
        """Stripe expires the session (as at ``expires_at``); returns the expired event."""
        with self._lock:
            self._expire_due()
            try:
                event = self._expire(self._session(session_id))
            except StripeErrorResponse as error:
                raise ValueError(f"{session_id}: {error.message}") from None
        self._drain_outbox()
        return event

    def _session(self, session_id: str) -> dict[str, Any]:
        try:
            return self.sessions[session_id]
        except KeyError:
            raise LookupError(f"FakeStripe has no Checkout Session {session_id!r}") from None

    def _complete(self, session_id: str, email: str) -> dict[str, Any]:
        session = self._session(session_id)
        if session["status"] != "open":
            raise ValueError(f"Checkout Session {session_id} is {session['status']}, not open")
        now = self.now()
        pi_id, charge_id = _new_id("pi_"), _new_id("ch_")
        intent_data = session["_payment_intent_data"]
        amount, currency = session["amount_total"], session["currency"]
        intent = {
            "id": pi_id,
            "object": "payment_intent",
            "amount": amount,
            "amount_capturable": 0,
            "amount_received": amount,
            "capture_method": intent_data.get("capture_method", "automatic_async"),
            "client_secret": f"{pi_id}_secret_{_new_id('', 25)}",
            "created": now,
            "currency": currency,
            "customer": None,
            "description": intent_data.get("description"),
            "latest_charge": charge_id,
            "livemode": False,
            "metadata": dict(intent_data.get("metadata", {})),
            "payment_method": _new_id("pm_"),
            "payment_method_types": ["card"],
            "receipt_email": intent_data.get("receipt_email"),
            "statement_descriptor": intent_data.get("statement_descriptor"),
            "status": "succeeded",
        }
        charge = {
            "id": charge_id,
            "object": "charge",
            "amount": amount,
            "amount_captured": amount,
            "amount_refunded": 0,
            "captured": True,
            "created": now,
            "currency": currency,
            "livemode": False,
            "metadata": dict(intent["metadata"]),
            "paid": True,
            "payment_intent": pi_id,
            "refunded": False,
            "status": "succeeded",
        }
        self.payment_intents[pi_id], self.charges[charge_id] = intent, charge
        session.update(
            status="complete",
            payment_status="paid",
            payment_intent=pi_id,
            url=None,
            customer_details={"email": session.get("customer_email") or email, "name": None},
        )
        self._emit("charge.succeeded", charge)
        self._emit("payment_intent.succeeded", intent)
        return self._emit("checkout.session.completed", self._public(session))

    def _expire(self, session: dict[str, Any], **event_kwargs: Any) -> dict[str, Any]:
        if session["status"] != "open":
            raise _bad('Only Checkout Sessions with a status in ["open"] can be expired.')
        session.update(status="expired", url=None)
        return self._emit("checkout.session.expired", self._public(session), **event_kwargs)

    def _expire_due(self) -> None:
        now = self.now()
        for session in self.sessions.values():
            if session["status"] == "open" and session["expires_at"] <= now:
                self._expire(session)

    @staticmethod
    def _public(obj: Mapping[str, Any]) -> dict[str, Any]:
        return {k: copy.deepcopy(v) for k, v in obj.items() if not k.startswith("_")}

    # -- HTTP plumbing --
    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        method = handler.command
        split = urllib.parse.urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length).decode("utf-8", "replace") if length else ""
        headers = dict(handler.headers.items())
        if split.path.startswith("/pay/"):
            response = self._hosted(method, split.path, body)
        else:
            response = self._api(method, split.path, split.query, body, headers)
        # Hooks run before the answer goes out: a webhook pushed by on_event reaches the shop
        # before the customer's browser follows the redirect back (deliver by hand to test the
        # other order).
        self._drain_outbox(in_server=True)
        handler.send_response(response.status)
        for name, value in {**response.headers, "Content-Length": str(len(response.body))}.items():
            handler.send_header(name, value)
        handler.end_headers()
        if method != "HEAD":
            handler.wfile.write(response.body)

    def _json(self, status: int, obj: Any, request_id: str, extra: dict | None = None) -> _Response:
        body = json.dumps(obj, indent=2, ensure_ascii=False).encode()
        headers = {
            "Content-Type": "application/json",
            "Request-Id": request_id,
            "Stripe-Version": self.api_version,
            **(extra or {}),
        }
        return _Response(status, body, headers)

    def _api(self, method: str, path: str, query: str, body: str, headers: dict) -> _Response:
        request_id = _new_id("req_", 14)
        params: dict[str, Any] = {}
        replayed = False
        with self._lock:
            try:
                self._expire_due()
                api_key = self._authenticate(headers)
                params = parse_form(query if method in ("GET", "DELETE") else body)
                route, args = self._route(method, path)
                idem_key = headers.get("Idempotency-Key") if method == "POST" else None
                saved = self._idempotent(api_key, idem_key, method, path, params)
                if saved is not None:
                    response, replayed = saved.response, True
                    response = _Response(
                        response.status,
                        response.body,
                        {
                            **response.headers,
                            "Idempotent-Replayed": "true",
                            "Original-Request": saved.request_id,
                        },
                    )
                else:
                    context = {"request_id": request_id, "idempotency_key": idem_key}
                    status, obj = route(params, *args, context=context)
                    response = self._json(status, obj, request_id)
                    if idem_key:
                        self._idempotency[(api_key, idem_key)] = _IdempotentResult(
                            api_key, method, path, params, response, request_id, self.now()
                        )
            except StripeErrorResponse as error:
                extra = {"Stripe-Should-Retry": "false"}
                response = self._json(error.status, error.body(), request_id, extra)
            except Exception:  # a bug in the fake: say so loudly, and don't make stripe retry
                trace = traceback.format_exc()
                self.errors.append(trace)
                print(f"FakeStripe internal error:\n{trace}", file=sys.stderr)
                error = StripeErrorResponse(500, f"FakeStripe bug: {trace}", type="api_error")
                extra = {"Stripe-Should-Retry": "false"}
                response = self._json(500, error.body(), request_id, extra)
            self.requests.append(
                RecordedRequest(method, path, query, headers, params, response.status, replayed)
            )
        return response

    def _authenticate(self, headers: Mapping[str, str]) -> str:
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        scheme, _, key = auth.partition(" ")
        if not key or scheme.lower() != "bearer":
            raise StripeErrorResponse(
                401,
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                "YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, "
                "or we can help at https://support.stripe.com/.",
            )
        key = key.strip()
        if not re.fullmatch(r"(sk|rk)_test_[A-Za-z0-9_]+", key):
            shown = key[:8] + "*" * max(len(key) - 12, 0) + key[-4:] if len(key) > 12 else key
            raise StripeErrorResponse(
                401, f"Invalid API Key provided: {shown}", code="api_key_invalid"
            )
        return key

    def _idempotent(
        self, api_key: str, key: str | None, method: str, path: str, params: dict
    ) -> _IdempotentResult | None:
        if not key:
            return None
        if len(key) > IDEMPOTENCY_KEY_MAX:
            raise _bad(f"Idempotency keys can be up to {IDEMPOTENCY_KEY_MAX} characters long.")
        saved = self._idempotency.get((api_key, key))
        if saved is None or saved.created + IDEMPOTENCY_TTL <= self.now():
            return None
        if (saved.method, saved.path) != (method, path):
            raise StripeErrorResponse(
                400,
                "Keys for idempotent requests can only be used for the same endpoint they were "
                f"first used for ({saved.method} {saved.path}). Try using a key other than "
                f"'{key}' if you meant to execute a different request.",
                type="idempotency_error",
            )
        if saved.params != params:
            raise StripeErrorResponse(
                400,
                "Keys for idempotent requests can only be used with the same parameters they "
                f"were first used with. Try using a key other than '{key}' if you meant to "
                "execute a different request.",
                type="idempotency_error",
            )
        return saved

    _ROUTES: tuple[tuple[str, re.Pattern, str], ...] = tuple(
        (method, re.compile(pattern), name)
        for method, pattern, name in (
            ("POST", r"/v1/checkout/sessions", "_create_session"),
            ("GET", r"/v1/checkout/sessions/([^/]+)", "_get_session"),
            ("GET", r"/v1/checkout/sessions/([^/]+)/line_items", "_get_line_items"),
            ("POST", r"/v1/checkout/sessions/([^/]+)/expire", "_expire_session"),
            ("GET", r"/v1/payment_intents/([^/]+)", "_get_payment_intent"),
            ("GET", r"/v1/charges/([^/]+)", "_get_charge"),
            ("POST", r"/v1/refunds", "_create_refund"),
            ("GET", r"/v1/refunds/([^/]+)", "_get_refund"),
        )
    )

    def _route(self, method: str, path: str):
        for route_method, pattern, name in self._ROUTES:
            match = pattern.fullmatch(path)
            if match and route_method == method:
                args = [urllib.parse.unquote_plus(a) for a in match.groups()]
                return getattr(self, name), args
        raise StripeErrorResponse(
            404,
            f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs "
            "or we can help at https://support.stripe.com/.",
        )

    # -- API endpoints --
    def _create_session(self, params: dict, *, context: dict) -> tuple[int, dict]:
        _check_params(params, SESSION_PARAMS)
        mode = params.get("mode") or None
        if mode is None:
            raise _missing("mode")
        if mode != "payment":
            raise _bad(
                f"FakeStripe simulates mode=payment only, not mode={mode}.",
                param="mode",
                code="fake_stripe_unsupported",
            )
        ui_mode = params.get("ui_mode", "hosted_page")
        if ui_mode != "hosted_page":
            raise _bad(
                f"FakeStripe simulates ui_mode=hosted_page only, not {ui_mode}.",
                param="ui_mode",
                code="fake_stripe_unsupported",
            )
        now = self.now()
        session_id = _new_id("cs_test_", 58)
        currency = params["currency"].lower() if params.get("currency") else None
        items, currency = self._line_items(params.get("line_items"), currency, session_id)
        amount_total = sum(item["amount_total"] for item in items)
        self._check_amount(amount_total, currency)

        intent_data = _dict(params.get("payment_intent_data", {}), "payment_intent_data")
        _check_params(intent_data, PAYMENT_INTENT_DATA_PARAMS, "payment_intent_data")
        if intent_data.get("capture_method", "automatic_async") not in (
            "automatic",
            "automatic_async",
        ):
            raise _bad(
                "FakeStripe does not simulate manual capture.",
                param="payment_intent_data[capture_method]",
                code="fake_stripe_unsupported",
            )
        if "metadata" in intent_data:
            intent_data["metadata"] = _metadata(
                intent_data["metadata"], "payment_intent_data[metadata]"
            )

        expires_at = now + SESSION_MAX_LIFETIME
        if "expires_at" in params:
            expires_at = _int(params["expires_at"], "expires_at")
            if expires_at < now + SESSION_MIN_LIFETIME:
                raise _bad(
                    "The `expires_at` timestamp must be at least 30 minutes from Checkout "
                    "Session creation.",
                    param="expires_at",
                )
            if expires_at > now + SESSION_MAX_LIFETIME:
                raise _bad(
                    "The `expires_at` timestamp must be less than 24 hours from Checkout "
                    "Session creation.",
                    param="expires_at",
                )
        reference = params.get("client_reference_id")
        if reference is not None and len(reference) > 200:
            raise _bad(
                "client_reference_id can be up to 200 characters long.",
                param="client_reference_id",
            )
        session = {
            "id": session_id,
            "object": "checkout.session",
            "allowed_payment_method_types": params.get("allowed_payment_method_types"),
            "amount_subtotal": amount_total,
            "amount_total": amount_total,
            "billing_address_collection": params.get("billing_address_collection"),
            "cancel_url": _url(params["cancel_url"], "cancel_url")
            if params.get("cancel_url")
            else None,
            "client_reference_id": reference,
            "client_secret": None,
            "created": now,
            "currency": currency,
            "customer": None,
            "customer_details": None,
            "customer_email": params.get("customer_email"),
            "expires_at": expires_at,
            "livemode": False,
            "locale": params.get("locale"),
            "metadata": _metadata(params.get("metadata", {}), "metadata"),
            "mode": "payment",
            "payment_intent": None,  # created when the customer pays
            "payment_method_types": ["card"],
            "payment_status": "unpaid",
            "status": "open",
            "submit_type": params.get("submit_type"),
            "success_url": _url(params["success_url"], "success_url")
            if params.get("success_url")
            else None,
            "total_details": {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0},
            "ui_mode": "hosted_page",
            "url": f"{self.url}/pay/{session_id}",
            "_payment_intent_data": intent_data,
        }
        expand = self._expand_list(params, {"line_items", "payment_intent"})
        self.sessions[session_id] = session
        self.line_items[session_id] = items
        return 200, self._render_session(session, expand)

    def _line_items(
        self, raw: Any, currency: str | None, session_id: str
    ) -> tuple[list[dict], str]:
        if raw in (None, "", []):
            raise _missing("line_items")
        if not isinstance(raw, list):
            raise _bad("Invalid array", param="line_items", code="parameter_invalid_array")
        items = []
        for index, item in enumerate(raw):
            name = f"line_items[{index}]"
            item = _dict(item, name)
            _check_params(item, LINE_ITEM_PARAMS, name)
            if "quantity" not in item:
                raise _missing(f"{name}[quantity]")
            quantity = _int(item["quantity"], f"{name}[quantity]", minimum=1)
            if "price_data" not in item:
                raise _missing(f"{name}[price_data]")
            price_data = _dict(item["price_data"], f"{name}[price_data]")
            _check_params(price_data, PRICE_DATA_PARAMS, f"{name}[price_data]")
            for required in ("currency", "unit_amount", "product_data"):
                if required not in price_data:
                    raise _missing(f"{name}[price_data][{required}]")
            item_currency = str(price_data["currency"]).lower()
            if not re.fullmatch(r"[a-z]{3}", item_currency):
                raise _bad(
                    f"Invalid currency: {price_data['currency']}",
                    param=f"{name}[price_data][currency]",
                )
            currency = currency or item_currency
            if item_currency != currency:
                raise _bad(
                    f"All line items must use the same currency ({currency}), but {name} uses "
                    f"{item_currency}.",
                    param=f"{name}[price_data][currency]",
                )
            # Zero-decimal currencies (VND) take whole units: 170000 means 170,000 VND. An
            # amount like "170000.00" (str(Decimal)) is refused as Stripe refuses it.
            unit_amount = _int(
                price_data["unit_amount"], f"{name}[price_data][unit_amount]", minimum=0
            )
            product = _dict(price_data["product_data"], f"{name}[price_data][product_data]")
            _check_params(product, PRODUCT_DATA_PARAMS, f"{name}[price_data][product_data]")
            if not product.get("name"):
                raise _missing(f"{name}[price_data][product_data][name]")
            items.append(
                {
                    "id": _new_id("li_"),
                    "object": "item",
                    "amount_discount": 0,
                    "amount_subtotal": unit_amount * quantity,
                    "amount_tax": 0,
                    "amount_total": unit_amount * quantity,
                    "currency": item_currency,
                    "description": product["name"],
                    "price": {
                        "id": _new_id("price_"),
                        "object": "price",
                        "active": False,
                        "currency": item_currency,
                        "livemode": False,
                        "product": _new_id("prod_"),
                        "type": "one_time",
                        "unit_amount": unit_amount,
                    },
                    "quantity": quantity,
                }
            )
        assert currency is not None
        return items, currency

    def _check_amount(self, amount: int, currency: str) -> None:
        minimum = self.minimum_charge.get(currency)
        if minimum is not None and amount < minimum:
            if currency == "usd":
                message = f"Amount must be at least {format_amount(minimum, 'usd')} usd"
            else:
                usd = amount * 100 / self.vnd_per_usd if currency == "vnd" else None
                approx = f" converts to approximately ${usd / 100:.2f}" if usd is not None else ""
                message = (
                    f"Amount must convert to at least {MINIMUM_CHARGE_USD_CENTS} cents. "
                    f"{format_amount(amount, currency)}{approx}."
                )
            raise _bad(message, param="line_items", code="amount_too_small")
        if amount > self.maximum_amount:
            raise _bad(
                f"Amount must be no more than {format_amount(self.maximum_amount, currency)}",
                param="line_items",
                code="amount_too_large",
            )

    def _expand_list(self, params: dict, allowed: set[str]) -> list[str]:
        expand = params.get("expand", [])
        if isinstance(expand, str):
            expand = [expand]
        for name in expand:
            if name not in allowed:
                raise _bad(f"This property cannot be expanded ({name}).", param="expand")
        return list(expand)

    def _render_session(self, session: dict, expand: list[str]) -> dict:
        out = self._public(session)
        if "payment_intent" in expand and out["payment_intent"]:
            out["payment_intent"] = copy.deepcopy(self.payment_intents[out["payment_intent"]])
        if "line_items" in expand:
            out["line_items"] = self._list(
                self.line_items[session["id"]], f"/v1/checkout/sessions/{session['id']}/line_items"
            )
        return out

    @staticmethod
    def _list(data: list, url: str) -> dict:
        return {"object": "list", "data": copy.deepcopy(data), "has_more": False, "url": url}

    def _find_session(self, session_id: str) -> dict:
        if session_id not in self.sessions:
            raise _no_such("checkout.session", session_id, param="session")
        return self.sessions[session_id]

    def _get_session(self, params: dict, session_id: str, *, context: dict):
        _check_params(params, RETRIEVE_PARAMS)
        session = self._find_session(session_id)
        expand = self._expand_list(params, {"line_items", "payment_intent"})
        return 200, self._render_session(session, expand)

    def _get_line_items(self, params: dict, session_id: str, *, context: dict):
        _check_params(params, (frozenset({"expand", "limit", "starting_after", "ending_before"}),))
        self._find_session(session_id)
        url = f"/v1/checkout/sessions/{session_id}/line_items"
        return 200, self._list(self.line_items[session_id], url)

    def _expire_session(self, params: dict, session_id: str, *, context: dict):
        _check_params(params, EXPIRE_PARAMS)
        session = self._find_session(session_id)
        self._expire(session, request_id=context["request_id"])
        return 200, self._render_session(session, self._expand_list(params, {"line_items"}))

    def _get_payment_intent(self, params: dict, intent_id: str, *, context: dict):
        _check_params(params, RETRIEVE_PARAMS)
        if intent_id not in self.payment_intents:
            raise _no_such("payment_intent", intent_id, param="intent")
        self._expand_list(params, set())
        return 200, copy.deepcopy(self.payment_intents[intent_id])

    def _get_charge(self, params: dict, charge_id: str, *, context: dict):
        _check_params(params, RETRIEVE_PARAMS)
        if charge_id not in self.charges:
            raise _no_such("charge", charge_id, param="charge")
        self._expand_list(params, set())
        return 200, copy.deepcopy(self.charges[charge_id])

    def _get_refund(self, params: dict, refund_id: str, *, context: dict):
        _check_params(params, RETRIEVE_PARAMS)
        if refund_id not in self.refunds:
            raise _no_such("refund", refund_id, param="refund")
        self._expand_list(params, set())
        return 200, copy.deepcopy(self.refunds[refund_id])

    def _create_refund(self, params: dict, *, context: dict):
        _check_params(params, REFUND_PARAMS)
        self._expand_list(params, set())
        if params.get("payment_intent"):
            intent_id = params["payment_intent"]
            intent = self.payment_intents.get(intent_id)
            if intent is None:
                raise _no_such("payment_intent", intent_id, param="payment_intent")
            if intent["status"] != "succeeded" or not intent["latest_charge"]:
                raise _bad(
                    f"This PaymentIntent ({intent_id}) does not have a successful charge to "
                    "refund.",
                    param="payment_intent",
                )
            charge = self.charges[intent["latest_charge"]]
        elif params.get("charge"):
            charge = self.charges.get(params["charge"])
            if charge is None:
                raise _no_such("charge", params["charge"], param="charge")
        else:
            raise _bad("One of `charge` or `payment_intent` is required.", code="parameter_missing")
        remaining = charge["amount"] - charge["amount_refunded"]
        if remaining <= 0:
            raise _bad(
                f"Charge {charge['id']} has already been refunded.",
                code="charge_already_refunded",
            )
        amount = remaining
        if "amount" in params:
            amount = _int(params["amount"], "amount", minimum=1)
        if amount > remaining:
            raise _bad(
                f"Refund amount ({format_amount(amount, charge['currency'])}) is greater than "
                f"unrefunded amount on charge ({format_amount(remaining, charge['currency'])})",
                param="amount",
                code="amount_too_large",
            )
        reason = params.get("reason") or None
        if reason is not None and reason not in REFUND_REASONS:
            raise _bad(f"Invalid reason: must be one of {sorted(REFUND_REASONS)}", param="reason")
        refund = {
            "id": _new_id("re_"),
            "object": "refund",
            "amount": amount,
            "charge": charge["id"],
            "created": self.now(),
            "currency": charge["currency"],
            "metadata": _metadata(params.get("metadata", {}), "metadata"),
            "payment_intent": charge["payment_intent"],
            "reason": reason,
            "status": "succeeded",
        }
        self.refunds[refund["id"]] = refund
        previous = {"amount_refunded": charge["amount_refunded"], "refunded": charge["refunded"]}
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount"]
        request = {"request_id": context["request_id"]}
        if context.get("idempotency_key"):
            request["idempotency_key"] = context["idempotency_key"]
        self._emit("refund.created", refund, **request)
        self._emit("charge.refunded", charge, previous_attributes=previous, **request)
        return 200, copy.deepcopy(refund)

    # -- the hosted payment page --
    def _hosted(self, method: str, path: str, body: str) -> _Response:
        match = re.fullmatch(r"/pay/([^/]+)", path)
        with self._lock:
            self._expire_due()
            session = self.sessions.get(match.group(1)) if match else None
            if session is None:
                return self._page(404, "Không tìm thấy phiên thanh toán / Session not found")
            if method == "GET":
                return self._pay_page(session)
            if method != "POST":
                return self._page(405, "Method not allowed")
            form = dict(urllib.parse.parse_qsl(body))
            action = form.get("action", "pay")
            if session["status"] == "complete" and session["success_url"]:
                return self._redirect(session["success_url"], session["id"])
            if session["status"] != "open":
                return self._page(200, "This Checkout Session has expired.")
            if action == "cancel":
                if not session["cancel_url"]:
                    return self._page(400, "This Checkout Session has no cancel_url.")
                return self._redirect(session["cancel_url"], session["id"])
            if action == "decline":
                return self._pay_page(session, error="Your card was declined.")
            self._complete(session["id"], form.get("email") or "khach@example.vn")
            if session["success_url"]:
                return self._redirect(session["success_url"], session["id"])
            return self._page(200, "Payment successful.")

    @staticmethod
    def _redirect(url: str, session_id: str) -> _Response:
        location = url.replace("{CHECKOUT_SESSION_ID}", session_id)
        return _Response(303, b"", {"Location": location})

    @staticmethod
    def _page(status: int, message: str, content: str = "") -> _Response:
        page = (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f"<title>FakeStripe Checkout</title></head><body><h1>FakeStripe Checkout</h1>"
            f'<p id="message">{html.escape(message)}</p>{content}</body></html>'
        )
        return _Response(status, page.encode(), {"Content-Type": "text/html; charset=utf-8"})

    def _pay_page(self, session: dict, error: str = "") -> _Response:
        if session["status"] == "complete" and session["success_url"]:
            return self._redirect(session["success_url"], session["id"])
        if session["status"] != "open":
            return self._page(200, f"This Checkout Session is {session['status']}.")
        rows = "".join(
            f"<li>{html.escape(item['description'])} × {item['quantity']}: "
            f"{html.escape(format_amount(item['amount_total'], item['currency']))}</li>"
            for item in self.line_items[session["id"]]
        )
        total = format_amount(session["amount_total"], session["currency"])
        error_html = f'<p id="error" role="alert">{html.escape(error)}</p>' if error else ""
        form = (
            f'<ul id="line-items">{rows}</ul>'
            f'<p>Total: <strong id="total">{html.escape(total)}</strong></p>{error_html}'
            f'<form method="post" action="/pay/{html.escape(session["id"])}">'
            '<label>Email <input id="email" name="email" type="email" '
            f'value="{html.escape(session.get("customer_email") or "")}"></label>'
            '<button id="pay" type="submit" name="action" value="pay">Pay</button>'
            '<button id="decline" type="submit" name="action" value="decline">Decline</button>'
            '<button id="cancel" type="submit" name="action" value="cancel">Cancel</button>'
            "</form>"
        )
        return self._page(200, f"Checkout Session {session['id']}", form)
