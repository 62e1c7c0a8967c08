"""The shopper's order page: each cooperative's part, its status, payment and QR."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from cooperatives import selectors
from cooperatives.services.fulfillment import fulfilment_cancel_by_shopper


class ShopperOrderMixin:
    """The order in the URL, if its secret token matches: the link is the key for guests."""

    def get_order(self):
        order = selectors.order_for_shopper(number=self.kwargs["number"])
        if order is None or not order.check_verification_hash(self.kwargs["token"]):
            raise Http404
        return order


class OrderDetailView(ShopperOrderMixin, TemplateView):
    template_name = "cooperatives/order_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = self.get_order()
        context["order"] = order
        context["parts"] = selectors.order_parts(order=order)
        context["token"] = self.kwargs["token"]
        context["just_placed"] = self.request.session.get("checkout_order_id") == order.pk
        context["card_payment_due"] = selectors.order_card_payment_due(order=order)
        return context


class FulfilmentCancelView(ShopperOrderMixin, View):
    def post(self, request, *args, **kwargs):
        order = self.get_order()
        fulfilment = get_object_or_404(order.fulfilments, pk=kwargs["fulfilment_id"])
        try:
            fulfilment_cancel_by_shopper(fulfilment=fulfilment, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("You cancelled your order from %(cooperative)s; they have been told.")
                % {"cooperative": fulfilment.cooperative.name},
            )
        return redirect(selectors.order_page_path(order))
