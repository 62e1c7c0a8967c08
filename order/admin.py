from django.contrib import admin
from oscar.apps.order.admin import *  # noqa: F401,F403

from order import models

# Records of a sale: readable in the admin, never deleted from it (see KeptRecordMixin).
# Staff notes (OrderNote) stay deletable, as in oscar's dashboard.
KEPT_RECORDS = (
    models.Order,
    models.Line,
    models.LinePrice,
    models.LineAttribute,
    models.ShippingAddress,
    models.BillingAddress,
    models.OrderStatusChange,
    models.ShippingEvent,
    models.PaymentEvent,
    models.OrderDiscount,
    models.Surcharge,
    models.CommunicationEvent,
)


class KeepRecordsMixin:
    def has_delete_permission(self, request, obj=None):
        return False

    def get_inline_instances(self, request, obj=None):
        inlines = super().get_inline_instances(request, obj)
        for inline in inlines:  # e.g. an order's lines: no "delete" box either
            inline.can_delete = False
        return inlines


for _model in KEPT_RECORDS:
    _oscar_admin = type(admin.site.get_model_admin(_model))
    admin.site.unregister(_model)
    admin.site.register(
        _model,
        type(_oscar_admin.__name__, (KeepRecordsMixin, _oscar_admin), {"__module__": __name__}),
    )
