from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.catalogue.abstract_models import AbstractProduct


class Product(AbstractProduct):
    """An oscar product that belongs to the cooperative which makes and ships it.

    Price and stock stay on oscar's ``StockRecord`` of the cooperative's partner.
    """

    cooperative = models.ForeignKey(
        "cooperatives.Cooperative",
        verbose_name=_("cooperative"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
    )


from oscar.apps.catalogue.models import *  # noqa: E402,F401,F403
