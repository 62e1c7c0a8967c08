"""Placing an order from a basket that spans several cooperatives.

One oscar ``Order`` (one payment, one page for the shopper) whose lines keep their
cooperative as partner, and one ``Fulfilment`` per cooperative with its own shipping
charge, payment state and, for transfers, its own VietQR note. Everything is computed
again here from live prices and stock: nothing the browser or the session says about
money is trusted.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.apps.checkout.calculators import OrderTotalCalculator
from oscar.apps.shipping.methods import Base as ShippingMethodBase
from oscar.core import prices

from cooperatives import statuses
from cooperatives.basket import BasketPart, basket_parts, basket_problems
from cooperatives.models import Fulfilment, FulfilmentEvent
from cooperatives.queue import enqueue
from order.exceptions import OutOfStock
from order.models import Order, ShippingAddress
from order.utils import OrderCreator, OrderNumberGenerator
from payment import methods as payment_methods
from payment import vietqr
from payment.money import vnd

logger = logging.getLogger(__name__)


class CheckoutError(Exception):
    """The order cannot be placed as asked; ``messages`` say why, for the shopper."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("; ".join(messages))


@dataclass(frozen=True)
class DeliveryAddress:
    """Where the parcels go, as the checkout form cleaned it."""

    full_name: str
    phone: str  # E.164, e.g. +84912345678
    province_code: str
    province_name: str
    commune_code: str
    commune_name: str
    line1: str
    notes: str = ""


class PerCooperativeShipping(ShippingMethodBase):
    """The oscar shipping method of a split order: the sum of each part's own charge."""

    code = "per-cooperative"

    def __init__(self, charge: Decimal, currency: str):
        self.charge = charge
        self.currency = currency
        self.name = _("Delivery by each cooperative")

    def calculate(self, basket):
        return prices.Price(
            currency=self.currency, excl_tax=self.charge, incl_tax=self.charge, tax=Decimal(0)
        )


def payment_methods_for(parts: list[BasketPart]) -> list[payment_methods.PaymentMethod]:
    """Methods this basket can be paid with: a transfer needs every cooperative's account."""
    available = []
    for method in payment_methods.enabled_methods():
        if method.code == payment_methods.TRANSFER and not all(
            part.cooperative.has_bank_account for part in parts
        ):
            continue
        available.append(method)
    return available


def chosen_options(*, parts: list[BasketPart], choices: dict[str, str]):
    """Each part with the shipping option the shopper chose (or its default)."""
    chosen = []
    for part in parts:
        option = part.option(choices.get(str(part.cooperative.pk)))
        if option is None:
            raise CheckoutError(
                [
                    _("Choose how %(cooperative)s should deliver.")
                    % {"cooperative": part.cooperative.name}
                ]
            )
        chosen.append((part, option))
    return chosen


def _payment_deadline(method: str) -> datetime.datetime | None:
    if method == payment_methods.TRANSFER:
        return timezone.now() + datetime.timedelta(hours=settings.TRANSFER_PAYMENT_HOURS)
    if method == payment_methods.CARD:
        return timezone.now() + datetime.timedelta(minutes=settings.CARD_PAYMENT_MINUTES)
    return None


def _initial_payment_status(method: str) -> str:
    if method == payment_methods.COD:
        return statuses.PAYMENT_DUE
    return statuses.PAYMENT_AWAITING


def order_for_basket(*, basket) -> Order | None:
    """The order already placed from this basket, if any (a retried "place order")."""
    # One order per basket at most. Unordered: to compile the ORDER BY first() adds, Django
    # matched it against each of the order's 50 columns.
    return next(iter(Order.objects.filter(basket=basket).order_by()[:1]), None)


