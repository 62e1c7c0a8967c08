"""Managers are reminded of parts left unconfirmed and get a morning digest; once a day each."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from cooperatives import statuses
from cooperatives.models import Fulfilment, Notification
from cooperatives.services.fulfillment import fulfilment_payment_received, fulfilment_transition
from cooperatives.services.notifications import manager_digest, unconfirmed_reminders
from cooperatives.tasks import manager_digest_task, unconfirmed_reminders_task
from tests.factories import (
    CooperativeFactory,
    ProductFactory,
    UserFactory,
    WeightBasedFactory,
    place_order,
)

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
BANK = {"bank_bin": "970405", "bank_account_holder": "HTX THU NGHIEM"}


@pytest.fixture
def farms():
    tea_managers = [
        UserFactory(email="chi.tea@example.vn"),
        UserFactory(email="binh.tea@example.vn"),
    ]
    rice_manager = UserFactory(email="anh.rice@example.vn")
    tea = CooperativeFactory(
        name="HTX Chè Tân Cương", managers=tea_managers, bank_account_number="1111111111", **BANK
    )
    rice = CooperativeFactory(name="HTX Gạo Bắc Hương", managers=[rice_manager])
    for cooperative in (tea, rice):
        WeightBasedFactory(cooperative=cooperative)
    return {
        "tea": tea,
        "rice": rice,
        "tea_managers": tea_managers,
        "rice_manager": rice_manager,
        "green_tea": ProductFactory(cooperative=tea, title="Chè búp", net_weight_grams=300),
        "rice_bag": ProductFactory(cooperative=rice, title="Gạo nếp", net_weight_grams=300),
    }


def order_of(product, **kwargs):
    order = place_order((product, 1), **kwargs)
    return order, order.fulfilments.get()


def reminder_rows():
    return Notification.objects.filter(key__startswith="unconfirmed-reminder:")


def digest_rows():
    return Notification.objects.filter(key__startswith="manager-digest:")


# --- Reminders -------------------------------------------------------------------------------


def test_each_manager_is_reminded_once_of_an_old_new_part(farms, settings):
    settings.UNCONFIRMED_REMINDER_HOURS = 4
    order, part = order_of(farms["green_tea"])
    later = timezone.now() + 5 * HOUR

    first = unconfirmed_reminders(now=later)
    again = unconfirmed_reminders(now=later + 2 * HOUR)

    assert {n.recipient for n in first} == {"chi.tea@example.vn", "binh.tea@example.vn"}
    assert [n.pk for n in again] == [n.pk for n in first]  # the same day: nothing new
    assert all(str(order.number) in n.subject for n in first)
    assert all(n.order_id == order.pk for n in first)
    assert all(n.key.startswith(f"unconfirmed-reminder:{part.pk}:") for n in first)

    # The next days the morning digest lists it; no more reminders pile up.
    next_day = unconfirmed_reminders(now=later + 24 * HOUR)
    assert [n.pk for n in next_day] == [n.pk for n in first]


def test_young_and_confirmed_parts_are_not_reminded(farms, settings):
    settings.UNCONFIRMED_REMINDER_HOURS = 4
    _order, part = order_of(farms["green_tea"])
    assert unconfirmed_reminders(now=timezone.now() + 3 * HOUR) == []
    fulfilment_transition(fulfilment=part, to_status=statuses.CONFIRMED, actor=None)
    assert unconfirmed_reminders(now=timezone.now() + 5 * HOUR) == []


def test_only_the_parts_own_cooperative_is_reminded(farms):
    _order, part = order_of(farms["rice_bag"])
    reminders = unconfirmed_reminders(now=timezone.now() + 5 * HOUR)
    assert [n.recipient for n in reminders] == ["anh.rice@example.vn"]


def test_a_transfer_not_yet_paid_is_not_reminded_until_the_money_is_in(farms):
    _order, part = order_of(farms["green_tea"], payment_method="transfer")
    assert part.payment_status == statuses.PAYMENT_AWAITING
    assert unconfirmed_reminders(now=timezone.now() + 5 * HOUR) == []

    fulfilment_payment_received(fulfilment=part, actor=farms["tea_managers"][0])
    assert len(unconfirmed_reminders(now=timezone.now() + 5 * HOUR)) == 2


def test_the_task_sends_once_and_counts_what_it_queued(
    farms, django_capture_on_commit_callbacks, settings
):
    settings.UNCONFIRMED_REMINDER_HOURS = 0
    order_of(farms["green_tea"])
    order_of(farms["rice_bag"])
    Fulfilment.objects.update(created_at=timezone.now() - HOUR)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert unconfirmed_reminders_task.delay().get() == 3
    with django_capture_on_commit_callbacks(execute=True):
        assert unconfirmed_reminders_task.delay().get() == 0

    assert sorted(message.to[0] for message in mail.outbox) == [
        "anh.rice@example.vn",
        "binh.tea@example.vn",
        "chi.tea@example.vn",
    ]
    assert set(reminder_rows().values_list("status", flat=True)) == {Notification.SENT}


# --- The morning digest ----------------------------------------------------------------------


def test_the_digest_lists_what_waits_for_each_cooperative_only(farms):
    new_order, _new = order_of(farms["green_tea"])
    packed_order, packed = order_of(farms["green_tea"])
    for state in (statuses.CONFIRMED, statuses.PACKED):
        fulfilment_transition(fulfilment=packed, to_status=state, actor=None)
    rice_order, _rice = order_of(farms["rice_bag"])

    digests = manager_digest()

    by_recipient = {n.recipient: n for n in digests}
    assert set(by_recipient) == {
        "chi.tea@example.vn",
        "binh.tea@example.vn",
        "anh.rice@example.vn",
    }
    tea_body = by_recipient["chi.tea@example.vn"].body
    assert str(new_order.number) in tea_body and str(packed_order.number) in tea_body
    assert str(rice_order.number) not in tea_body
    assert str(new_order.number) not in by_recipient["anh.rice@example.vn"].body
    assert all(n.order_id is None for n in digests)


def test_a_cooperative_with_nothing_waiting_gets_no_digest(farms):
    _order, part = order_of(farms["green_tea"])
    for state in (statuses.CONFIRMED, statuses.PACKED, statuses.SHIPPED):
        fulfilment_transition(fulfilment=part, to_status=state, actor=None)
    _rice_order, rice = order_of(farms["rice_bag"])
    fulfilment_transition(fulfilment=rice, to_status=statuses.CANCELLED, actor=None)

    assert manager_digest() == []


def test_the_digest_task_sends_once_a_day(farms, django_capture_on_commit_callbacks):
    order_of(farms["rice_bag"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert manager_digest_task.delay().get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert manager_digest_task.delay().get() == 0
    assert [message.to for message in mail.outbox] == [["anh.rice@example.vn"]]

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert len(manager_digest(today=tomorrow)) == 1
    assert digest_rows().count() == 2
