"""The shopper hears of each step of a cooperative's part: confirmed, shipped, delivered,
cancelled by the cooperative, a line changed; once each, and nothing they do not need."""

from decimal import Decimal

import pytest
from django.core import mail

from cooperatives import channels, statuses
from cooperatives.models import Fulfilment, FulfilmentEvent, Notification
from cooperatives.services.fulfillment import (
    fulfilment_cancel,
    fulfilment_cancel_by_shopper,
    fulfilment_transition,
)
from cooperatives.services.notifications import fulfilment_event_notifications
from cooperatives.tasks import fulfilment_event_notify_task
from tests.factories import (
    CooperativeFactory,
    ProductFactory,
    UserFactory,
    WeightBasedFactory,
    place_order,
)

pytestmark = pytest.mark.django_db

NBSP = "\xa0"
SHOPPER_EMAIL = "lan@example.vn"
SHOPPER_PHONE = "+84912345678"


@pytest.fixture
def farm():
    manager = UserFactory(email="chi.tea@example.vn")
    tea = CooperativeFactory(name="HTX Chè Tân Cương", managers=[manager])
    WeightBasedFactory(cooperative=tea)  # ≤1 kg: 30.000 ₫
    green_tea = ProductFactory(cooperative=tea, title="Chè búp Tân Cương", net_weight_grams=400)
    return {"tea": tea, "manager": manager, "green_tea": green_tea}


def place(farm, capture, quantity=2, **kwargs):
    """A COD order of green tea (2 × 125.000 ₫ + 30.000 ₫ shipping), its own messages sent."""
    kwargs.setdefault("guest_email", SHOPPER_EMAIL)
    with capture(execute=True):
        order = place_order((farm["green_tea"], quantity), **kwargs)
    mail.outbox.clear()
    return order, order.fulfilments.get()


def last_event(fulfilment, **filters) -> FulfilmentEvent:
    return fulfilment.events.filter(**filters).order_by("-pk").first()


def notify(capture, event):
    """Run the task as the console queues it, and the sends it queues."""
    with capture(execute=True):
        fulfilment_event_notify_task.delay(event_id=event.pk)


def step_rows(event):
    return Notification.objects.filter(key__startswith=f"fulfilment-event:{event.pk}:")


def test_confirming_tells_the_shopper_by_email_and_sms_once(
    farm, django_capture_on_commit_callbacks
):
    order, part = place(farm, django_capture_on_commit_callbacks)
    fulfilment_transition(
        fulfilment=part,
        to_status=statuses.CONFIRMED,
        actor=farm["manager"],
        channel=statuses.CHANNEL_PHONE,
    )
    event = last_event(part, to_state=statuses.CONFIRMED)

    notify(django_capture_on_commit_callbacks, event)
    notify(django_capture_on_commit_callbacks, event)  # redelivered: nothing new

    rows = {row.key: row for row in step_rows(event)}
    assert set(rows) == {
        f"fulfilment-event:{event.pk}:shopper:email",
        f"fulfilment-event:{event.pk}:shopper:phone",
    }
    assert {(row.status, row.attempts) for row in rows.values()} == {(Notification.SENT, 1)}
    (message,) = mail.outbox
    assert message.to == [SHOPPER_EMAIL]
    assert str(order.number) in message.subject and "HTX Chè Tân Cương" in message.subject
    assert "Chè búp Tân Cương × 2" in message.body
    assert f"280.000{NBSP}₫" in message.body  # the part's total, cash on delivery
    sms = rows[f"fulfilment-event:{event.pk}:shopper:phone"]
    assert sms.channel == channels.SMS and sms.recipient == SHOPPER_PHONE
    assert str(order.number) in sms.body and sms.body.isascii()


def test_the_service_returns_the_same_rows_the_second_time(
    farm, django_capture_on_commit_callbacks
):
    _order, part = place(farm, django_capture_on_commit_callbacks)
    fulfilment_transition(fulfilment=part, to_status=statuses.CONFIRMED, actor=farm["manager"])
    event = last_event(part)
    first = fulfilment_event_notifications(event=event)
    second = fulfilment_event_notifications(event=event)
    assert [n.pk for n in first] == [n.pk for n in second]
    assert len(first) == 2


def test_shipping_tells_the_carrier_and_tracking_number(farm, django_capture_on_commit_callbacks):
    _order, part = place(farm, django_capture_on_commit_callbacks)
    for state in (statuses.CONFIRMED, statuses.PACKED):
        fulfilment_transition(fulfilment=part, to_status=state, actor=farm["manager"])
    Fulfilment.objects.filter(pk=part.pk).update(carrier="Viettel Post", tracking_number="VTP12345")
    fulfilment_transition(fulfilment=part, to_status=statuses.SHIPPED, actor=farm["manager"])
    event = last_event(part, to_state=statuses.SHIPPED)

    notify(django_capture_on_commit_callbacks, event)

    (message,) = mail.outbox
    assert "Viettel Post" in message.body and "VTP12345" in message.body
    assert f"280.000{NBSP}₫" in message.body  # cash to hand the carrier
    sms = step_rows(event).get(channel=channels.SMS)
    assert "VTP12345" in sms.body and "Viettel Post" in sms.body


