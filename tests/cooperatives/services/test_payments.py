"""Card payments, order-first: against the local fake of Stripe, never a mock of the gateway."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from oscar.apps.partner.models import StockRecord

from cooperatives import statuses
from cooperatives.basket import PICKUP
from cooperatives.models import FulfilmentEvent
from cooperatives.services import payments
from cooperatives.services.checkout import CheckoutError
from cooperatives.services.fulfillment import payments_expire
from order.models import Order, PaymentEvent
from payment import stripe_gateway
from payment.models import Source, StripeEvent, Transaction
from tests.factories import CooperativeFactory, ProductFactory, UserFactory, WeightBasedFactory
from tests.factories import place_order as _place_order
from tests.fakes.fixtures import fake_stripe, loopback_only  # noqa: F401

pytestmark = pytest.mark.django_db

SECRET = "whsec_test_cho_phien"
NBSP = "\xa0"


@pytest.fixture
def stripe_on(settings, fake_stripe):  # noqa: F811
    settings.STRIPE_SECRET_KEY = "sk_test_cho_phien"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_cho_phien"
    settings.STRIPE_WEBHOOK_SECRET = SECRET
    settings.STRIPE_API_BASE = fake_stripe.url
    return fake_stripe


def _product(cooperative, price):
    return ProductFactory(
        cooperative=cooperative,
        net_weight_grams=500,
        stockrecords__price=Decimal(price),
        stockrecords__num_in_stock=10,
    )


@pytest.fixture
def card_order(stripe_on):
    """Tea 125.000 + rice 90.000, each with 30.000 delivery: 275.000 ₫ in two parts."""
    tea = CooperativeFactory(name="HTX Chè Tân Cương")
    rice = CooperativeFactory(name="HTX Gạo Bắc Hương")
    WeightBasedFactory(cooperative=tea, bands=[(1, 30000)])
    WeightBasedFactory(cooperative=rice, bands=[(1, 30000)])
    order = _place_order(
        (_product(tea, "125000"), 1), (_product(rice, "90000"), 1), payment_method="card"
    )
    assert order.total_incl_tax == Decimal("275000")
    return Order.objects.get(pk=order.pk)  # as stored: the number is a string


def parts(order):
    return list(order.fulfilments.order_by("pk"))


def paid_session(fake, order) -> dict:
    """The shopper pays on Stripe's page; returns the session as Stripe now has it."""
    url = payments.card_checkout_start(order=order)
    session_id = url.rsplit("/", 1)[1]
    fake.complete_session(session_id)
    return stripe_gateway.checkout_session_retrieve(session_id)


def stored(event) -> StripeEvent:
    return StripeEvent.objects.create(event_id=event["id"], event_type=event["type"], payload=event)


def process(event) -> bool:
    return payments.stripe_event_process(stripe_event=stored(event))


def allocated(order) -> list[int]:
    return [
        StockRecord.objects.get(pk=line.stockrecord_id).num_allocated
        for line in order.lines.order_by("pk")
    ]


def staff(*, permitted=True):
    user = UserFactory(is_staff=True)
    if permitted:
        user.user_permissions.add(Permission.objects.get(codename="change_order"))
    return type(user).objects.get(pk=user.pk)  # fresh: permissions are cached per instance


# --- placing the order ------------------------------------------------------------------------
def test_a_card_order_below_stripes_minimum_is_refused_before_it_is_placed(stripe_on):
    farm = CooperativeFactory(offers_pickup=True, pickup_instructions="Hỏi chị Hoa")
    WeightBasedFactory(cooperative=farm)
    herbs = _product(farm, "10000")

    with pytest.raises(CheckoutError) as caught:
        _place_order((herbs, 1), shipping_choices={str(farm.pk): PICKUP}, payment_method="card")

    # Vietnamese money format in the shopper's message; the wording comes from the catalogue.
    assert f"13.000{NBSP}₫" in caught.value.messages[0]
    assert f"10.000{NBSP}₫" in caught.value.messages[0]
    assert not Order.objects.exists()
    assert stripe_on.requests == []


def test_card_parts_wait_for_the_money(card_order):
    assert {p.payment_status for p in parts(card_order)} == {statuses.PAYMENT_AWAITING}


# --- starting the payment ---------------------------------------------------------------------
def test_start_opens_one_session_for_the_order_total_in_whole_dong(card_order, stripe_on):
    url = payments.card_checkout_start(order=card_order)

    [session] = stripe_on.sessions.values()
    assert url == f"{stripe_on.url}/pay/{session['id']}"
    assert session["amount_total"] == 275_000  # VND is zero-decimal: not 27.500.000
    assert session["currency"] == "vnd"
    assert session["metadata"] == {"order_number": card_order.number}
    [line] = stripe_on.line_items[session["id"]]
    assert line["price"]["unit_amount"] == int(card_order.total_incl_tax)
    request = stripe_on.requests[-1]
    assert request.idempotency_key == f"cs-{card_order.number}-275000-vnd"
    assert request.params["success_url"].endswith(
        "/payments/stripe/return/?session_id={CHECKOUT_SESSION_ID}"
    )
    source = Source.objects.get(order=card_order)
    assert (source.source_type.name, source.reference) == ("Stripe", session["id"])


