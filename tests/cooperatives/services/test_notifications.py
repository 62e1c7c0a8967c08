"""Notifications of orders: what the shopper and each cooperative are told, sent once.

Celery runs eagerly in tests; e-mail lands in ``mail.outbox`` (locmem), SMS and ZNS go to
the console backends unless a test swaps them.
"""

from decimal import Decimal
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import translation

from cooperatives import channels, statuses
from cooperatives.channels import ChannelError, ConsoleSMSBackend, PermanentChannelError
from cooperatives.models import Fulfilment, Notification
from cooperatives.selectors import order_page_url
from cooperatives.services.fulfillment import fulfilment_cancel_by_shopper
from cooperatives.services.notifications import (
    fulfilment_cancelled_notifications,
    notification_send,
    order_placed_notifications,
)
from cooperatives.tasks import (
    fulfilment_cancelled_notify_task,
    notification_send_task,
    order_placed_notify_task,
)
from tests.factories import (
    CooperativeFactory,
    ProductFactory,
    UserFactory,
    WeightBasedFactory,
    delivery_address,
    place_order,
)

pytestmark = pytest.mark.django_db

NBSP = "\xa0"
BANK = {"bank_bin": "970405", "bank_account_holder": "HTX THU NGHIEM"}


@pytest.fixture
def farms():
    """Two cooperatives, one manager each, one product each; both deliver (≤1 kg 30.000 ₫)."""
    tea_manager = UserFactory(email="chi.tea@example.vn")
    rice_manager = UserFactory(email="anh.rice@example.vn")
    tea = CooperativeFactory(
        name="HTX Chè Tân Cương",
        managers=[tea_manager],
        bank_account_number="1111111111",
        **BANK,
    )
    rice = CooperativeFactory(
        name="HTX Gạo Bắc Hương",
        managers=[rice_manager],
        bank_account_number="2222222222",
        **BANK,
    )
    WeightBasedFactory(cooperative=tea)
    WeightBasedFactory(cooperative=rice)
    green_tea = ProductFactory(
        cooperative=tea, title="Chè búp Tân Cương", net_weight_grams=500
    )  # 125.000 ₫
    rice_bag = ProductFactory(
        cooperative=rice,
        title="Gạo nếp cái hoa vàng",
        net_weight_grams=400,
        stockrecords__price=Decimal("90000"),
    )
    return {
        "tea": tea,
        "rice": rice,
        "tea_manager": tea_manager,
        "rice_manager": rice_manager,
        "green_tea": green_tea,
        "rice_bag": rice_bag,
    }


def place(farms, capture, **kwargs):
    """Place a tea + rice order and run what it queues on commit (the notify task)."""
    kwargs.setdefault("guest_email", "lan@example.vn")
    with capture(execute=True):
        return place_order((farms["green_tea"], 1), (farms["rice_bag"], 2), **kwargs)


def mail_to(address: str):
    return [message for message in mail.outbox if message.to == [address]]


# --- What the shopper is told --------------------------------------------------------------


def test_shopper_email_lists_each_part_in_vietnamese_with_the_order_link(
    farms, django_capture_on_commit_callbacks
):
    order = place(farms, django_capture_on_commit_callbacks)

    (message,) = mail_to("lan@example.vn")
    assert str(order.number) in message.subject
    body = message.body
    assert f"Đơn hàng {order.number}" in body  # the shop's language, whatever the worker's
    for text in ("HTX Chè Tân Cương", "Chè búp Tân Cương × 1", f"125.000{NBSP}₫"):
        assert text in body
    for text in ("HTX Gạo Bắc Hương", "Gạo nếp cái hoa vàng × 2", f"180.000{NBSP}₫"):
        assert text in body
    # Each part's total (goods + its own shipping) is what the carrier collects in cash.
    assert f"155.000{NBSP}₫" in body
    assert f"210.000{NBSP}₫" in body
    assert f"365.000{NBSP}₫" in body  # the whole order
    assert order_page_url(order) in body
    assert "&amp;" not in body and "&#x27;" not in body  # plain text, not HTML-escaped


def test_shopper_browsing_in_english_is_still_written_to_in_vietnamese(
    farms, django_capture_on_commit_callbacks
):
    with translation.override("en"):
        order = place(farms, django_capture_on_commit_callbacks)
    (message,) = mail_to("lan@example.vn")
    assert f"Đơn hàng {order.number}" in message.body
    assert f"Order {order.number}" not in message.body


