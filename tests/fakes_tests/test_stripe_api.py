"""FakeStripe, exercised through the real stripe library over real HTTP on 127.0.0.1."""

import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import stripe
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from tests.fakes.network import ExternalNetworkBlocked
from tests.fakes.stripe_api import FakeStripe, sign, webhook_payload

SECRET = "whsec_test_cho_phien"
SUCCESS_URL = "http://shop.test/checkout/stripe/return/?session_id={CHECKOUT_SESSION_ID}"
CANCEL_URL = "http://shop.test/checkout/payment-details/"


def session_params(*amounts: tuple[int, int], **overrides) -> dict:
    """Checkout Session params as the shop will send them; ``amounts`` are (unit, quantity)."""
    amounts = amounts or ((120_000, 1), (25_000, 2))  # 170,000 VND
    return {
        "mode": "payment",
        "line_items": [
            {
                "quantity": quantity,
                "price_data": {
                    "currency": "vnd",
                    "unit_amount": unit,
                    "product_data": {"name": f"Gạo ST25 #{index}"},
                },
            }
            for index, (unit, quantity) in enumerate(amounts)
        ],
        "success_url": SUCCESS_URL,
        "cancel_url": CANCEL_URL,
        "client_reference_id": "basket-1",
        "metadata": {"order_number": "100001", "basket_id": "1"},
        "payment_intent_data": {"metadata": {"order_number": "100001"}},
        **overrides,
    }


def create(client, params=None, key="cs-100001-170000-VND"):
    return client.v1.checkout.sessions.create(
        params=params or session_params(), options={"idempotency_key": key}
    )


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # hand the 303 back instead of following it off to shop.test


