from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.shipping.abstract_models import AbstractWeightBased


class WeightBased(AbstractWeightBased):
    """Oscar's weight-band method, owned by one cooperative, free above an amount.

    Each cooperative ships its own part of an order, so each has its own rates. The
    weight of a part comes from its products' net weight (``Product.net_weight_grams``),
    not from an oscar product attribute.
    """

    cooperative = models.ForeignKey(
        "cooperatives.Cooperative",
        verbose_name=_("cooperative"),
        on_delete=models.CASCADE,
        related_name="shipping_methods",
        null=True,
        blank=True,
    )
    free_above = models.DecimalField(
        _("free shipping from"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Goods worth this much or more ship free. Empty: never free."),
    )
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta(AbstractWeightBased.Meta):
        app_label = "shipping"

    # Oscar asks the database for each band it looks at; a basket page prices every
    # cooperative's rates, so read the (usually prefetched) bands once instead.
    def _sorted_bands(self):
        return sorted(self.bands.all(), key=lambda band: band.upper_limit)

    def get_charge(self, weight):
        if not self._sorted_bands():
            return Decimal("0.00")
        return super().get_charge(weight)

    def get_band_for_weight(self, weight):
        return next((band for band in self._sorted_bands() if band.upper_limit >= weight), None)

    @property
    def num_bands(self):
        return len(self._sorted_bands())

    @property
    def top_band(self):
        bands = self._sorted_bands()
        return bands[-1] if bands else None

    def charge_for(self, *, weight_grams: int, goods_total: Decimal) -> Decimal:
        """The charge for a parcel of this weight holding goods worth this much."""
        if self.free_above is not None and goods_total >= self.free_above:
            return Decimal("0.00")
        weight_kg = (Decimal(weight_grams) / 1000).quantize(Decimal("0.001"))
        return self.get_charge(weight_kg)


from oscar.apps.shipping.models import *  # noqa: E402,F401,F403
