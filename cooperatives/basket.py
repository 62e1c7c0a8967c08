"""A basket seen as one part per cooperative: goods, weight, shipping options, problems.

Read-only: the basket page, the checkout's delivery step and ``order_place`` all look
at a basket through ``basket_parts`` so that what the shopper is shown is what is
charged. Prices come from the basket's strategy, i.e. live stock records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from django.utils.translation import gettext as _

from cooperatives.models import Cooperative
from payment.money import vnd
from shipping.models import WeightBased
from shop.page_cache import held

PICKUP = "pickup"


@dataclass(frozen=True)
class ShippingOption:
    code: str
    name: str
    charge: Decimal
    is_pickup: bool = False
    description: str = ""


@dataclass
class BasketPart:
    cooperative: Cooperative
    lines: list = field(default_factory=list)
    goods_total: Decimal = Decimal("0.00")
    weight_grams: int = 0
    options: list[ShippingOption] = field(default_factory=list)

    @property
    def shortfall(self) -> Decimal:
        """How much more the shopper must add to reach this cooperative's minimum order."""
        return max(self.cooperative.min_order_value - self.goods_total, Decimal("0.00"))

    @property
    def below_minimum(self) -> bool:
        return self.shortfall > 0

    def option(self, code: str | None) -> ShippingOption | None:
        """The option with this code, or the first (cheapest delivery) when none is asked."""
        if not self.options:
            return None
        if not code:
            return self.options[0]
        return next((option for option in self.options if option.code == code), None)

    @property
    def problems(self) -> list[str]:
        """What stops this part from being ordered, in words for the shopper."""
        found = []
        if not self.cooperative.is_active:
            found.append(
                _("%(cooperative)s is not taking orders at the moment; please remove its items.")
                % {"cooperative": self.cooperative.name}
            )
            return found
        if self.below_minimum:
            found.append(
                _(
                    "%(cooperative)s ships orders from %(minimum)s of goods: "
                    "add %(shortfall)s more, or remove its items."
                )
                % {
                    "cooperative": self.cooperative.name,
                    "minimum": vnd(self.cooperative.min_order_value),
                    "shortfall": vnd(self.shortfall),
                }
            )
        if not self.options:
            found.append(
                _("%(cooperative)s has not set up delivery yet; please call them.")
                % {"cooperative": self.cooperative.name}
            )
        return found


def _delivery_rates(cooperatives: dict[int, Cooperative]) -> dict[int, list[WeightBased]]:
    """Each cooperative's active delivery methods with their weight bands.

    Held by the web process (``shop.page_cache.held``, live): they were read with two
    queries on every checkout page, and change only when a cooperative saves its rates,
    which moves the page cache's generation on; ``order_place`` charges what they say.
    """
    ids = sorted(cooperatives)
    return held(f"delivery-rates:{ids}", partial(_read_delivery_rates, ids), live=True)


def _read_delivery_rates(ids: list[int]) -> dict[int, list[WeightBased]]:
    rates: dict[int, list[WeightBased]] = {pk: [] for pk in ids}
    methods = WeightBased.objects.filter(cooperative_id__in=ids, is_active=True)
    for method in methods.prefetch_related("bands"):
        rates[method.cooperative_id].append(method)
    return rates


def _options(
    *,
    cooperative: Cooperative,
    methods: list[WeightBased],
    goods_total: Decimal,
    weight_grams: int,
):
    options = []
    for method in methods:
        if not method.is_active or not method.bands.all():
            continue
        options.append(
            ShippingOption(
                code=method.code,
                name=method.name,
                charge=method.charge_for(weight_grams=weight_grams, goods_total=goods_total),
                description=method.description,
            )
        )
    options.sort(key=lambda option: (option.charge, option.name))
    if cooperative.offers_pickup:
        options.append(
            ShippingOption(
                code=PICKUP,
                name=_("Pick up at the cooperative"),
                charge=Decimal("0.00"),
                is_pickup=True,
                description=", ".join(
                    part
                    for part in (
                        cooperative.address_line,
                        cooperative.place,
                        cooperative.pickup_instructions,
                    )
                    if part
                ),
            )
        )
    return options


def basket_parts(basket) -> list[BasketPart]:
    """The basket's lines grouped by cooperative, in the order they were added.

    Products without a cooperative cannot be shipped by anyone and are not expected
    (every product is listed by a cooperative); they are left out here and refused
    by ``order_place``.

    Worked out once per reading of the lines: the basket page, a checkout step's
    pre-condition and ``order_place`` ask again in the same request, and get the same
    parts until the basket's lines are read again (after a change).
    """
    lines = basket.all_lines()
    cached = getattr(basket, "_chophien_parts", None)
    if cached is not None and cached[0] is lines:
        return cached[1]
    parts = _parts(list(lines))
    basket._chophien_parts = (lines, parts)
    return parts


def _parts(lines) -> list[BasketPart]:
    # The lines come with their products' cooperatives (``Basket.all_lines``).
    cooperatives: dict[int, Cooperative] = {}
    for line in lines:
        cooperative = line.product.cooperative
        if cooperative is not None:
            cooperatives.setdefault(cooperative.pk, cooperative)
    rates = _delivery_rates(cooperatives)
    parts: dict[int, BasketPart] = {}
    for line in lines:
        cooperative_id = line.product.cooperative_id
        if cooperative_id is None:
            continue
        part = parts.get(cooperative_id)
        if part is None:
            part = parts[cooperative_id] = BasketPart(cooperative=cooperatives[cooperative_id])
        part.lines.append(line)
        if line.line_price_incl_tax_incl_discounts is not None:
            part.goods_total += line.line_price_incl_tax_incl_discounts
        part.weight_grams += (line.product.net_weight_grams or 0) * line.quantity
    for part in parts.values():
        part.options = _options(
            cooperative=part.cooperative,
            methods=rates[part.cooperative.pk],
            goods_total=part.goods_total,
            weight_grams=part.weight_grams,
        )
    return list(parts.values())


def basket_problems(basket, parts: list[BasketPart] | None = None) -> list[str]:
    """Everything that stops this basket from being ordered as it is."""
    if parts is None:
        parts = basket_parts(basket)
    problems = [problem for part in parts for problem in part.problems]
    if any(line.product.cooperative_id is None for line in basket.all_lines()):
        problems.append(_("Some items can no longer be ordered; please remove them."))
    for line in basket.all_lines():
        # Hidden by its cooperative after it went into the basket.
        if not line.product.is_public:
            problems.append(
                _("“%(product)s” is no longer sold; please remove it from your basket.")
                % {"product": line.product.get_title()}
            )
    return problems