def test_starting_again_returns_the_same_open_session(card_order, stripe_on):
    first = payments.card_checkout_start(order=card_order)
    second = payments.card_checkout_start(order=card_order)

    assert second == first
    assert len(stripe_on.sessions) == 1
    assert Source.objects.filter(order=card_order).count() == 1


def test_the_session_closes_before_the_parts_deadline(card_order, stripe_on):
    payments.card_checkout_start(order=card_order)

    [session] = stripe_on.sessions.values()
    due_by = parts(card_order)[0].payment_due_by
    assert session["expires_at"] <= due_by.timestamp()


def test_a_late_shopper_gets_stripes_minimum_and_the_stock_waits_as_long(card_order, stripe_on):
    soon = timezone.now() + datetime.timedelta(minutes=10)
    card_order.fulfilments.update(payment_due_by=soon)

    payments.card_checkout_start(order=card_order)

    [session] = stripe_on.sessions.values()
    assert session["expires_at"] >= (timezone.now() + datetime.timedelta(minutes=30)).timestamp()
    for part in parts(card_order):
        assert part.payment_due_by.timestamp() > session["expires_at"]
    assert payments_expire(now=soon + datetime.timedelta(minutes=1)) == 0


def test_start_is_refused_for_other_methods_and_when_nothing_is_left_to_pay(card_order, stripe_on):
    cod = Order.objects.create(
        number="COD-1", total_incl_tax=1, total_excl_tax=1, payment_method="cod"
    )
    with pytest.raises(ValidationError):
        payments.card_checkout_start(order=cod)

    session = paid_session(stripe_on, card_order)
    payments.card_session_settle(session=session)
    with pytest.raises(ValidationError) as caught:
        payments.card_checkout_start(order=card_order)
    assert caught.value.code == "already_paid"


def test_start_for_a_session_paid_meanwhile_leads_to_the_return_page(card_order, stripe_on):
    url = payments.card_checkout_start(order=card_order)
    session_id = url.rsplit("/", 1)[1]
    stripe_on.complete_session(session_id)

    again = payments.card_checkout_start(order=card_order)

    assert again == f"/payments/stripe/return/?session_id={session_id}"


def test_start_when_stripe_is_off_or_down(card_order, settings, stripe_on):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens on the discard port
    with pytest.raises(ValidationError) as down:
        payments.card_checkout_start(order=card_order)
    assert down.value.code == "gateway"
    assert not Source.objects.exists()

    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(ValidationError) as off:
        payments.card_checkout_start(order=card_order)
    assert off.value.code == "card_off"


# --- settling ---------------------------------------------------------------------------------
def test_a_paid_session_pays_every_part_once(card_order, stripe_on):
    session = paid_session(stripe_on, card_order)

    assert payments.card_session_settle(session=session) is True
    assert payments.card_session_settle(session=session) is False

    assert {p.payment_status for p in parts(card_order)} == {statuses.PAYMENT_PAID}
    [event] = PaymentEvent.objects.filter(order=card_order)
    assert (event.amount, event.reference) == (Decimal("275000"), session["payment_intent"])
    assert event.event_type.name == "Settled"
    [debit] = Transaction.objects.filter(source__order=card_order)
    assert (debit.txn_type, debit.reference) == ("Debit", session["payment_intent"])
    assert Source.objects.get(order=card_order).amount_debited == Decimal("275000")
    assert FulfilmentEvent.objects.filter(to_state=statuses.PAYMENT_PAID).count() == 2


def test_an_unpaid_session_settles_nothing(card_order, stripe_on):
    url = payments.card_checkout_start(order=card_order)
    session = stripe_gateway.checkout_session_retrieve(url.rsplit("/", 1)[1])

    assert payments.card_session_settle(session=session) is False
    assert {p.payment_status for p in parts(card_order)} == {statuses.PAYMENT_AWAITING}


@pytest.mark.parametrize(
    "change",
    [
        {"amount_total": 27_500_000},  # ×100: what a cents-minded bug would charge
        {"currency": "usd"},
        {"metadata": {"order_number": "999999"}},
    ],
)
def test_a_session_that_does_not_match_the_order_pays_nothing(card_order, stripe_on, change):
    session = {**paid_session(stripe_on, card_order), **change}

    assert payments.card_session_settle(session=session) is False
    assert payments.card_session_settle(session=session) is False

    assert {p.payment_status for p in parts(card_order)} == {statuses.PAYMENT_AWAITING}
    assert not PaymentEvent.objects.exists()
    if "metadata" not in change:  # our order, wrong money: staff are told, once per part
        for part in parts(card_order):
            assert part.events.filter(note__contains="không khớp").count() == 1


