"""Orders a cooperative's manager enters for a shopper who called or wrote on Zalo.

Many shoppers in the villages order by phone. The manager types the order into the
console and it becomes an ordinary order: a basket is built on the server from the
cooperative's live prices and stock, then placed through ``order_place``, so stock,
delivery charges, the fulfilment and the shopper's notifications are exactly those of an
order placed on the website. The part's log then says who entered it and how.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from oscar.apps.offer.applicator import Applicator
from oscar.apps.partner.strategy import Selector

from basket.models import Basket
from catalogue.models import Product
from cooperatives import statuses
from cooperatives.models import Cooperative, FulfilmentEvent
from cooperatives.services.checkout import CheckoutError, DeliveryAddress, order_place
from cooperatives.services.fulfillment import cooperative_is_managed_by
from order.models import Order
from payment import methods as payment_methods

# How a shopper can reach a manager with an order.
PHONE_ORDER_CHANNELS = (statuses.CHANNEL_PHONE, statuses.CHANNEL_ZALO, statuses.CHANNEL_IN_PERSON)
# A card payment needs the shopper on Stripe's page: not something a manager can do for them.
PHONE_ORDER_PAYMENT_METHODS = (payment_methods.COD, payment_methods.TRANSFER)


def phone_order_payment_methods(*, cooperative: Cooperative) -> list[payment_methods.PaymentMethod]:
    """Cash on delivery, and a transfer when the cooperative has a bank account."""
    return [
        method
        for method in payment_methods.enabled_methods()
        if method.code == payment_methods.COD
        or (method.code == payment_methods.TRANSFER and cooperative.has_bank_account)
    ]


def _merged(items) -> list[tuple[Product, int]]:
    """The same product on two rows is one line with both quantities."""
    merged: dict[int, list] = {}
    for product, quantity in items:
        if product.pk in merged:
            merged[product.pk][1] += quantity
        else:
            merged[product.pk] = [product, quantity]
    return [(product, quantity) for product, quantity in merged.values()]


@transaction.atomic
def phone_order_place(
    *,
    cooperative: Cooperative,
    actor,
    items: list[tuple[Product, int]],
    address: DeliveryAddress,
    payment_method: str,
    shipping_code: str = "",
    channel: str = statuses.CHANNEL_PHONE,
    note: str = "",
) -> Order:
    """Place an order of this cooperative's products for a shopper, entered by ``actor``.

    Only the cooperative's public products may be ordered; anything else is refused
    with ``CheckoutError``, as are quantities the shelf cannot cover. The order is a
    guest order (the manager is not the buyer): no account or address book of the
    manager is touched. ``shipping_code`` is one of the cooperative's delivery methods
    (or pickup); empty means the cheapest, as on the website.
    """
    if not cooperative_is_managed_by(cooperative=cooperative, user=actor):
        raise PermissionDenied(_("Only this cooperative's managers can enter its orders."))
    if channel not in PHONE_ORDER_CHANNELS:
        raise CheckoutError([_("Say how the shopper placed this order.")])
    if payment_method not in {
        method.code for method in phone_order_payment_methods(cooperative=cooperative)
    }:
        raise CheckoutError([_("This payment method is not available for this order.")])
    items = _merged(items)
    if not items:
        raise CheckoutError([_("Add at least one product.")])
    problems = []
    for product, quantity in items:
        if product.cooperative_id != cooperative.pk or not product.is_public:
            problems.append(
                _("“%(product)s” is not sold by %(cooperative)s.")
                % {"product": product.get_title(), "cooperative": cooperative.name}
            )
        elif quantity < 1:
            problems.append(
                _("Enter a quantity of at least 1 for “%(product)s”.")
                % {"product": product.get_title()}
            )
    if problems:
        raise CheckoutError(problems)

    basket = Basket.objects.create(owner=None)
    basket.strategy = Selector().strategy(user=None)
    for product, quantity in items:
        info = basket.strategy.fetch_for_product(product)
        permitted, reason = info.availability.is_purchase_permitted(quantity)
        if not permitted or info.stockrecord is None:
            problems.append(
                _("“%(product)s”: %(reason)s")
                % {"product": product.get_title(), "reason": reason or _("not available")}
            )
            continue
        basket.add_product(product, quantity)
    if problems:
        raise CheckoutError(problems)
    # Site-wide offers apply as they would to the shopper's own basket (BasketMiddleware).
    Applicator().apply(basket, user=None, request=None)

    order = order_place(
        basket=basket,
        user=None,
        address=address,
        shipping_choices={str(cooperative.pk): shipping_code} if shipping_code else {},
        payment_method=payment_method,
    )
    fulfilment = order.fulfilments.get(cooperative=cooperative)
    FulfilmentEvent.objects.create(
        fulfilment=fulfilment,
        actor=actor,
        kind=statuses.EVENT_CHANGE,
        channel=channel,
        note=note.strip() or _("Entered by a manager for the shopper."),
    )
    return order