def browse(url: str, form: dict | None = None) -> tuple[int, str, str | None]:
    """A plain HTTP client: (status, body, Location) without following redirects."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect)
    data = urllib.parse.urlencode(form).encode() if form is not None else None
    try:
        with opener.open(url, data=data, timeout=5) as response:
            return response.status, response.read().decode(), response.headers.get("Location")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(), error.headers.get("Location")


# --- the client really talks to the fake -------------------------------------------------------
def test_the_client_resolves_every_stripe_host_to_the_fake(fake_stripe, stripe_client):
    addresses = stripe_client._requestor.base_addresses  # what the requestor prefixes paths with
    assert addresses["api"] == fake_stripe.url
    assert set(addresses.values()) == {fake_stripe.url}
    assert fake_stripe.url.startswith("http://127.0.0.1:")
    assert stripe.api_base == "https://api.stripe.com"  # no global was changed

    create(stripe_client)

    (request,) = fake_stripe.requests
    assert (request.method, request.path) == ("POST", "/v1/checkout/sessions")


def test_nothing_can_leave_the_machine_during_these_tests(loopback_only):
    with pytest.raises(ExternalNetworkBlocked):
        socket.create_connection(("192.0.2.1", 443), timeout=0.1)  # TEST-NET-1
    with pytest.raises(ExternalNetworkBlocked):
        socket.getaddrinfo("api.stripe.com", 443)
    with pytest.raises(stripe.APIConnectionError, match="ExternalNetworkBlocked"):
        # a client not pointed at the fake goes nowhere
        stripe.StripeClient("sk_test_x", max_network_retries=0).v1.refunds.retrieve("re_1")


def test_server_thread_stops_cleanly():
    fake = FakeStripe().start()
    url = fake.url
    assert fake.running
    fake.stop()
    assert not fake.running
    assert not any(t.name == f"FakeStripe:{url.rsplit(':', 1)[1]}" for t in threading.enumerate())
    with pytest.raises(RuntimeError):
        _ = fake.url


# --- Checkout Sessions -------------------------------------------------------------------------
def test_vnd_checkout_session_is_created_in_whole_dong(fake_stripe, stripe_client):
    session = create(stripe_client)

    assert session.object == "checkout.session"
    assert session.id.startswith("cs_test_")
    assert session.livemode is False
    assert isinstance(session.created, int)
    assert (session.amount_total, session.currency) == (170_000, "vnd")  # not x100
    assert (session.status, session.payment_status) == ("open", "unpaid")
    assert session.payment_intent is None
    assert session.url == f"{fake_stripe.url}/pay/{session.id}"
    assert session.metadata.to_dict() == {"order_number": "100001", "basket_id": "1"}
    assert session.client_reference_id == "basket-1"
    assert session.expires_at == session.created + 24 * 3600

    request = fake_stripe.requests[-1]
    assert request.idempotency_key == "cs-100001-170000-VND"
    assert request.stripe_version == stripe.api_version
    assert request.header("authorization") == "Bearer sk_test_fake_cho_phien"
    line = request.params["line_items"][0]
    assert line["price_data"]["unit_amount"] == "120000"  # as sent on the wire
    assert request.params["payment_intent_data"]["metadata"] == {"order_number": "100001"}


def test_session_is_retrieved_with_expansions(stripe_client):
    created = create(stripe_client)

    session = stripe_client.v1.checkout.sessions.retrieve(created.id)
    assert session.to_dict() == created.to_dict()

    expanded = stripe_client.v1.checkout.sessions.retrieve(
        created.id, params={"expand": ["line_items"]}
    )
    assert [i.quantity for i in expanded.line_items.data] == [1, 2]
    items = stripe_client.v1.checkout.sessions.line_items.list(created.id)
    assert sum(i.amount_total for i in items.data) == 170_000

    with pytest.raises(stripe.InvalidRequestError) as missing:
        stripe_client.v1.checkout.sessions.retrieve("cs_test_nope")
    assert missing.value.http_status == 404
    assert missing.value.code == "resource_missing"


def test_idempotency_replays_and_refuses_changed_parameters(fake_stripe, stripe_client):
    first = create(stripe_client)
    again = create(stripe_client)

    assert again.id == first.id
    assert len(fake_stripe.sessions) == 1
    assert fake_stripe.requests[-1].replayed
    assert again.last_response.headers["Idempotent-Replayed"] == "true"

    with pytest.raises(stripe.IdempotencyError) as conflict:
        create(stripe_client, session_params((130_000, 1)))  # total changed after a thaw
    assert "same parameters" in conflict.value.user_message

    with pytest.raises(stripe.IdempotencyError):  # same key, another endpoint
        stripe_client.v1.checkout.sessions.expire(
            first.id, options={"idempotency_key": "cs-100001-170000-VND"}
        )


def test_failed_validation_saves_no_idempotent_result(stripe_client):
    with pytest.raises(stripe.InvalidRequestError):
        create(stripe_client, session_params((1_000, 1)), key="k-retry")
    with pytest.raises(stripe.InvalidRequestError):
        create(stripe_client, session_params((1_000, 1)), key="k-retry")  # re-validated


def test_vnd_amounts_are_validated_like_stripe(fake_stripe, stripe_client):
    assert fake_stripe.minimum_charge["vnd"] == 13_000  # USD 0.50 at 26,000 VND/USD

    with pytest.raises(stripe.InvalidRequestError) as small:
        create(stripe_client, session_params((12_000, 1)), key="small")
    assert small.value.code == "amount_too_small"
    assert "Amount must convert to at least 50 cents" in small.value.user_message

    create(stripe_client, session_params((13_000, 1)), key="just-enough")

    with pytest.raises(stripe.InvalidRequestError) as large:  # 170,000 VND sent as "cents"
        create(stripe_client, session_params((17_000_000, 10)), key="large")
    assert large.value.code == "amount_too_large"

    with pytest.raises(stripe.InvalidRequestError) as fractional:
        params = session_params()
        params["line_items"][0]["price_data"]["unit_amount"] = Decimal("120000.00")
        create(stripe_client, params, key="decimal")
    assert fractional.value.code == "parameter_invalid_integer"
    assert fractional.value.param == "line_items[0][price_data][unit_amount]"


def test_unknown_and_unsimulated_parameters_are_refused(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        create(stripe_client, session_params(payment_method_types=["card"]), key="pmt")
    assert unknown.value.code == "parameter_unknown"  # not a parameter in this API version

    with pytest.raises(stripe.InvalidRequestError) as option_in_body:
        create(stripe_client, session_params(idempotency_key="oops"), key="opt")
    assert option_in_body.value.param == "idempotency_key"

    with pytest.raises(stripe.InvalidRequestError) as unsimulated:
        create(
            stripe_client, session_params(shipping_options=[{"shipping_rate": "shr_1"}]), key="ship"
        )
    assert unsimulated.value.code == "fake_stripe_unsupported"


def test_bad_api_keys_are_refused(fake_stripe):
    for key in ("sk_live_realkey123456", "pk_test_publishable", "nonsense"):
        with pytest.raises(stripe.AuthenticationError) as error:
            create(fake_stripe.client(api_key=key))
        assert error.value.http_status == 401
    assert fake_stripe.sessions == {}


def test_unknown_routes_are_stripes_404(stripe_client):
    with pytest.raises(stripe.InvalidRequestError) as error:
        stripe_client.raw_request("get", "/v1/customers/cus_1")
    assert error.value.http_status == 404
    assert "Unrecognized request URL" in error.value.user_message


# --- paying, expiring, refunding ---------------------------------------------------------------
def test_completed_session_has_a_succeeded_payment_intent(fake_stripe, stripe_client):
    created = create(stripe_client)

    event = fake_stripe.complete_session(created.id)

    assert event["type"] == "checkout.session.completed"
    assert event["id"].startswith("evt_")
    assert event["api_version"] == stripe.api_version
    assert event["data"]["object"]["payment_status"] == "paid"
    session = stripe_client.v1.checkout.sessions.retrieve(created.id)
    assert (session.status, session.payment_status) == ("complete", "paid")
    intent = stripe_client.v1.payment_intents.retrieve(session.payment_intent)
    assert intent.id.startswith("pi_")
    assert (intent.status, intent.amount_received, intent.currency) == ("succeeded", 170_000, "vnd")
    assert intent.metadata.to_dict() == {"order_number": "100001"}
    assert [e["type"] for e in fake_stripe.events] == [
        "charge.succeeded",
        "payment_intent.succeeded",
        "checkout.session.completed",
    ]
    with pytest.raises(ValueError):
        fake_stripe.complete_session(created.id)


def test_sessions_expire_by_api_by_control_and_by_clock(fake_stripe, stripe_client):
    by_api = create(stripe_client, key="a")
    expired = stripe_client.v1.checkout.sessions.expire(by_api.id)
    assert (expired.status, expired.url) == ("expired", None)
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.checkout.sessions.expire(by_api.id)

    by_control = create(stripe_client, key="b")
    assert fake_stripe.expire_session(by_control.id)["type"] == "checkout.session.expired"

    in_an_hour = int(time.time()) + 3600
    by_clock = create(stripe_client, session_params(expires_at=in_an_hour), key="c")
    fake_stripe.advance(3601)
    assert stripe_client.v1.checkout.sessions.retrieve(by_clock.id).status == "expired"
    assert len(fake_stripe.events_of("checkout.session.expired")) == 3


def test_refunds_partial_then_full_then_too_much(fake_stripe, stripe_client):
    session = create(stripe_client)
    fake_stripe.complete_session(session.id)
    intent_id = stripe_client.v1.checkout.sessions.retrieve(session.id).payment_intent

    partial = stripe_client.v1.refunds.create(
        params={"payment_intent": intent_id, "amount": 50_000, "reason": "requested_by_customer"},
        options={"idempotency_key": "refund-100001-1"},
    )
    assert (partial.object, partial.amount, partial.status) == ("refund", 50_000, "succeeded")
    assert stripe_client.v1.refunds.retrieve(partial.id).payment_intent == intent_id

    with pytest.raises(stripe.InvalidRequestError) as too_much:
        stripe_client.v1.refunds.create(params={"payment_intent": intent_id, "amount": 120_001})
    assert "greater than unrefunded amount" in too_much.value.user_message
    assert "₫120,000" in too_much.value.user_message

    rest = stripe_client.v1.refunds.create(params={"payment_intent": intent_id})
    assert rest.amount == 120_000
    charge = stripe_client.v1.charges.retrieve(rest.charge)
    assert (charge.amount_refunded, charge.refunded) == (170_000, True)

    with pytest.raises(stripe.InvalidRequestError) as again:
        stripe_client.v1.refunds.create(params={"payment_intent": intent_id, "amount": 1})
    assert again.value.code == "charge_already_refunded"
    assert len(fake_stripe.events_of("charge.refunded")) == 2


# --- webhooks ----------------------------------------------------------------------------------
def test_signed_events_pass_stripes_own_verification(fake_stripe, stripe_client):
    event = fake_stripe.complete_session(create(stripe_client).id)
    payload = webhook_payload(event)
    header = sign(payload, SECRET)

    verified = stripe.Webhook.construct_event(payload, header, SECRET)
    assert (verified.id, verified.type) == (event["id"], "checkout.session.completed")
    assert stripe_client.construct_event(payload.encode(), header, SECRET).data.object.id

    tampered = payload.replace('"amount_total": 170000', '"amount_total": 1700')
    assert tampered != payload
    with pytest.raises(stripe.SignatureVerificationError):
        stripe_client.construct_event(tampered, header, SECRET)

    stale = sign(payload, SECRET, timestamp=int(time.time()) - 301)
    with pytest.raises(stripe.SignatureVerificationError, match="tolerance"):
        stripe_client.construct_event(payload, stale, SECRET)

    with pytest.raises(stripe.SignatureVerificationError):
        stripe_client.construct_event(payload, sign(payload, "whsec_other"), SECRET)

    rolled = sign(payload, ["whsec_old", SECRET])  # one v1 per secret while rolling
    assert rolled.count("v1=") == 2
    assert stripe_client.construct_event(payload, rolled, SECRET)


def test_any_event_can_be_built(fake_stripe):
    event = fake_stripe.event("payment_intent.payment_failed", {"id": "pi_1", "object": "x"})
    assert event["api_version"] == stripe.api_version == "2026-10-28.endive"
    assert event["object"] == "event" and event["livemode"] is False
    assert event["data"]["object"]["id"] == "pi_1"


class _Receiver(BaseHTTPRequestHandler):
    received: list

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        try:
            stripe.Webhook.construct_event(body, self.headers.get("Stripe-Signature"), SECRET)
            status = 200
        except stripe.SignatureVerificationError:
            status = 400
        self.received.append((status, dict(self.headers), body))
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def test_deliver_posts_a_signed_event_over_http(fake_stripe):
    handler = type("Receiver", (_Receiver,), {"received": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/stripe/webhook/"
        event = fake_stripe.event("checkout.session.completed", {"id": "cs_test_1"})
        good = fake_stripe.deliver(event, url=url, secret=SECRET)
        bad = fake_stripe.deliver(event, url=url, secret="whsec_wrong")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert (good.status, bad.status) == (200, 400)
    _, headers, body = handler.received[0]
    assert json.loads(body)["id"] == event["id"]
    assert headers["User-Agent"].startswith("Stripe/1.0")


# --- the hosted payment page -------------------------------------------------------------------
def test_hosted_page_pays_and_lands_on_success_url(fake_stripe, stripe_client):
    session = create(stripe_client)

    status, page, _ = browse(session.url)
    assert status == 200
    assert 'id="pay"' in page and "₫170,000" in page

    status, _, location = browse(session.url, {"action": "pay", "email": "lan@example.vn"})

    assert status == 303
    assert location == SUCCESS_URL.replace("{CHECKOUT_SESSION_ID}", session.id)
    paid = stripe_client.v1.checkout.sessions.retrieve(session.id)
    assert paid.payment_status == "paid"
    assert paid.customer_details.email == "lan@example.vn"
    assert fake_stripe.events[-1]["type"] == "checkout.session.completed"


def test_hosted_page_cancel_and_decline_leave_the_session_open(fake_stripe, stripe_client):
    session = create(stripe_client)

    status, _, location = browse(session.url, {"action": "cancel"})
    assert (status, location) == (303, CANCEL_URL)
    status, page, _ = browse(session.url, {"action": "decline"})
    assert status == 200 and "declined" in page
    assert fake_stripe.sessions[session.id]["status"] == "open"

    fake_stripe.expire_session(session.id)
    assert "expired" in browse(session.url)[1]
    assert browse(f"{fake_stripe.url}/pay/cs_test_nope")[0] == 404


def test_on_event_hook_sees_events_from_the_hosted_page(stripe_client, fake_stripe):
    seen = []
    # The hook runs without the fake's lock held, so it may call the API back.
    fake_stripe.on_event = lambda e: seen.append(
        (e["type"], stripe_client.v1.checkout.sessions.retrieve(session.id).status)
    )
    session = create(stripe_client)
    browse(session.url, {"action": "pay"})
    assert seen[-1] == ("checkout.session.completed", "complete")


# A one-view URLconf: a webhook endpoint as the shop will write it (raw body, header, secret).
@csrf_exempt
def _webhook_view(request):
    try:
        event = stripe.Webhook.construct_event(
            request.body, request.headers.get("Stripe-Signature"), SECRET
        )
    except (ValueError, stripe.SignatureVerificationError):
        return HttpResponse(status=400)
    return JsonResponse({"received": event.id})


urlpatterns = [path("stripe/webhook/", _webhook_view)]


def test_deliver_through_djangos_test_client(fake_stripe, settings, client):
    settings.ROOT_URLCONF = __name__
    event = fake_stripe.event("checkout.session.completed", {"id": "cs_test_1"})

    response = fake_stripe.deliver(event, url="/stripe/webhook/", secret=SECRET, client=client)
    assert (response.status_code, response.json()) == (200, {"received": event["id"]})

    forged = fake_stripe.deliver(
        event, url="/stripe/webhook/", secret="whsec_forged", client=client
    )
    assert forged.status_code == 400