# --- events -----------------------------------------------------------------------------------
def test_a_completed_event_is_processed_once(card_order, stripe_on):
    url = payments.card_checkout_start(order=card_order)
    event = stripe_on.complete_session(url.rsplit("/", 1)[1])
    stripe_event = stored(event)

    assert payments.stripe_event_process(stripe_event=stripe_event) is True
    assert payments.stripe_event_process(stripe_event=stripe_event) is False

    stripe_event.refresh_from_db()
    assert stripe_event.processed_at is not None
    assert {p.payment_status for p in parts(card_order)} == {statuses.PAYMENT_PAID}
    assert PaymentEvent.objects.filter(order=card_order).count() == 1


def test_an_expired_event_cancels_the_waiting_parts_and_returns_their_stock(card_order, stripe_on):
    assert allocated(card_order) == [1, 1]
    url = payments.card_checkout_start(order=card_order)
    event = stripe_on.expire_session(url.rsplit("/", 1)[1])

    process(event)

    for part in parts(card_order):
        assert (part.status, part.payment_status) == (
            statuses.CANCELLED,
            statuses.PAYMENT_EXPIRED,
        )
    assert allocated(card_order) == [0, 0]


def test_the_fakes_clock_expires_the_session_too(card_order, stripe_on):
    payments.card_checkout_start(order=card_order)
    stripe_on.advance(2 * 3600)

    [event] = stripe_on.events_of("checkout.session.expired")
    process(event)

    assert {p.status for p in parts(card_order)} == {statuses.CANCELLED}


def test_expired_arriving_after_completed_leaves_the_order_paid(card_order, stripe_on):
    url = payments.card_checkout_start(order=card_order)
    completed = stripe_on.complete_session(url.rsplit("/", 1)[1])
    late_expired = stripe_on.event(
        "checkout.session.expired", {**completed["data"]["object"], "status": "expired"}
    )

    process(completed)
    process(late_expired)

    for part in parts(card_order):
        assert (part.status, part.payment_status) == (statuses.NEW, statuses.PAYMENT_PAID)
    assert allocated(card_order) == [1, 1]


def test_money_for_an_order_already_cancelled_is_recorded_and_flagged(card_order, stripe_on):
    url = payments.card_checkout_start(order=card_order)
    session_id = url.rsplit("/", 1)[1]
    expired_first = stripe_on.event(
        "checkout.session.expired", {**stripe_on.sessions[session_id], "status": "expired"}
    )
    process(expired_first)  # delivered before the shopper's payment was
    completed = stripe_on.complete_session(session_id)

    process(completed)

    intent = completed["data"]["object"]["payment_intent"]
    for part in parts(card_order):
        assert part.status == statuses.CANCELLED  # nothing ships
        assert part.payment_status == statuses.PAYMENT_PAID  # ...but the money is there
        note = part.events.get(to_state=statuses.PAYMENT_PAID).note
        assert "cần hoàn" in note and intent in note  # "refund"
    assert PaymentEvent.objects.get(order=card_order).reference == intent
    assert allocated(card_order) == [0, 0]  # the stock stays on the shelf


def test_money_after_the_shops_own_deadline_is_recorded_and_flagged(card_order, stripe_on):
    url = payments.card_checkout_start(order=card_order)
    payments_expire(now=timezone.now() + datetime.timedelta(hours=3))

    process(stripe_on.complete_session(url.rsplit("/", 1)[1]))

    for part in parts(card_order):
        assert (part.status, part.payment_status) == (statuses.CANCELLED, statuses.PAYMENT_PAID)


def test_other_events_are_stored_and_marked_processed(card_order, stripe_on):
    url = payments.card_checkout_start(order=card_order)
    stripe_on.complete_session(url.rsplit("/", 1)[1])
    [intent_event] = stripe_on.events_of("payment_intent.succeeded")
    stripe_event = stored(intent_event)

    assert payments.stripe_event_process(stripe_event=stripe_event) is True

    assert stripe_event.processed_at is not None
    assert {p.payment_status for p in parts(card_order)} == {statuses.PAYMENT_AWAITING}


