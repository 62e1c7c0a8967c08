from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.address.abstract_models import AbstractBillingAddress, AbstractShippingAddress
from oscar.apps.order.abstract_models import (
    AbstractCommunicationEvent,
    AbstractOrder,
    AbstractOrderNote,
    AbstractPaymentEvent,
    AbstractShippingEvent,
)

from address.models import VietnamAddressMixin
from payment.methods import CHOICES as PAYMENT_METHOD_CHOICES
from payment.methods import COD


class KeptRecordQuerySet(models.QuerySet):
    """Rows that are evidence of a sale: never deleted, in bulk or one by one.

    Vietnam's accounting law keeps sales records for years (the README's "Data" section),
    and a shopper's erasure request anonymises them instead (privacy/services.py).
    """

    def delete(self):
        raise models.ProtectedError(
            f"{self.model._meta.verbose_name_plural} are kept, never deleted.", set(self[:20])
        )

    delete.queryset_only = True  # the manager must not grow a delete() either


class KeptRecordMixin(models.Model):
    """A model whose rows refuse ``delete()``; see ``KeptRecordQuerySet``."""

    objects = KeptRecordQuerySet.as_manager()

    class Meta:
        abstract = True

    def delete(self, *args, **kwargs):
        raise models.ProtectedError(f"{self._meta.verbose_name} {self} is kept.", {self})


class Order(KeptRecordMixin, AbstractOrder):  # noqa: DJ008 (oscar's __str__)
    """Oscar's order, plus how the shopper chose to pay (one method for all its parts).

    Never deleted (``KeptRecordMixin``): a cancelled order is a record of a sale too.
    """

    payment_method = models.CharField(
        _("payment method"), max_length=16, choices=PAYMENT_METHOD_CHOICES, default=COD
    )

    class Meta(AbstractOrder.Meta):
        app_label = "order"


# Oscar's models below differ only in what deleting a *related* row does: deleting a user
# or an event type must not take an order's history with it.


class BillingAddress(AbstractBillingAddress):
    country = models.ForeignKey(
        "address.Country", on_delete=models.PROTECT, verbose_name=_("Country")
    )

    class Meta(AbstractBillingAddress.Meta):
        app_label = "order"


class OrderNote(AbstractOrderNote):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        verbose_name=_("User"),
    )

    class Meta(AbstractOrderNote.Meta):
        app_label = "order"


class CommunicationEvent(AbstractCommunicationEvent):
    event_type = models.ForeignKey(
        "communication.CommunicationEventType",
        on_delete=models.PROTECT,
        verbose_name=_("Event Type"),
    )

    class Meta(AbstractCommunicationEvent.Meta):
        app_label = "order"


class ShippingEvent(AbstractShippingEvent):
    event_type = models.ForeignKey(
        "order.ShippingEventType",
        on_delete=models.PROTECT,
        verbose_name=_("Event Type"),
    )

    class Meta(AbstractShippingEvent.Meta):
        app_label = "order"


class PaymentEvent(AbstractPaymentEvent):
    event_type = models.ForeignKey(
        "order.PaymentEventType", on_delete=models.PROTECT, verbose_name=_("Event Type")
    )

    class Meta(AbstractPaymentEvent.Meta):
        app_label = "order"


class ShippingAddress(VietnamAddressMixin, AbstractShippingAddress):
    # Oscar cascades: deleting a country would take every order's address with it.
    country = models.ForeignKey(
        "address.Country", on_delete=models.PROTECT, verbose_name=_("Country")
    )

    class Meta(AbstractShippingAddress.Meta):
        app_label = "order"

    def __str__(self) -> str:
        return self.summary


from oscar.apps.order.models import *  # noqa: E402,F401,F403
