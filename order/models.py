from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.address.abstract_models import AbstractShippingAddress
from oscar.apps.order.abstract_models import AbstractOrder

from address.models import VietnamAddressMixin
from payment.methods import CHOICES as PAYMENT_METHOD_CHOICES
from payment.methods import COD


class Order(AbstractOrder):
    """Oscar's order, plus how the shopper chose to pay (one method for all its parts)."""

    payment_method = models.CharField(
        _("payment method"), max_length=16, choices=PAYMENT_METHOD_CHOICES, default=COD
    )

    class Meta(AbstractOrder.Meta):
        app_label = "order"


class ShippingAddress(VietnamAddressMixin, AbstractShippingAddress):
    class Meta(AbstractShippingAddress.Meta):
        app_label = "order"

    def __str__(self) -> str:
        return self.summary


from oscar.apps.order.models import *  # noqa: E402,F401,F403
