"""The ways a shopper can pay, behind one interface.

Each method says whether it is on and what it is called; what happens when an order
is placed with it (nothing for cash, a QR per cooperative for transfers, a hosted
Stripe page for cards) is the order services' job. Order matters: the first
available method is the default, and cash on delivery comes first.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

COD = "cod"
TRANSFER = "transfer"
CARD = "card"


@dataclass(frozen=True)
class PaymentMethod:
    code: str
    label: str | Promise
    description: str | Promise
    # Money arrives before the goods leave: the part waits, and expires if unpaid.
    prepaid: bool

    def is_enabled(self) -> bool:
        if self.code == CARD:
            return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET)
        return True


METHODS = (
    PaymentMethod(
        COD,
        _("Cash on delivery"),
        _("Pay the carrier in cash when the parcel arrives."),
        prepaid=False,
    ),
    PaymentMethod(
        TRANSFER,
        _("Bank transfer (VietQR)"),
        _("Scan the QR code in your banking app; each cooperative is paid directly."),
        prepaid=True,
    ),
    PaymentMethod(
        CARD,
        _("Card"),
        _("Pay by card on Stripe's secure page."),
        prepaid=True,
    ),
)
CHOICES = [(method.code, method.label) for method in METHODS]


def payment_method(code: str) -> PaymentMethod:
    for method in METHODS:
        if method.code == code:
            return method
    raise KeyError(code)


def enabled_methods() -> list[PaymentMethod]:
    return [method for method in METHODS if method.is_enabled()]