def test_zns_for_a_step_once_its_template_is_approved(
    farm, django_capture_on_commit_callbacks, settings
):
    settings.ZNS_TEMPLATES = {"order_placed": "", "fulfilment_shipped": "555111"}
    order, part = place(farm, django_capture_on_commit_callbacks)
    for state in (statuses.CONFIRMED, statuses.PACKED):
        fulfilment_transition(fulfilment=part, to_status=state, actor=farm["manager"])
    Fulfilment.objects.filter(pk=part.pk).update(carrier="GHN", tracking_number="GHN777")
    fulfilment_transition(fulfilment=part, to_status=statuses.SHIPPED, actor=farm["manager"])
    confirmed = last_event(part, to_state=statuses.CONFIRMED)
    shipped = last_event(part, to_state=statuses.SHIPPED)

    notify(django_capture_on_commit_callbacks, confirmed)
    notify(django_capture_on_commit_callbacks, shipped)

    assert step_rows(confirmed).get(key__endswith=":phone").channel == channels.SMS
    zns = step_rows(shipped).get(key__endswith=":phone")
    assert zns.channel == channels.ZNS and zns.template_id == "555111"
    assert zns.data["order_code"] == str(order.number)
    assert zns.data["tracking_number"] == "GHN777" and zns.data["carrier"] == "GHN"
    assert zns.data["cod_amount"] == 280000
    assert zns.status == Notification.SENT


def test_delivered_tells_the_shopper(farm, django_capture_on_commit_callbacks):
    order, part = place(farm, django_capture_on_commit_callbacks)
    for state in (statuses.CONFIRMED, statuses.PACKED, statuses.SHIPPED, statuses.DELIVERED):
        fulfilment_transition(fulfilment=part, to_status=state, actor=farm["manager"])
    event = last_event(part, to_state=statuses.DELIVERED)
    notify(django_capture_on_commit_callbacks, event)
    (message,) = mail.outbox
    assert str(order.number) in message.body
    assert step_rows(event).count() == 2


