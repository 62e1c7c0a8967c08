"""Names of the states a cooperative's part of an order moves through.

Dependency-free on purpose: settings, models, services and templates all read these.
Labels are lazily translated so the same constants serve Vietnamese and English.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Fulfilment (one cooperative's part of an order).
NEW = "new"
CONFIRMED = "confirmed"  # "chốt đơn": the manager has called the shopper
PACKED = "packed"
SHIPPED = "shipped"
DELIVERED = "delivered"
CANCELLED = "cancelled"
RETURNED = "returned"

FULFILMENT_CHOICES = [
    (NEW, pgettext_lazy("fulfilment status", "New")),
    (CONFIRMED, pgettext_lazy("fulfilment status", "Confirmed")),
    (PACKED, pgettext_lazy("fulfilment status", "Packed")),
    (SHIPPED, pgettext_lazy("fulfilment status", "Shipped")),
    (DELIVERED, pgettext_lazy("fulfilment status", "Delivered")),
    (CANCELLED, pgettext_lazy("fulfilment status", "Cancelled")),
    (RETURNED, pgettext_lazy("fulfilment status", "Returned")),
]

# Which state may follow which (ARCHITECTURE.md "Fulfilment states").
FULFILMENT_PIPELINE: dict[str, tuple[str, ...]] = {
    NEW: (CONFIRMED, CANCELLED),
    CONFIRMED: (PACKED, CANCELLED),
    PACKED: (SHIPPED, CANCELLED),
    SHIPPED: (DELIVERED, RETURNED),
    DELIVERED: (),
    CANCELLED: (),
    RETURNED: (),
}
# Stock is still allocated (not yet consumed) in these states, so cancelling returns it.
STOCK_HELD = (NEW, CONFIRMED, PACKED)
# The shopper may cancel on their own until the cooperative has confirmed.
SHOPPER_CANCELLABLE = (NEW,)

# Payment of a part: separate from its fulfilment status.
PAYMENT_DUE = "due"  # cash on delivery, not yet collected
PAYMENT_COLLECTED = "collected"
PAYMENT_AWAITING = "awaiting"  # bank transfer or card, money not seen yet
PAYMENT_RECEIVED = "received"  # bank transfer seen by the manager
PAYMENT_PAID = "paid"  # card, settled by Stripe
PAYMENT_REFUNDED = "refunded"
PAYMENT_EXPIRED = "expired"  # transfer or card not paid in time: the part is cancelled
PAYMENT_VOID = "void"  # the part was cancelled before any money moved

PAYMENT_CHOICES = [
    (PAYMENT_DUE, pgettext_lazy("payment status", "To collect on delivery")),
    (PAYMENT_COLLECTED, pgettext_lazy("payment status", "Collected")),
    (PAYMENT_AWAITING, pgettext_lazy("payment status", "Awaiting payment")),
    (PAYMENT_RECEIVED, pgettext_lazy("payment status", "Transfer received")),
    (PAYMENT_PAID, pgettext_lazy("payment status", "Paid by card")),
    (PAYMENT_REFUNDED, pgettext_lazy("payment status", "Refunded")),
    (PAYMENT_EXPIRED, pgettext_lazy("payment status", "Not paid in time")),
    (PAYMENT_VOID, pgettext_lazy("payment status", "Nothing to pay")),
]
PAYMENT_SETTLED = (PAYMENT_COLLECTED, PAYMENT_RECEIVED, PAYMENT_PAID)

# How a manager or the system acted: recorded on each event.
CHANNEL_WEB = "web"
CHANNEL_PHONE = "phone"
CHANNEL_ZALO = "zalo"
CHANNEL_IN_PERSON = "in_person"
CHANNEL_SYSTEM = "system"
CHANNEL_SHOPPER = "shopper"
CHANNEL_STRIPE = "stripe"
CHANNEL_CHOICES = [
    (CHANNEL_WEB, _("Console")),
    (CHANNEL_PHONE, _("Phone call")),
    (CHANNEL_ZALO, _("Zalo")),
    (CHANNEL_IN_PERSON, _("In person")),
    (CHANNEL_SYSTEM, _("Automatic")),
    (CHANNEL_SHOPPER, _("Shopper")),
    (CHANNEL_STRIPE, _("Card payment")),
]

EVENT_STATUS = "status"
EVENT_PAYMENT = "payment"
EVENT_CHANGE = "change"
EVENT_KINDS = [
    (EVENT_STATUS, _("Status")),
    (EVENT_PAYMENT, _("Payment")),
    (EVENT_CHANGE, _("Change")),
]