def test_transfer_order_tells_the_shopper_each_cooperative_account_and_note(
    farms, django_capture_on_commit_callbacks
):
    order = place(farms, django_capture_on_commit_callbacks, payment_method="transfer")

    parts = {part.cooperative: part for part in order.fulfilments.all()}
    (message,) = mail_to("lan@example.vn")
    for cooperative, account in ((farms["tea"], "1111111111"), (farms["rice"], "2222222222")):
        assert parts[cooperative].transfer_note in message.body
        assert account in message.body


def test_sms_to_the_shopper_phone_when_no_zns_template_is_approved(
    farms, django_capture_on_commit_callbacks, capsys
):
    order = place(farms, django_capture_on_commit_callbacks)

    sms = Notification.objects.get(key=f"order-placed:{order.number}:shopper:phone")
    assert sms.channel == channels.SMS
    assert sms.recipient == "+84912345678"
    assert sms.status == Notification.SENT
    assert str(order.number) in sms.body and order_page_url(order) in sms.body
    assert "365.000 VND" in sms.body
    assert sms.body.isascii()  # no diacritics: one 160-character part, not 70
    assert f"SMS to +84912345678 [{sms.key}]" in capsys.readouterr().out


def test_zns_instead_of_sms_once_a_template_is_approved(
    farms, django_capture_on_commit_callbacks, settings, capsys
):
    settings.ZNS_TEMPLATES = {"order_placed": "231234"}
    order = place(farms, django_capture_on_commit_callbacks)

    zns = Notification.objects.get(key=f"order-placed:{order.number}:shopper:phone")
    assert zns.channel == channels.ZNS
    assert zns.template_id == "231234"
    assert zns.data["order_code"] == str(order.number)
    assert zns.data["total"] == 365000
    assert zns.data["customer_name"] == "Hoàng Thị Lan"
    assert zns.status == Notification.SENT
    assert not Notification.objects.filter(order=order, channel=channels.SMS).exists()
    assert "ZNS to 84912345678" in capsys.readouterr().out


# --- What each cooperative is told ---------------------------------------------------------


def test_each_manager_sees_only_their_own_part(farms, django_capture_on_commit_callbacks):
    order = place(
        farms,
        django_capture_on_commit_callbacks,
        address=delivery_address(notes="Gọi trước khi giao & để ở cổng"),
    )

    (tea_mail,) = mail_to("chi.tea@example.vn")
    (rice_mail,) = mail_to("anh.rice@example.vn")
    assert str(order.number) in tea_mail.subject and "HTX Chè Tân Cương" in tea_mail.subject

    tea_body = tea_mail.body
    assert "Chè búp Tân Cương × 1" in tea_body
    assert f"155.000{NBSP}₫" in tea_body  # the part's total, to collect in cash
    assert "Gạo nếp cái hoa vàng" not in tea_body
    assert "HTX Gạo Bắc Hương" not in tea_body
    assert f"210.000{NBSP}₫" not in tea_body and f"365.000{NBSP}₫" not in tea_body
    # Who to deliver to and call.
    assert "Hoàng Thị Lan" in tea_body
    assert "0912 345 678" in tea_body
    assert "Thôn Pác Ngòi, Xã Ba Bể, Thái Nguyên" in tea_body
    assert "Gọi trước khi giao & để ở cổng" in tea_body

    assert "Gạo nếp cái hoa vàng × 2" in rice_mail.body
    assert "Chè búp Tân Cương" not in rice_mail.body
    assert "HTX Chè Tân Cương" not in rice_mail.body


def test_transfer_note_reaches_only_its_own_cooperative(farms, django_capture_on_commit_callbacks):
    order = place(farms, django_capture_on_commit_callbacks, payment_method="transfer")
    parts = {part.cooperative: part for part in order.fulfilments.all()}

    (tea_mail,) = mail_to("chi.tea@example.vn")
    assert parts[farms["tea"]].transfer_note in tea_mail.body
    assert parts[farms["rice"]].transfer_note not in tea_mail.body


def test_every_manager_with_an_address_gets_one_and_those_without_none(
    farms, django_capture_on_commit_callbacks
):
    second = UserFactory(email="binh.tea@example.vn")
    no_address = UserFactory(email="")
    farms["tea"].partner.users.add(second, no_address)

    order = place(farms, django_capture_on_commit_callbacks)

    assert len(mail_to("chi.tea@example.vn")) == 1
    assert len(mail_to("binh.tea@example.vn")) == 1
    assert not Notification.objects.filter(
        order=order, key__contains=f":manager:{no_address.pk}:"
    ).exists()


