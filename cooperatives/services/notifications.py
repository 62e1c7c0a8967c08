"""Messages about orders to shoppers and cooperatives: written once, sent once.

The ``*_notifications`` services decide what to tell whom and write one ``Notification``
row per message, keyed by what it is about and who gets it, so running them again writes
nothing new. ``notification_send`` sends one row through its channel
(``cooperatives/channels.py``). Tasks call both (``cooperatives/tasks.py``); nothing here
talks to Celery.

Messages are written in the shop's language (``LANGUAGE_CODE``, Vietnamese) whatever
language the request or worker happens to be in: a shopper who browsed in English still
gets the cooperative's part in Vietnamese, as the cooperative's managers read it.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cooperatives import channels, statuses
from cooperatives.channels import ChannelError, PermanentChannelError, channel_for
from cooperatives.models import Cooperative, Fulfilment, Notification
from cooperatives.selectors import order_page_url, order_parts
from payment import methods as payment_methods

TEMPLATES = "cooperatives/notifications/"
# notification_send_task retries 8 times after the first try; after that a person looks.
MAX_ATTEMPTS = 9


# --- Sending -------------------------------------------------------------------------------


def notification_send(*, notification_id: int) -> bool:
    """Send one notification through its channel, unless it has gone already.

    Returns True when this call sent it, False when there was nothing to send (sent
    before, given up as failed, or deleted). The row stays locked while the provider is
    called, so two workers running the same task at once send it once: the second waits,
    then finds it sent.

    On ``ChannelError`` the attempt and its error are saved, the row stays pending and the
    error is raised again for the task to retry. On ``PermanentChannelError`` the row is
    marked failed and never tried again.

    This is at least once, not exactly once. If the worker dies, or the database fails,
    after the provider accepted the message but before this transaction commits, the row
    is still pending and the redelivered task sends the message a second time. To narrow
    that, the notification's key goes to the provider as its idempotency or tracking id
    where it takes one: ZNS ``tracking_id`` (traces a duplicate to its notification),
    the SMS gateway's ``request_id`` (gateways that refuse a repeated id drop it) and
    the e-mail's ``Message-ID``, derived from the key (mailboxes that drop a repeated
    Message-ID show it once). tests/faults/test_worker_killed.py shows each case.
    """
    # Not @transaction.atomic: a failed attempt must be committed before its error is
    # raised again, or the rollback would erase the attempt count and the error.
    with transaction.atomic():
        notification = Notification.objects.select_for_update().filter(pk=notification_id).first()
        if notification is None or notification.status != Notification.PENDING:
            return False
        notification.attempts += 1
        try:
            reference = channel_for(notification.channel).send(notification=notification)
        except PermanentChannelError as error:
            notification.status = Notification.FAILED
            notification.last_error = _error_text(error)
            _save(notification)
            return False
        except ChannelError as error:
            notification.last_error = _error_text(error)
            _save(notification)
            retry = error
        else:
            notification.status = Notification.SENT
            notification.sent_at = timezone.now()
            notification.provider_reference = (reference or "")[:128]
            _save(notification)
            return True
    raise retry


def _error_text(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def _save(notification: Notification) -> None:
    # The key is unique already (the row exists); the rest is checked before it is written.
    # Not its order, which the row was written with: checking it is one more query.
    notification.full_clean(exclude=["order"], validate_unique=False)
    notification.save()


# --- What a new order tells whom ---------------------------------------------------------


@transaction.atomic
def order_placed_notifications(*, order) -> list[Notification]:
    """The messages of a new order, created once; a second call returns the same rows.

    To the shopper: an e-mail listing each cooperative's part (goods, shipping, the part's
    total, cash to pay on delivery or the transfer to make) and the order page's link, if
    the order has an e-mail address; and a short message to the delivery phone, by Zalo
    ZNS when an ``order_placed`` template is approved (``ZNS_TEMPLATES``), else by SMS.

    To each cooperative: an e-mail to each of its managers with an address, with its own
    part only (never another cooperative's goods or totals) and who to deliver to. A
    cooperative whose managers have no address is written at its own e-mail, if any.

    The approved ZNS template takes ``customer_name``, ``order_code``, ``order_date``,
    ``total`` (whole đồng) and ``payment_method``.
    """
    existing = {n.key: n for n in Notification.objects.filter(order=order)}
    prefix = f"order-placed:{order.number}"
    with translation.override(settings.LANGUAGE_CODE):
        context = _order_context(order)
        notifications = []

        if order.email:
            notifications.append(
                _notification_ensure(
                    existing,
                    key=f"{prefix}:shopper:email",
                    build=lambda: {
                        "channel": channels.EMAIL,
                        "recipient": order.email,
                        "subject": _("Chợ Phiên: your order %(number)s") % {"number": order.number},
                        "body": _render("order_placed_shopper.txt", context),
                        "order": order,
                    },
                )
            )

        phone = order.shipping_address.phone_number if order.shipping_address else None
        if phone:
            # One message to the phone, whichever channel: a template approved later must
            # not send a second one for an order already told by SMS.
            notifications.append(
                _notification_ensure(
                    existing,
                    key=f"{prefix}:shopper:phone",
                    build=lambda: _shopper_phone_message(order, phone, context),
                )
            )

        for part in context["parts"]:
            cooperative = part["cooperative"]
            # Only this cooperative's part goes into its managers' context.
            own = {**context, "parts": None, "part": part, "cooperative": cooperative}
            for who, address in _cooperative_addresses(cooperative):
                notifications.append(
                    _notification_ensure(
                        existing,
                        key=f"{prefix}:cooperative:{cooperative.pk}:{who}:email",
                        build=lambda address=address, own=own, cooperative=cooperative: {
                            "channel": channels.EMAIL,
                            "recipient": address,
                            "subject": _("New order %(number)s for %(cooperative)s")
                            % {"number": order.number, "cooperative": cooperative.name},
                            "body": _render("order_placed_cooperative.txt", own),
                            "order": order,
                        },
                    )
                )
    return notifications


def _shopper_phone_message(order, phone, context: dict) -> dict:
    text = _render("order_placed_sms.txt", context).strip()
    template_id = settings.ZNS_TEMPLATES.get("order_placed", "")
    if template_id:
        return {
            "channel": channels.ZNS,
            "recipient": phone.as_e164,
            "template_id": template_id,
            "data": {
                "customer_name": context["shopper_name"],
                "order_code": str(order.number),
                "order_date": formats.date_format(
                    timezone.localtime(order.date_placed), "SHORT_DATE_FORMAT"
                ),
                "total": int(order.total_incl_tax),
                "payment_method": str(context["payment_label"]),
            },
            "body": text,  # what the template says, kept for people reading the log
            "order": order,
        }
    return {
        "channel": channels.SMS,
        "recipient": phone.as_e164,
        "body": _sms_text(text),
        "order": order,
    }


# --- A part cancelled by the shopper -------------------------------------------------------


@transaction.atomic
def fulfilment_cancelled_notifications(*, fulfilment: Fulfilment) -> list[Notification]:
    """Tell the cooperative's managers that their part is cancelled, once.

    Cancelled by the shopper from the order page, or by the shop because the money did
    not come in time (transfer or card).

    Nothing for a part that is not cancelled. The e-mail lists the part's goods (back on
    the shelf: not to pack), the shopper's note and whom to call, and says when money
    already received has to go back.
    """
    if fulfilment.status != statuses.CANCELLED:
        return []
    order = fulfilment.order
    cooperative = fulfilment.cooperative
    existing = {n.key: n for n in Notification.objects.filter(order=order)}
    prefix = f"fulfilment-cancelled:{fulfilment.pk}"
    cancelled = _cancel_event(fulfilment)
    by_shopper = cancelled is not None and cancelled.channel == statuses.CHANNEL_SHOPPER
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "by_shopper": by_shopper,
            "not_paid": fulfilment.payment_status == statuses.PAYMENT_EXPIRED,
            # Money may have left the shopper's bank before they cancelled: only the
            # cooperative's own account shows it.
            "check_transfer": order.payment_method == payment_methods.TRANSFER
            and fulfilment.payment_status == statuses.PAYMENT_VOID,
            **_shopper_context(order),
            "order": order,
            "currency": order.currency,
            "cooperative": cooperative,
            "fulfilment": fulfilment,
            "lines": list(order.lines.filter(partner=cooperative.partner).order_by("pk")),
            "note": cancelled.note if by_shopper else "",
            "refund_transfer": fulfilment.payment_status == statuses.PAYMENT_RECEIVED,
            "refund_card": fulfilment.payment_status == statuses.PAYMENT_PAID,
            "console_url": _console_url(),
        }
        if by_shopper:
            subject = _("Order %(number)s: the shopper cancelled the part of %(cooperative)s")
        else:
            subject = _("Order %(number)s: the part of %(cooperative)s is cancelled")
        subject = subject % {"number": order.number, "cooperative": cooperative.name}
        return [
            _notification_ensure(
                existing,
                key=f"{prefix}:{who}:email",
                build=lambda address=address: {
                    "channel": channels.EMAIL,
                    "recipient": address,
                    "subject": subject,
                    "body": _render("fulfilment_cancelled_cooperative.txt", context),
                    "order": order,
                },
            )
            for who, address in _cooperative_addresses(cooperative)
        ]


def _cancel_event(fulfilment: Fulfilment):
    return (
        fulfilment.events.filter(kind=statuses.EVENT_STATUS, to_state=statuses.CANCELLED)
        .order_by("-created_at", "-pk")
        .first()
    )


# --- Helpers ---------------------------------------------------------------------------------


def _notification_ensure(
    existing: dict[str, Notification], *, key: str, build: Callable[[], dict]
) -> Notification:
    """The notification called ``key``: the one written before, or a new one from ``build``."""
    if key in existing:
        return existing[key]
    fields = build()
    fields["subject"] = fields.get("subject", "")[:200]
    notification = Notification(key=key, **fields)
    # The order is the one just read (checking it exists is one more query); the unique
    # index settles a race below.
    notification.full_clean(exclude=["order"], validate_unique=False)
    try:
        with transaction.atomic():  # a savepoint, so a lost race leaves the caller's intact
            notification.save()
    except IntegrityError:
        # The same task ran twice at once and the other run wrote it first.
        return Notification.objects.get(key=key)
    return notification


def _order_context(order) -> dict:
    try:
        payment_label = payment_methods.payment_method(order.payment_method).label
    except KeyError:
        payment_label = order.payment_method
    return {
        **_shopper_context(order),
        "order": order,
        "currency": order.currency,
        "parts": order_parts(order=order),
        "payment_label": payment_label,
        "is_cod": order.payment_method == payment_methods.COD,
        "is_card": order.payment_method == payment_methods.CARD,
        "order_url": order_page_url(order),
        "console_url": _console_url(),
    }


def _shopper_context(order) -> dict:
    address = order.shipping_address
    if address is None:
        return {"shopper_name": "", "shopper_phone": "", "address_text": "", "delivery_note": ""}
    return {
        "shopper_name": address.first_name,
        "shopper_phone": _phone_display(address.phone_number),
        "address_text": ", ".join(
            part for part in (address.line1, address.commune_name, address.province_name) if part
        ),
        "delivery_note": address.notes,
    }


def _phone_display(phone) -> str:
    """0912 345 678 for a Vietnamese number, as managers dial it; +… for a foreign one."""
    if not phone:
        return ""
    return phone.as_national if phone.country_code == 84 else phone.as_international


def _console_url() -> str:
    return settings.SHOP_BASE_URL + reverse("manager:home")


def _cooperative_addresses(cooperative: Cooperative) -> list[tuple[str, str]]:
    """Who at the cooperative gets its e-mail: (key part, address), managers first."""
    addresses, seen = [], set()
    managers = cooperative.partner.users.filter(is_active=True).exclude(email="").order_by("pk")
    for user in managers:
        if user.email.lower() not in seen:
            seen.add(user.email.lower())
            addresses.append((f"manager:{user.pk}", user.email))
    if not addresses and cooperative.email:
        # Onboarded before any manager has an address: the order must still reach someone.
        addresses.append(("cooperative", cooperative.email))
    return addresses


def _render(template: str, context: dict) -> str:
    """A plain-text message from ``templates/cooperatives/notifications/``.

    Templates are laid out for the people who edit them; the message keeps no trailing
    spaces and no more than one blank line in a row.
    """
    text = render_to_string(TEMPLATES + template, context)
    text = "\n".join(line.rstrip() for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _sms_text(text: str) -> str:
    """One line without diacritics, as Vietnamese brandname SMS are sent.

    With any letter outside the GSM alphabet (ợ, ₫) an SMS becomes Unicode: 70
    characters a part instead of 160, each part billed, and some carriers refuse it on
    brandname routes.
    """
    text = text.replace("₫", "VND").replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFD", text)
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.split())


def notifications_waiting(*, older_than: datetime.timedelta) -> list[int]:
    """Ids of messages still unsent this long after they were made, with tries left.

    Their task was lost (the broker was down when it was queued) or gave up for now;
    sending again is safe because ``notification_send`` sends each message once.
    """
    cutoff = timezone.now() - older_than
    return list(
        Notification.objects.filter(
            status=Notification.PENDING, created_at__lt=cutoff, attempts__lt=MAX_ATTEMPTS
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )


def orders_unannounced(
    *, older_than: datetime.timedelta, within: datetime.timedelta = datetime.timedelta(days=2)
) -> list[int]:
    """Ids of recent orders nobody was told about: their task was lost before it ran.

    Every order has a shopper's phone, so an order without any notification row is one
    whose ``order_placed_notify_task`` never ran (the broker was down at checkout).
    """
    from order.models import Order

    now = timezone.now()
    return list(
        Order.objects.filter(
            date_placed__lt=now - older_than,
            date_placed__gte=now - within,
            notifications__isnull=True,
        )
        .order_by("date_placed")
        .values_list("pk", flat=True)[:500]
    )


def cancellations_unannounced(
    *, older_than: datetime.timedelta, within: datetime.timedelta = datetime.timedelta(days=2)
) -> list[int]:
    """Ids of parts cancelled recently whose cooperative has no cancellation message yet."""
    from django.db.models import CharField, Exists, OuterRef, Value
    from django.db.models.functions import Cast, Concat

    now = timezone.now()
    told = Notification.objects.filter(
        key__startswith=Concat(
            Value("fulfilment-cancelled:"),
            Cast(OuterRef("pk"), CharField()),
            Value(":"),
            output_field=CharField(),
        )
    )
    return list(
        Fulfilment.objects.filter(
            status=statuses.CANCELLED,
            updated_at__lt=now - older_than,
            updated_at__gte=now - within,
        )
        .exclude(Exists(told))
        .order_by("updated_at")
        .values_list("pk", flat=True)[:500]
    )


# --- A step of a part the shopper hears of (the console's actions) ---------------------------

# The steps a shopper is told about, by the state the part moved to, and what each is
# called in templates and in ``ZNS_TEMPLATES``. Packed and returned are the cooperative's
# own business; payments the shopper made themselves.
SHOPPER_STEPS = {
    statuses.CONFIRMED: "fulfilment_confirmed",
    statuses.SHIPPED: "fulfilment_shipped",
    statuses.DELIVERED: "fulfilment_delivered",
    statuses.CANCELLED: "fulfilment_cancelled",
}
STEP_CHANGED = "fulfilment_changed"


def _shopper_step(event) -> str:
    """What the shopper is told of ``event``: a step name, or "" for nothing."""
    if event.channel == statuses.CHANNEL_SHOPPER:
        return ""  # they did it themselves, on their order page
    if event.kind == statuses.EVENT_STATUS:
        return SHOPPER_STEPS.get(event.to_state, "")
    if event.kind == statuses.EVENT_CHANGE:
        return STEP_CHANGED
    return ""  # payment events: money the shopper sent, or the carrier collected


@transaction.atomic
def fulfilment_event_notifications(*, event) -> list[Notification]:
    """Tell the shopper of one step of a cooperative's part of their order, once.

    The shopper hears of their part being confirmed ("chốt đơn"), shipped (carrier and
    tracking number), delivered, cancelled by the cooperative (with its reason) and of a
    line changed or removed (the part's new total and the cash to pay on delivery). An
    e-mail if the order has an address, and a message to the delivery phone: Zalo ZNS when
    ``ZNS_TEMPLATES`` names a template for the step, else SMS.

    Nothing for steps the shopper does not need (packed, returned, payments) or took
    themselves. Keys are ``fulfilment-event:<event id>:shopper:<email|phone>``, so a task
    that runs twice sends once.

    The approved ZNS templates take ``customer_name``, ``order_code``, ``cooperative``,
    ``status``, ``total`` and ``cod_amount`` (whole đồng), ``carrier``,
    ``tracking_number`` and ``note``.
    """
    step = _shopper_step(event)
    if not step:
        return []
    fulfilment = event.fulfilment
    order = fulfilment.order
    cooperative = fulfilment.cooperative
    prefix = f"fulfilment-event:{event.pk}:shopper"
    existing = {n.key: n for n in Notification.objects.filter(key__startswith=prefix + ":")}
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            **_shopper_context(order),
            "step": step,
            "event": event,
            "order": order,
            "currency": order.currency,
            "cooperative": cooperative,
            "fulfilment": fulfilment,
            "lines": list(
                order.lines.filter(partner_id=cooperative.partner_id, quantity__gt=0).order_by("pk")
            ),
            "is_cod": order.payment_method == payment_methods.COD,
            "order_url": order_page_url(order),
        }
        subject = {
            "fulfilment_confirmed": _("Order %(number)s: %(cooperative)s confirmed your order"),
            "fulfilment_shipped": _("Order %(number)s: %(cooperative)s sent your parcel"),
            "fulfilment_delivered": _("Order %(number)s: the parcel of %(cooperative)s arrived"),
            "fulfilment_cancelled": _("Order %(number)s: the part of %(cooperative)s is cancelled"),
            STEP_CHANGED: _("Order %(number)s: %(cooperative)s changed your order"),
        }[step] % {"number": order.number, "cooperative": cooperative.name}
        notifications = []
        if order.email:
            notifications.append(
                _notification_ensure(
                    existing,
                    key=f"{prefix}:email",
                    build=lambda: {
                        "channel": channels.EMAIL,
                        "recipient": order.email,
                        "subject": subject,
                        "body": _render(f"{step}_shopper.txt", context),
                        "order": order,
                    },
                )
            )
        phone = order.shipping_address.phone_number if order.shipping_address else None
        if phone:
            notifications.append(
                _notification_ensure(
                    existing,
                    key=f"{prefix}:phone",
                    build=lambda: _step_phone_message(step, phone, context),
                )
            )
    return notifications


def _step_phone_message(step: str, phone, context: dict) -> dict:
    order, fulfilment, event = context["order"], context["fulfilment"], context["event"]
    text = _render("fulfilment_step_sms.txt", context).strip()
    template_id = settings.ZNS_TEMPLATES.get(step, "")
    if template_id:
        return {
            "channel": channels.ZNS,
            "recipient": phone.as_e164,
            "template_id": template_id,
            "data": {
                "customer_name": context["shopper_name"],
                "order_code": str(order.number),
                "cooperative": context["cooperative"].name,
                "status": fulfilment.get_status_display(),
                "total": int(fulfilment.total),
                "cod_amount": int(fulfilment.cod_amount),
                "carrier": fulfilment.carrier,
                "tracking_number": fulfilment.tracking_number,
                "note": event.note[:200],
            },
            "body": text,
            "order": order,
        }
    return {
        "channel": channels.SMS,
        "recipient": phone.as_e164,
        "body": _sms_text(text),
        "order": order,
    }


# --- Reminders and the morning digest for managers -------------------------------------------


def _awaiting_confirmation(queryset):
    """Parts a manager should confirm now: new, and not still waiting for prepayment.

    A transfer or card part whose money has not been seen is left out: the cooperative is
    told to wait for the money before sending, and the part is cancelled by itself when
    the money does not come (``payments_expire``); reminding about it would only nag.
    """
    return queryset.filter(status=statuses.NEW).exclude(payment_status=statuses.PAYMENT_AWAITING)


@transaction.atomic
def unconfirmed_reminders(*, now: datetime.datetime | None = None) -> list[Notification]:
    """Remind each cooperative's managers of parts still new after a few hours.

    A part counts once it is older than ``UNCONFIRMED_REMINDER_HOURS`` and not waiting for
    a transfer or card payment. One e-mail per manager per part, once: the morning digest
    lists what still waits every day, so a daily reminder per order would only bury it.
    """
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(hours=settings.UNCONFIRMED_REMINDER_HOURS)
    parts = list(
        _awaiting_confirmation(Fulfilment.objects.filter(created_at__lt=cutoff))
        .select_related("order", "order__shipping_address", "cooperative__partner")
        .order_by("cooperative_id", "created_at", "pk")
    )
    if not parts:
        return []
    existing = {
        n.key: n
        for n in Notification.objects.filter(
            key__startswith="unconfirmed-reminder:",
            order_id__in={fulfilment.order_id for fulfilment in parts},
        )
    }
    addresses: dict[int, list[tuple[str, str]]] = {}
    notifications = []
    with translation.override(settings.LANGUAGE_CODE):
        for fulfilment in parts:
            cooperative = fulfilment.cooperative
            if cooperative.pk not in addresses:
                addresses[cooperative.pk] = _cooperative_addresses(cooperative)
            order = fulfilment.order
            context = {
                **_shopper_context(order),
                "order": order,
                "currency": order.currency,
                "cooperative": cooperative,
                "fulfilment": fulfilment,
                "hours": int((now - fulfilment.created_at).total_seconds() // 3600),
                "console_url": _console_url(),
            }
            subject = _("Reminder: order %(number)s waits for %(cooperative)s to confirm") % {
                "number": order.number,
                "cooperative": cooperative.name,
            }
            for who, address in addresses[cooperative.pk]:
                notifications.append(
                    _notification_ensure(
                        existing,
                        key=f"unconfirmed-reminder:{fulfilment.pk}:{who}",
                        build=lambda address=address, context=context, subject=subject: {
                            "channel": channels.EMAIL,
                            "recipient": address,
                            "subject": subject,
                            "body": _render("unconfirmed_reminder_cooperative.txt", context),
                            "order": context["order"],
                        },
                    )
                )
    return notifications


# Parts listed by name in the digest, per list; the rest are counted.
DIGEST_LIST_LIMIT = 30


@transaction.atomic
def manager_digest(*, today: datetime.date | None = None) -> list[Notification]:
    """The morning e-mail to each cooperative's managers: what waits for them today.

    Counts of open parts by state, and the parts to confirm, to pack and to hand to the
    carrier. A cooperative with nothing to confirm, pack or ship gets nothing. One e-mail
    per manager per cooperative per day (``manager-digest:<cooperative>:<date>:<who>``).
    """
    today = today or timezone.localdate()
    open_states = (statuses.NEW, statuses.CONFIRMED, statuses.PACKED, statuses.SHIPPED)
    parts = (
        Fulfilment.objects.filter(status__in=open_states)
        .select_related("order", "order__shipping_address", "cooperative__partner")
        .order_by("cooperative_id", "created_at", "pk")
    )
    by_cooperative: dict[int, list[Fulfilment]] = {}
    for fulfilment in parts:
        by_cooperative.setdefault(fulfilment.cooperative_id, []).append(fulfilment)
    existing = {
        n.key: n
        for n in Notification.objects.filter(
            key__startswith="manager-digest:", order__isnull=True
        ).filter(key__contains=f":{today.isoformat()}:")
    }
    labels = dict(statuses.FULFILMENT_CHOICES)
    notifications = []
    with translation.override(settings.LANGUAGE_CODE):
        for cooperative_parts in by_cooperative.values():
            cooperative = cooperative_parts[0].cooperative
            to_confirm = [
                f
                for f in cooperative_parts
                if f.status == statuses.NEW and f.payment_status != statuses.PAYMENT_AWAITING
            ]
            to_pack = [f for f in cooperative_parts if f.status == statuses.CONFIRMED]
            to_ship = [f for f in cooperative_parts if f.status == statuses.PACKED]
            if not (to_confirm or to_pack or to_ship):
                continue
            counts = [
                (str(labels[state]), sum(1 for f in cooperative_parts if f.status == state))
                for state in open_states
            ]
            awaiting_payment = sum(
                1
                for f in cooperative_parts
                if f.status == statuses.NEW and f.payment_status == statuses.PAYMENT_AWAITING
            )
            context = {
                "cooperative": cooperative,
                "today": today,
                "counts": counts,
                "awaiting_payment": awaiting_payment,
                "lists": [
                    (_("To confirm"), _digest_rows(to_confirm), len(to_confirm)),
                    (_("To pack"), _digest_rows(to_pack), len(to_pack)),
                    (_("To hand to the carrier"), _digest_rows(to_ship), len(to_ship)),
                ],
                "limit": DIGEST_LIST_LIMIT,
                "console_url": _console_url(),
            }
            count = len(to_confirm) + len(to_pack) + len(to_ship)
            subject = ngettext(
                "%(cooperative)s today: %(count)s order waits for you",
                "%(cooperative)s today: %(count)s orders wait for you",
                count,
            ) % {"cooperative": cooperative.name, "count": count}
            for who, address in _cooperative_addresses(cooperative):
                notifications.append(
                    _notification_ensure(
                        existing,
                        key=f"manager-digest:{cooperative.pk}:{today.isoformat()}:{who}:email",
                        build=lambda address=address, context=context, subject=subject: {
                            "channel": channels.EMAIL,
                            "recipient": address,
                            "subject": subject,
                            "body": _render("manager_digest_cooperative.txt", context),
                        },
                    )
                )
    return notifications


def _digest_rows(parts: list[Fulfilment]) -> list[dict]:
    rows = []
    for fulfilment in parts[:DIGEST_LIST_LIMIT]:
        order = fulfilment.order
        rows.append(
            {
                "fulfilment": fulfilment,
                "order": order,
                "currency": order.currency,
                **_shopper_context(order),
            }
        )
    return rows


def events_unannounced(
    *, older_than: datetime.timedelta, within: datetime.timedelta = datetime.timedelta(days=2)
) -> list[int]:
    """Ids of recent steps the shopper should have heard of but has no message for.

    Their ``fulfilment_event_notify_task`` was lost (the broker was down when the step was
    taken). Steps the shopper takes themselves, and steps they are not told of, are left
    out by asking ``fulfilment_event_notifications`` itself when the task runs again.
    """
    from django.db.models import CharField, Exists, OuterRef, Q, Value
    from django.db.models.functions import Cast, Concat

    from cooperatives.models import FulfilmentEvent

    now = timezone.now()
    told = Notification.objects.filter(
        key__startswith=Concat(
            Value("fulfilment-event:"),
            Cast(OuterRef("pk"), CharField()),
            Value(":"),
            output_field=CharField(),
        )
    )
    shopper_steps = Q(
        kind=statuses.EVENT_STATUS,
        to_state__in=[statuses.CONFIRMED, statuses.SHIPPED, statuses.DELIVERED, statuses.CANCELLED],
    ) | Q(kind=statuses.EVENT_CHANGE)
    return list(
        FulfilmentEvent.objects.filter(
            shopper_steps,
            created_at__lt=now - older_than,
            created_at__gte=now - within,
        )
        .exclude(channel__in=[statuses.CHANNEL_SHOPPER, statuses.CHANNEL_SYSTEM])
        .exclude(Exists(told))
        .order_by("created_at")
        .values_list("pk", flat=True)[:500]
    )
