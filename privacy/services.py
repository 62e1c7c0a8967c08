"""Erasing a shopper's personal data while keeping the records of what they bought.

Vietnam's Law on Personal Data Protection (No. 91/2025/QH15, with Decree 356/2025, in force
since 1 January 2026 and replacing Decree 13/2023/NĐ-CP) lets a person ask for their data
to be deleted. The Law on Accounting (No. 88/2015/QH13, Art. 41) and Decree 174/2016/NĐ-CP
(Art. 12) keep the accounting documents of a sale for at least 10 years. So erasure
*anonymises*: the order number, its lines, totals, tax, dates, payment and the
cooperatives' parts stay; the shopper's name, e-mail, phone, street address, notes and
messages go, and the account is closed.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from oscar.apps.analytics.models import UserProductView, UserRecord, UserSearch
from oscar.apps.catalogue.reviews.models import ProductReview
from oscar.apps.communication.models import Email
from oscar.apps.communication.models import Notification as SiteMessage
from oscar.apps.customer.models import ProductAlert
from oscar.apps.wishlists.models import WishList

from address.models import UserAddress
from basket.models import Basket
from cooperatives import statuses
from cooperatives.models import Fulfilment, FulfilmentEvent, Notification
from order.models import BillingAddress, Order, OrderNote, ShippingAddress
from payment.models import Bankcard, StripeEvent

# What Stripe asked the shopper for on its own page (card holder, e-mail, address).
STRIPE_PERSONAL_KEYS = frozenset(
    {"customer_details", "customer_email", "billing_details", "shipping", "shipping_details"}
    | {"receipt_email", "collected_information"}
)

# A part in one of these states is finished: nobody needs the shopper's address for it.
FINISHED = (statuses.DELIVERED, statuses.CANCELLED, statuses.RETURNED)


def erasure_blockers(*, user) -> list[Order]:
    """The shopper's orders with a part still on its way: erasing now would lose the address."""
    open_parts = Fulfilment.objects.filter(order__user=user).exclude(status__in=FINISHED)
    return list(Order.objects.filter(fulfilments__in=open_parts).distinct().order_by("number"))


@transaction.atomic
def user_erase(*, user) -> dict[str, int]:
    """Anonymise ``user``'s personal data, keep their orders' records, close the account.

    Refuses (``ValidationError``) while a part of one of their orders is still in
    progress, and for staff and cooperative managers, whose accounts the shop closes.
    Returns how many rows of each kind were anonymised or removed.
    """
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if not user.is_active:
        raise ValidationError(_("This account has been closed already."))
    if user.is_staff or user.is_superuser or user.partners.exists():
        raise ValidationError(
            _("Staff and cooperative managers' accounts are closed by the shop's staff.")
        )
    blockers = erasure_blockers(user=user)
    if blockers:
        raise ValidationError(
            _(
                "Your orders %(numbers)s are still on their way; the cooperatives need your "
                "address and phone to deliver them. Ask again once they are delivered or "
                "cancelled."
            )
            % {"numbers": ", ".join(order.number for order in blockers)}
        )

    with translation.override(settings.LANGUAGE_CODE):  # stored, so in the shop's language
        erased = _("[erased]")
    orders = Order.objects.filter(user=user)
    order_ids = list(orders.values_list("pk", flat=True))
    addresses = list(UserAddress.objects.filter(user=user))
    shipping = list(ShippingAddress.objects.filter(order__in=order_ids))
    billing = list(BillingAddress.objects.filter(order__in=order_ids))
    scrub = _Scrubber(
        replacement=erased,
        texts=[
            user.email,
            user.get_username(),
            user.first_name,
            user.last_name,
            user.get_full_name(),
            f"{user.last_name} {user.first_name}",  # the Vietnamese order, as the console writes it
            *orders.values_list("guest_email", flat=True),
            *(
                value
                for address in (*addresses, *shipping, *billing)
                for value in (
                    address.first_name,
                    address.last_name,
                    address.name,
                    address.line1,
                    address.line2,
                    address.line3,
                )
            ),
        ],
        phones=[getattr(address, "phone_number", None) for address in (*addresses, *shipping)],
    )
    counts: dict[str, int] = {}

    # The order records: who and where go, what was sold and for how much stays.
    counts["orders"] = orders.update(guest_email="")
    personal_address = {
        "title": "",
        "first_name": erased,
        "last_name": "",
        "line1": erased,
        "line2": "",
        "line3": "",
        "postcode": "",
        "search_text": "",
        "code": None,
    }
    counts["shipping_addresses"] = ShippingAddress.objects.filter(
        pk__in=[address.pk for address in shipping]
    ).update(**personal_address, phone_number="", notes="")
    BillingAddress.objects.filter(pk__in=[address.pk for address in billing]).update(
        **personal_address
    )
    for note in OrderNote.objects.filter(order__in=order_ids):
        OrderNote.objects.filter(pk=note.pk).update(message=scrub(note.message))
    # The event log is append-only (FulfilmentEvent.save refuses); erasure is the one
    # rewrite the law asks for, and it touches the notes only.
    events = FulfilmentEvent.objects.filter(fulfilment__order__in=order_ids).exclude(note="")
    for event in events:
        own_words = event.actor_id == user.pk or event.channel == statuses.CHANNEL_SHOPPER
        note = erased if own_words else scrub(event.note)
        FulfilmentEvent.objects.filter(pk=event.pk).update(note=note)
    counts["notifications"] = _notifications_erase(order_ids=order_ids, scrub=scrub)
    numbers = list(orders.values_list("number", flat=True))
    for stripe_event in StripeEvent.objects.filter(
        payload__data__object__metadata__order_number__in=numbers
    ):
        StripeEvent.objects.filter(pk=stripe_event.pk).update(
            payload=_scrub_json(stripe_event.payload, scrub)
        )

    # What the shop keeps for the shopper's convenience only: gone.
    counts["addresses"] = UserAddress.objects.filter(user=user).delete()[0]
    counts["baskets"] = (
        Basket.objects.filter(owner=user).exclude(status=Basket.SUBMITTED).delete()[0]
    )
    WishList.objects.filter(owner=user).delete()
    ProductAlert.objects.filter(user=user).delete()
    counts["emails"] = Email.objects.filter(user=user).delete()[0]
    SiteMessage.objects.filter(recipient=user).delete()
    Bankcard.objects.filter(user=user).delete()
    for model in (UserRecord, UserProductView, UserSearch):
        model.objects.filter(user=user).delete()
    # Reviews stay with their product (other shoppers read them); their author goes.
    reviews = ProductReview.objects.filter(user=user)
    counts["reviews"] = len(reviews)
    for review in reviews:
        ProductReview.objects.filter(pk=review.pk).update(
            name="", email="", title=scrub(review.title), body=scrub(review.body)
        )
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(get_user_model()), object_id=str(user.pk)
    ).update(object_repr=erased, change_message="")

    # The account itself: no name, no way in, and every session of it ends.
    user.username = f"erased-{user.pk}-{uuid.uuid4().hex[:8]}"
    user.email = ""
    user.first_name = ""
    user.last_name = ""
    user.is_active = False
    user.last_login = None
    user.set_unusable_password()
    user.save()
    return counts