def test_a_cooperative_without_manager_addresses_is_written_at_its_own(
    farms, django_capture_on_commit_callbacks
):
    farms["rice"].partner.users.clear()
    farms["rice"].email = "htx.gao@example.vn"
    farms["rice"].save()

    place(farms, django_capture_on_commit_callbacks)

    (message,) = mail_to("htx.gao@example.vn")
    assert "Gạo nếp cái hoa vàng × 2" in message.body
    assert "Chè búp Tân Cương" not in message.body


# --- Sent once -----------------------------------------------------------------------------


def test_running_the_task_twice_sends_once(farms, django_capture_on_commit_callbacks):
    order = place(farms, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 3  # shopper, tea manager, rice manager
    keys = set(Notification.objects.filter(order=order).values_list("key", flat=True))
    assert len(keys) == 4  # and the shopper's SMS

    with django_capture_on_commit_callbacks(execute=True):
        order_placed_notify_task.delay(order_id=order.pk)

    assert len(mail.outbox) == 3
    rows = Notification.objects.filter(order=order)
    assert set(rows.values_list("key", flat=True)) == keys
    assert {(row.status, row.attempts) for row in rows} == {(Notification.SENT, 1)}


def test_the_service_returns_the_same_rows_the_second_time(farms):
    order = place_order((farms["green_tea"], 1), guest_email="lan@example.vn")  # tasks not run

    first = order_placed_notifications(order=order)
    second = order_placed_notifications(order=order)

    assert [n.pk for n in first] == [n.pk for n in second]
    assert Notification.objects.filter(order=order).count() == len(first) == 3
    assert mail.outbox == []  # writing them sends nothing


def test_sending_a_sent_notification_again_sends_nothing(farms):
    order = place_order((farms["green_tea"], 1), guest_email="lan@example.vn")
    email = order_placed_notifications(order=order)[0]

    assert notification_send_task.delay(notification_id=email.pk).get() is True
    assert notification_send_task.delay(notification_id=email.pk).get() is False
    assert notification_send(notification_id=email.pk) is False

    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.status == Notification.SENT and email.attempts == 1
    assert email.sent_at is not None and email.provider_reference.startswith("<")


def test_an_order_that_is_gone_is_left_alone():
    assert order_placed_notify_task.delay(order_id=987654).get() is None
    assert fulfilment_cancelled_notify_task.delay(fulfilment_id=987654).get() is None
    assert notification_send(notification_id=987654) is False


def _phone_message(order) -> Notification:
    (sms,) = [n for n in order_placed_notifications(order=order) if n.channel == channels.SMS]
    return sms


class DownBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")


def test_a_failing_channel_keeps_it_pending_and_a_later_run_sends_once(farms, settings):
    order = place_order((farms["green_tea"], 1), guest_email="lan@example.vn")
    email = order_placed_notifications(order=order)[0]
    assert email.channel == channels.EMAIL

    settings.EMAIL_BACKEND = f"{__name__}.DownBackend"
    for _attempt in range(2):
        with pytest.raises(ChannelError):
            notification_send(notification_id=email.pk)
    email.refresh_from_db()
    assert email.status == Notification.PENDING
    assert email.attempts == 2
    assert "Connection refused" in email.last_error
    assert mail.outbox == []

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notification_send(notification_id=email.pk) is True
    assert notification_send(notification_id=email.pk) is False

    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.status == Notification.SENT
    assert email.attempts == 3


class FlakySMSBackend(ConsoleSMSBackend):
    calls = 0

    def send(self, **kwargs):
        type(self).calls += 1
        raise ChannelError("gateway timeout")


def test_the_task_retries_a_failing_channel_and_gives_up_after_eight_retries(farms, settings):
    order = place_order((farms["green_tea"], 1))  # tasks not run
    sms = _phone_message(order)
    settings.SMS_BACKEND = f"{__name__}.FlakySMSBackend"
    FlakySMSBackend.calls = 0

    # A worker would schedule the retry with backoff; eager Celery raises it instead.
    with pytest.raises(Retry) as retry:
        notification_send_task.delay(notification_id=sms.pk)
    assert isinstance(retry.value.exc, ChannelError)
    # The eighth retry is the last: its error is raised and nothing more is scheduled.
    with pytest.raises(ChannelError):
        notification_send_task.apply(kwargs={"notification_id": sms.pk}, retries=8)

    sms.refresh_from_db()
    assert FlakySMSBackend.calls == 2
    assert sms.status == Notification.PENDING
    assert sms.attempts == 2
    assert sms.last_error == "ChannelError: gateway timeout"


class RefusingSMSBackend(ConsoleSMSBackend):
    calls = 0

    def send(self, **kwargs):
        type(self).calls += 1
        raise PermanentChannelError("phone number is blocked")


def test_a_permanent_failure_marks_it_failed_and_it_is_not_tried_again(farms, settings):
    order = place_order((farms["green_tea"], 1))
    sms = _phone_message(order)
    settings.SMS_BACKEND = f"{__name__}.RefusingSMSBackend"
    RefusingSMSBackend.calls = 0

    assert notification_send_task.delay(notification_id=sms.pk).get() is False
    assert notification_send_task.delay(notification_id=sms.pk).get() is False

    sms.refresh_from_db()
    assert RefusingSMSBackend.calls == 1
    assert sms.status == Notification.FAILED
    assert sms.attempts == 1
    assert "blocked" in sms.last_error
    assert sms.sent_at is None


def test_the_notify_task_sends_what_is_still_waiting_itself(farms):
    order = place_order((farms["green_tea"], 1), guest_email="lan@example.vn")
    rows = order_placed_notifications(order=order)
    notification_send(notification_id=rows[0].pk)  # the shopper's e-mail went already
    mail.outbox.clear()

    with mock.patch.object(notification_send_task, "apply_async") as queued:
        order_placed_notify_task(order_id=order.pk)

    queued.assert_not_called()  # no task per message (delay() is apply_async() too)
    assert {row.status for row in Notification.objects.filter(order=order)} == {Notification.SENT}
    assert len(mail.outbox) == len([row for row in rows[1:] if row.channel == channels.EMAIL])


def test_a_message_its_provider_refuses_for_now_is_retried_by_its_own_task(farms, settings):
    order = place_order((farms["green_tea"], 1), guest_email="lan@example.vn")
    settings.SMS_BACKEND = f"{__name__}.FlakySMSBackend"
    FlakySMSBackend.calls = 0
    mail.outbox.clear()

    with mock.patch.object(notification_send_task, "apply_async") as queued:
        order_placed_notify_task(order_id=order.pk)

    sms = _phone_message(order)
    assert (sms.status, sms.attempts) == (Notification.PENDING, 1)  # tried once here
    # Its task takes over as its first retry, after Celery's backoff for one.
    [call] = queued.call_args_list
    assert call.kwargs["kwargs"] == {"notification_id": sms.pk}
    assert call.kwargs["retries"] == 1
    assert 0 <= call.kwargs["countdown"] <= 1
    # The others went meanwhile.
    others = Notification.objects.filter(order=order).exclude(pk=sms.pk)
    assert others and {row.status for row in others} == {Notification.SENT}
    assert len(mail.outbox) == others.count()


# --- A part cancelled by the shopper -------------------------------------------------------


def test_shopper_cancelling_a_part_tells_that_cooperative_once(
    farms, django_capture_on_commit_callbacks
):
    order = place(farms, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    tea_part = Fulfilment.objects.get(order=order, cooperative=farms["tea"])

    with django_capture_on_commit_callbacks(execute=True):
        fulfilment_cancel_by_shopper(fulfilment=tea_part, note="Tôi đặt nhầm")

    (message,) = mail.outbox
    assert message.to == ["chi.tea@example.vn"]
    assert str(order.number) in message.subject
    assert "Chè búp Tân Cương × 1" in message.body
    assert "Tôi đặt nhầm" in message.body
    assert "0912 345 678" in message.body
    assert "Gạo nếp cái hoa vàng" not in message.body

    with django_capture_on_commit_callbacks(execute=True):
        fulfilment_cancelled_notify_task.delay(fulfilment_id=tea_part.pk)
    assert len(mail.outbox) == 1


def test_a_part_that_is_not_cancelled_tells_nobody(farms):
    order = place_order((farms["green_tea"], 1))
    part = order.fulfilments.get()
    assert part.status == statuses.NEW
    assert fulfilment_cancelled_notifications(fulfilment=part) == []