def test_a_full_refund_in_stripes_dashboard_refunds_every_part(card_order, stripe_on):
    session = paid_session(stripe_on, card_order)
    payments.card_session_settle(session=session)
    stripe_on.client("sk_test_cho_phien").v1.refunds.create(
        params={"payment_intent": session["payment_intent"]}
    )
    [refunded] = stripe_on.events_of("charge.refunded")

    process(refunded)
    process({**refunded, "id": "evt_redelivered_copy"})  # same refund, seen again

    assert {p.payment_status for p in parts(card_order)} == {statuses.PAYMENT_REFUNDED}
    assert Source.objects.get(order=card_order).amount_refunded == Decimal("275000")
    assert PaymentEvent.objects.filter(order=card_order, event_type__name="Refunded").count() == 1


# --- refunds by staff -------------------------------------------------------------------------
@pytest.fixture
def paid_order(card_order, stripe_on):
    payments.card_session_settle(session=paid_session(stripe_on, card_order))
    return card_order


def test_staff_refund_one_part_on_the_orders_payment_intent(paid_order, stripe_on):
    tea, rice = parts(paid_order)
    user = staff()

    payments.fulfilment_refund(fulfilment=tea, actor=user)

    [refund] = stripe_on.refunds.values()
    intent = Transaction.objects.get(txn_type="Debit").reference
    assert (refund["payment_intent"], refund["amount"]) == (intent, 155_000)
    tea.refresh_from_db()
    rice.refresh_from_db()
    assert tea.payment_status == statuses.PAYMENT_REFUNDED
    assert rice.payment_status == statuses.PAYMENT_PAID
    event = tea.events.get(to_state=statuses.PAYMENT_REFUNDED)
    assert event.actor == user and refund["id"] in event.note
    assert Source.objects.get(order=paid_order).amount_refunded == Decimal("155000")

    # Stripe's charge.refunded for this very refund changes nothing more.
    process(stripe_on.events_of("charge.refunded")[-1])
    rice.refresh_from_db()
    assert rice.payment_status == statuses.PAYMENT_PAID
    assert Source.objects.get(order=paid_order).amount_refunded == Decimal("155000")

    with pytest.raises(ValidationError):
        payments.fulfilment_refund(fulfilment=tea, actor=user)
    assert len(stripe_on.refunds) == 1


def test_a_flagged_part_can_be_refunded(card_order, stripe_on):
    url = payments.card_checkout_start(order=card_order)
    payments_expire(now=timezone.now() + datetime.timedelta(hours=3))
    process(stripe_on.complete_session(url.rsplit("/", 1)[1]))

    for part in parts(card_order):
        payments.fulfilment_refund(fulfilment=part, actor=staff())

    assert sum(r["amount"] for r in stripe_on.refunds.values()) == 275_000
    assert {p.payment_status for p in parts(card_order)} == {statuses.PAYMENT_REFUNDED}


@pytest.mark.parametrize("who", ["shopper", "staff without permission", "manager", "nobody"])
def test_only_permitted_staff_refund(paid_order, stripe_on, who):
    tea = parts(paid_order)[0]
    actor = {
        "shopper": lambda: UserFactory(),
        "staff without permission": lambda: staff(permitted=False),
        "manager": lambda: CooperativeFactory(managers=[UserFactory()]).partner.users.get(),
        "nobody": lambda: None,
    }[who]()

    with pytest.raises(PermissionDenied):
        payments.fulfilment_refund(fulfilment=tea, actor=actor)

    assert stripe_on.refunds == {}
    tea.refresh_from_db()
    assert tea.payment_status == statuses.PAYMENT_PAID


def test_an_unpaid_part_has_nothing_to_refund(card_order, stripe_on):
    with pytest.raises(ValidationError):
        payments.fulfilment_refund(fulfilment=parts(card_order)[0], actor=staff())
    assert stripe_on.refunds == {}


def test_refunding_a_part_not_yet_shipped_cancels_it_and_returns_its_stock(paid_order, stripe_on):
    tea, _rice = parts(paid_order)
    payments.fulfilment_refund(fulfilment=tea, actor=staff())
    tea.refresh_from_db()
    assert (tea.status, tea.payment_status) == (statuses.CANCELLED, statuses.PAYMENT_REFUNDED)
    line = paid_order.lines.get(partner=tea.cooperative.partner)
    assert line.stockrecord.num_allocated == 0


def test_a_parcel_on_its_way_is_not_refunded(paid_order, stripe_on):
    from cooperatives.services.fulfillment import fulfilment_transition

    tea, _rice = parts(paid_order)
    for status in (statuses.CONFIRMED, statuses.PACKED, statuses.SHIPPED):
        tea = fulfilment_transition(fulfilment=tea, to_status=status, actor=None)
    with pytest.raises(ValidationError):
        payments.fulfilment_refund(fulfilment=tea, actor=staff())
    assert not stripe_on.refunds
    tea.refresh_from_db()
    assert tea.payment_status == statuses.PAYMENT_PAID