def _notifications_erase(*, order_ids: list[int], scrub: _Scrubber) -> int:
    """Messages about the orders: their text goes; that a message was sent, when, stays.

    The body of a message to a cooperative quotes the shopper's name, phone and address
    too, so every message about these orders loses its body. One still waiting (a retry)
    is given up: it has nobody to go to any more.
    """
    count = 0
    for notification in Notification.objects.filter(order__in=order_ids):
        to_shopper = ":shopper:" in notification.key
        status = notification.status
        if status == Notification.PENDING:
            status = Notification.FAILED
        count += Notification.objects.filter(pk=notification.pk).update(
            recipient="" if to_shopper else notification.recipient,
            subject=scrub(notification.subject),
            body="",
            data={},
            last_error=scrub(notification.last_error),
            status=status,
        )
    return count


class _Scrubber:
    """Replaces each known personal value (and any spelling of the phones) in free text."""

    def __init__(self, *, replacement: str, texts: Iterable[str], phones: Iterable) -> None:
        self.replacement = replacement
        # Longest first, so "Hoàng Thị Lan" goes whole before "Lan" could.
        values = sorted(
            {text.strip() for text in texts if text and len(text.strip()) >= 2},
            key=len,
            reverse=True,
        )
        # Whole words only: "Lan" must not eat into "balance_transaction" or "Lạng Sơn".
        patterns = [rf"(?<!\w){re.escape(value)}(?!\w)" for value in values]
        for phone in phones:
            if not phone:
                continue
            # 0912 345 678, 0912.345.678, +84 912 345 678 and +84912345678 alike.
            digits = str(phone.national_number)
            country = str(phone.country_code)
            body = r"[\s.\-]?".join(digits)
            patterns.append(rf"(?<!\d)(?:\+?{country}[\s.\-]?|0)?{body}(?!\d)")
        self.pattern = re.compile("|".join(patterns), re.IGNORECASE) if patterns else None

    def __call__(self, text: str) -> str:
        if not text or self.pattern is None:
            return text
        return self.pattern.sub(self.replacement, text)


def _scrub_json(value, scrub: _Scrubber):
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, list):
        return [_scrub_json(item, scrub) for item in value]
    if isinstance(value, dict):
        return {
            key: None if key in STRIPE_PERSONAL_KEYS else _scrub_json(item, scrub)
            for key, item in value.items()
        }
    return value