def test_the_cooperative_cancelling_tells_the_shopper_the_reason(
    farm, django_capture_on_commit_callbacks
):
    _order, part = place(farm, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        fulfilment_cancel(
            fulfilment=part,
            actor=farm["manager"],
            channel=statuses.CHANNEL_PHONE,
            note="Mưa đá làm hỏng cả lứa chè",
        )
    mail.outbox.clear()  # the managers' own cancellation e-mail
    cancelled = last_event(part, kind=statuses.EVENT_STATUS)
    voided = last_event(part, kind=statuses.EVENT_PAYMENT)

    notify(django_capture_on_commit_callbacks, cancelled)
    notify(django_capture_on_commit_callbacks, voided)

    (message,) = mail.outbox
    assert message.to == [SHOPPER_EMAIL]
    assert "Mưa đá làm hỏng cả lứa chè" in message.body
    sms = step_rows(cancelled).get(channel=channels.SMS)
    assert "Mua da lam hong ca lua che" in sms.body  # the reason, without diacritics
    assert not step_rows(voided).exists()


def test_a_changed_line_tells_the_new_total_and_cash_to_collect(
    farm, django_capture_on_commit_callbacks
):
    order, part = place(farm, django_capture_on_commit_callbacks)
    # What the console's quantity change does: one unit fewer, totals recomputed.
    line = order.lines.get()
    line.quantity = 1
    line.line_price_incl_tax = line.line_price_excl_tax = Decimal("125000")
    line.save()
    Fulfilment.objects.filter(pk=part.pk).update(goods_total=Decimal("125000"))
    event = FulfilmentEvent.objects.create(
        fulfilment=part,
        kind=statuses.EVENT_CHANGE,
        actor=farm["manager"],
        channel=statuses.CHANNEL_PHONE,
        note="Chè búp Tân Cương: 2 → 1",
    )

    notify(django_capture_on_commit_callbacks, event)

    (message,) = mail.outbox
    assert "Chè búp Tân Cương × 1" in message.body
    assert "Chè búp Tân Cương: 2 → 1" in message.body
    assert f"155.000{NBSP}₫" in message.body  # 125.000 + 30.000, to pay the carrier
    assert f"280.000{NBSP}₫" not in message.body
    assert "155.000 VND" in step_rows(event).get(channel=channels.SMS).body


@pytest.mark.parametrize(
    "to_state", [statuses.PACKED, statuses.RETURNED], ids=["packed", "returned"]
)
def test_steps_the_shopper_does_not_need_tell_nobody(
    farm, django_capture_on_commit_callbacks, to_state
):
    _order, part = place(farm, django_capture_on_commit_callbacks)
    event = FulfilmentEvent.objects.create(
        fulfilment=part,
        kind=statuses.EVENT_STATUS,
        from_state=statuses.CONFIRMED,
        to_state=to_state,
    )
    notify(django_capture_on_commit_callbacks, event)
    assert not step_rows(event).exists()
    assert mail.outbox == []


def test_payment_events_tell_nobody(farm, django_capture_on_commit_callbacks):
    _order, part = place(farm, django_capture_on_commit_callbacks)
    event = FulfilmentEvent.objects.create(
        fulfilment=part,
        kind=statuses.EVENT_PAYMENT,
        from_state=statuses.PAYMENT_DUE,
        to_state=statuses.PAYMENT_COLLECTED,
    )
    assert fulfilment_event_notifications(event=event) == []


def test_the_shopper_cancelling_themselves_is_not_told_back(
    farm, django_capture_on_commit_callbacks
):
    _order, part = place(farm, django_capture_on_commit_callbacks)
    fulfilment_cancel_by_shopper(fulfilment=part, note="Đặt nhầm")
    event = last_event(part, kind=statuses.EVENT_STATUS)
    assert event.channel == statuses.CHANNEL_SHOPPER
    notify(django_capture_on_commit_callbacks, event)
    assert not step_rows(event).exists()


def test_without_an_email_address_only_the_phone_is_told(farm, django_capture_on_commit_callbacks):
    _order, part = place(farm, django_capture_on_commit_callbacks, guest_email="")
    fulfilment_transition(fulfilment=part, to_status=statuses.CONFIRMED, actor=farm["manager"])
    event = last_event(part)
    notify(django_capture_on_commit_callbacks, event)
    assert list(step_rows(event).values_list("channel", "recipient")) == [
        (channels.SMS, SHOPPER_PHONE)
    ]
    assert mail.outbox == []


def test_only_that_orders_shopper_hears_not_managers_or_other_shoppers(
    farm, django_capture_on_commit_callbacks
):
    _order, part = place(farm, django_capture_on_commit_callbacks)
    place(farm, django_capture_on_commit_callbacks, guest_email="other@example.vn")
    fulfilment_transition(fulfilment=part, to_status=statuses.CONFIRMED, actor=farm["manager"])
    event = last_event(part)
    notify(django_capture_on_commit_callbacks, event)
    assert {row.recipient for row in step_rows(event)} == {SHOPPER_EMAIL, SHOPPER_PHONE}
    assert [message.to for message in mail.outbox] == [[SHOPPER_EMAIL]]


def test_an_event_that_is_gone_is_left_alone(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert fulfilment_event_notify_task.delay(event_id=987654).get() is None
    assert not Notification.objects.exists()


# --- Through the console's actions (cooperatives/services/fulfillment.py) --------------------


def test_console_actions_queue_one_message_per_step_the_shopper_needs(
    farm, django_capture_on_commit_callbacks
):
    from cooperatives.services.fulfillment import (
        fulfilment_confirm,
        fulfilment_pack,
        fulfilment_ship,
    )

    _order, part = place(farm, django_capture_on_commit_callbacks)
    manager = farm["manager"]
    with django_capture_on_commit_callbacks(execute=True):
        fulfilment_confirm(fulfilment=part, actor=manager, channel=statuses.CHANNEL_PHONE)
        fulfilment_pack(fulfilment=part, actor=manager)
        fulfilment_ship(
            fulfilment=part, actor=manager, carrier="Viettel Post", tracking_number="VTP999"
        )

    subjects = [message.subject for message in mail.outbox]
    assert len(subjects) == 2  # confirmed and shipped; packed is the cooperative's business
    assert all(message.to == [SHOPPER_EMAIL] for message in mail.outbox)
    assert "VTP999" in mail.outbox[1].body


def test_removing_a_line_in_the_console_tells_the_new_total(
    farm, django_capture_on_commit_callbacks
):
    from cooperatives.services.fulfillment import fulfilment_line_change

    jam = ProductFactory(
        cooperative=farm["tea"],
        title="Mứt gừng",
        net_weight_grams=100,
        stockrecords__price=Decimal("40000"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        order = place_order((farm["green_tea"], 1), (jam, 1), guest_email=SHOPPER_EMAIL)
    mail.outbox.clear()
    part = order.fulfilments.get()
    with django_capture_on_commit_callbacks(execute=True):
        fulfilment_line_change(
            fulfilment=part,
            line=order.lines.get(product=jam),
            quantity=0,
            actor=farm["manager"],
        )

    (message,) = mail.outbox
    assert "Mứt gừng" in message.body  # named in what changed
    assert "Mứt gừng ×" not in message.body  # no longer in the part
    assert "Chè búp Tân Cương × 1" in message.body
    assert f"155.000{NBSP}₫" in message.body  # 125.000 + 30.000 to pay on delivery