def order_place(
    *,
    basket,
    user,
    address: DeliveryAddress,
    shipping_choices: dict[str, str],
    payment_method: str,
    guest_email: str = "",
    expected_total: Decimal | None = None,
    request=None,
) -> Order:
    """Place one order for the basket, with one fulfilment per cooperative in it.

    Idempotent per basket: placing the same basket again (a double tap, a retry after
    a dropped connection) returns the order already placed. ``expected_total`` is what
    the shopper was shown; if prices or stock moved since, nothing is placed and the
    shopper is asked to look again. Raises ``CheckoutError``
    with messages for the shopper when the basket cannot be ordered (a cooperative's
    minimum not met, a method not offered, fewer units left than asked).
    """
    existing = order_for_basket(basket=basket)
    if existing is not None:
        return existing
    if basket.is_empty:
        raise CheckoutError([_("Your basket is empty.")])

    parts = basket_parts(basket)
    problems = basket_problems(basket, parts)
    if problems:
        raise CheckoutError(problems)
    if payment_method not in {method.code for method in payment_methods_for(parts)}:
        raise CheckoutError([_("This payment method is not available for this order.")])
    chosen = chosen_options(parts=parts, choices=shipping_choices)

    shipping_total = sum((option.charge for _part, option in chosen), Decimal("0.00"))
    shipping_method = PerCooperativeShipping(shipping_total, basket.currency)
    shipping_charge = shipping_method.calculate(basket)
    total = OrderTotalCalculator(request).calculate(basket, shipping_charge)
    if expected_total is not None and total.incl_tax != expected_total:
        raise CheckoutError(
            [
                _(
                    "The total changed from %(shown)s to %(now)s since you looked (a price "
                    "or delivery charge changed). Please check your order again."
                )
                % {"shown": vnd(expected_total), "now": vnd(total.incl_tax)}
            ]
        )
    for part, option in chosen:
        # Discounts are rounded to whole đồng (OSCAR_OFFER_ROUNDING_FUNCTION); a fraction
        # here could not be transferred, shown in a VietQR code or charged by Stripe.
        if (part.goods_total + option.charge) % 1:
            raise CheckoutError([_("This order cannot be paid in whole đồng; please contact us.")])
    if payment_method == payment_methods.CARD:
        from payment.stripe_gateway import check_amount  # off unless Stripe is configured

        try:
            check_amount(total.incl_tax)
        except ValidationError as error:
            raise CheckoutError(error.messages) from error

    user = user if user is not None and user.is_authenticated else AnonymousUser()
    number = OrderNumberGenerator().order_number(basket)
    try:
        with transaction.atomic():
            shipping_address = ShippingAddress(
                first_name=address.full_name,
                line1=address.line1,
                province_code=address.province_code,
                province_name=address.province_name,
                commune_code=address.commune_code,
                commune_name=address.commune_name,
                line4=address.province_name,  # oscar's "city", shown by its own templates
                phone_number=address.phone,
                notes=address.notes,
                country_id="VN",
            )
            shipping_address.save()
            if user.is_authenticated:
                _address_book_update(user=user, shipping_address=shipping_address)
            order = OrderCreator().place_order(
                basket=basket,
                total=total,
                shipping_method=shipping_method,
                shipping_charge=shipping_charge,
                user=user,
                shipping_address=shipping_address,
                order_number=number,
                request=request,
                guest_email=guest_email if not user.is_authenticated else "",
                payment_method=payment_method,
            )
            _fulfilments_create(
                order=order, chosen=chosen, payment_method=payment_method, user=user
            )
            basket.submit()
    except OutOfStock as error:
        raise CheckoutError(
            [
                _(
                    "Only %(available)s of “%(product)s” left, you asked for %(wanted)s. "
                    "Please change the quantity in your basket."
                )
                % {
                    "available": error.available,
                    "product": error.product.get_title(),
                    "wanted": error.wanted,
                }
                if error.available
                else _("“%(product)s” has just sold out. Please remove it from your basket.")
                % {"product": error.product.get_title()}
            ]
        ) from error
    except (IntegrityError, ValueError) as error:
        # Two requests for the same basket raced; the other one placed the order
        # (oscar says ValueError when it sees the number, the database IntegrityError).
        existing = Order.objects.filter(number=number).first()
        if existing is not None:
            return existing
        if isinstance(error, ValueError):
            # Oscar's words for a voucher the shopper may no longer use.
            raise CheckoutError([str(error)]) from error
        raise

    from cooperatives.tasks import order_placed_notify_task

    transaction.on_commit(lambda: enqueue(order_placed_notify_task, order_id=order.pk))
    return order


def _address_book_update(*, user, shipping_address: ShippingAddress) -> None:
    """Keep the address for the member's next order (oscar's address book, by hash)."""
    from address.models import UserAddress

    saved = user.addresses.filter(hash=shipping_address.generate_hash()).first()
    if saved is None:
        saved = UserAddress(user=user)
        shipping_address.populate_alternative_model(saved)
        saved.is_default_for_shipping = not user.addresses.exists()
    saved.num_orders_as_shipping_address += 1
    saved.save()


def _fulfilments_create(*, order: Order, chosen, payment_method: str, user) -> None:
    """One fulfilment per part, each with its first event: two inserts for any number."""
    due_by = _payment_deadline(payment_method)
    actor = user if user.is_authenticated else None
    fulfilments = []
    for part, option in chosen:
        fulfilment = Fulfilment(
            order=order,
            cooperative=part.cooperative,
            status=statuses.NEW,
            payment_status=_initial_payment_status(payment_method),
            goods_total=part.goods_total,
            shipping_method_code=option.code,
            shipping_method_name=option.name,
            is_pickup=option.is_pickup,
            shipping_charge=option.charge,
            weight_grams=part.weight_grams,
            payment_due_by=due_by,
        )
        if payment_method == payment_methods.TRANSFER:
            fulfilment.transfer_note = vietqr.transfer_note(
                order_number=order.number, cooperative_code=part.cooperative.pk
            )
        # Field checks only: the constraints are the database's own, and it enforces them on
        # insert; asking it first would cost three queries per cooperative for nothing.
        fulfilment.full_clean(exclude=["order", "cooperative"], validate_constraints=False)
        fulfilments.append(fulfilment)
    # Neither model does anything of its own on save, and no signal listens to them.
    Fulfilment.objects.bulk_create(fulfilments)
    FulfilmentEvent.objects.bulk_create(
        FulfilmentEvent(
            fulfilment=fulfilment,
            actor=actor,
            kind=statuses.EVENT_STATUS,
            from_state="",
            to_state=statuses.NEW,
            channel=statuses.CHANNEL_SHOPPER,
        )
        for fulfilment in fulfilments
    )


def transfer_for(fulfilment: Fulfilment) -> vietqr.VietQRTransfer | None:
    """The VietQR transfer the shopper still owes this part, or None."""
    if not fulfilment.awaits_transfer or not fulfilment.cooperative.has_bank_account:
        return None
    try:
        return vietqr.vietqr_transfer(
            bank_bin=fulfilment.cooperative.bank_bin,
            account_number=fulfilment.cooperative.bank_account_number,
            account_holder=fulfilment.cooperative.bank_account_holder,
            amount=fulfilment.total,
            note=fulfilment.transfer_note,
        )
    except ValidationError:
        logger.exception("No VietQR code for %s", fulfilment)
        return None
