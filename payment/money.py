"""Money as shoppers read it: ``125.000 ₫``."""

from decimal import Decimal


def vnd(amount: Decimal | int) -> str:
    """``amount`` in đồng, formatted the Vietnamese way whatever the interface language."""
    from oscar.templatetags.currency_filters import currency

    return currency(amount, "VND")
