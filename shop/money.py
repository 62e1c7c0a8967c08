"""Rounding for money in whole đồng (VND has no smaller unit in use)."""

from decimal import ROUND_DOWN, Decimal


def offer_discount_whole_dong(amount: Decimal, currency: str | None = None) -> Decimal:
    """Oscar's offer rounding (``OSCAR_OFFER_ROUNDING_FUNCTION``): whole đồng, never up.

    Oscar rounds discounts to cents and spreads an order-wide discount over the lines,
    which leaves parts of a đồng on each cooperative's share; no bank transfer, VietQR
    code or Stripe charge in VND can carry those.
    """
    return Decimal(amount).quantize(Decimal("1"), rounding=ROUND_DOWN)
