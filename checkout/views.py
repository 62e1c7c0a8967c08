"""Checkout in two steps for a phone on a slow network: delivery, then review and place.

Oscar's five steps (gateway, address, shipping method, payment method, preview) become
one form and one review page: every round trip costs seconds on rural 3G. Oscar's
session storage and pre-conditions are kept; placing the order is
``cooperatives.services.checkout.order_place``.
"""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views import generic
from oscar.apps.checkout import exceptions
from oscar.apps.checkout.session import CheckoutSessionMixin as CoreCheckoutSessionMixin
from oscar.apps.checkout.views import UserAddressDeleteView, UserAddressUpdateView  # noqa: F401

from cooperatives import selectors as cooperative_selectors
from cooperatives.basket import basket_parts, basket_problems
from cooperatives.forms import DeliveryForm
from cooperatives.services.checkout import (
    CheckoutError,
    DeliveryAddress,
    chosen_options,
    order_place,
    payment_methods_for,
)
from order.models import Order
from payment import methods as payment_methods

SESSION_NAMESPACE = "chophien"


class CheckoutSessionMixin(CoreCheckoutSessionMixin):
    pre_conditions = [
        "check_basket_is_not_empty",
        "check_basket_is_valid",
        "check_basket_can_be_ordered",
    ]

    def check_basket_can_be_ordered(self, request):
        self.parts = basket_parts(request.basket)
        problems = basket_problems(request.basket, self.parts)
        if problems:
            raise exceptions.FailedPreCondition(url=reverse("basket:summary"), messages=problems)

    def get_context_data(self, **kwargs):
        # Oscar's version builds a submission from its own session keys; ours are not there.
        return super(CoreCheckoutSessionMixin, self).get_context_data(**kwargs)

    def delivery_data(self) -> dict | None:
        return self.checkout_session._get(SESSION_NAMESPACE, "delivery")


class DeliveryView(CheckoutSessionMixin, generic.FormView):
    """Name, phone, address, delivery per cooperative and payment, on one page."""

    template_name = "oscar/checkout/delivery.html"
    form_class = DeliveryForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["parts"] = self.parts
        kwargs["payment_methods"] = payment_methods_for(self.parts)
        kwargs["ask_email"] = not self.request.user.is_authenticated
        return kwargs

    def saved_addresses(self):
        if not self.request.user.is_authenticated:
            # Not an empty queryset: asked whether it holds any, one still builds its SQL
            # (2 ms of the guest's delivery page) only to find there is none to run.
            return []
        return self.request.user.addresses.order_by("-is_default_for_shipping", "-pk")[:5]

    def get_initial(self):
        stored = self.delivery_data()
        if stored:
            initial = dict(stored)
            for code, option in stored.get("shipping", {}).items():
                initial[f"shipping_{code}"] = option
            return initial
        if not self.request.user.is_authenticated:
            return {}
        address = None
        wanted = self.request.GET.get("address", "")
        if wanted.isdigit():
            address = self.saved_addresses().filter(pk=wanted).first()
        if address is None:
            address = self.saved_addresses().first()
        if address is not None:
            return {
                "full_name": address.first_name,
                "phone": address.phone_number,
                "province_code": address.province_code,
                "commune_code": address.commune_code,
                "line1": address.line1,
                "notes": address.notes,
            }
        return {"full_name": self.request.user.get_full_name()}

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if "refresh" in request.POST:
            # No JavaScript: the province changed, show its communes and keep all else.
            form._errors = ErrorDict()  # not validated: nothing is wrong yet
            return self.render_to_response(self.get_context_data(form=form, refresh=True))
        if form.is_valid():
            return self.form_valid(form)
        return self.form_invalid(form)

    def form_valid(self, form):
        self.checkout_session._set(SESSION_NAMESPACE, "delivery", form.session_data())
        return redirect("checkout:preview")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["parts"] = self.parts
        context["saved_addresses"] = self.saved_addresses()
        return context


class PreviewView(CheckoutSessionMixin, generic.TemplateView):
    """What will be ordered, from whom, for how much; the one button that places it."""

    template_name = "oscar/checkout/preview.html"

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST":
            placed = self.order_already_placed(request)
            if placed is not None:
                return HttpResponseRedirect(cooperative_selectors.order_page_path(placed))
        return super().dispatch(request, *args, **kwargs)

    def order_already_placed(self, request) -> Order | None:
        """The order a repeated "place order" already made (double tap, retried request)."""
        basket_id = request.POST.get("basket_id", "")
        if not basket_id.isdigit() or int(basket_id) == request.basket.id:
            return None
        order = Order.objects.filter(basket_id=int(basket_id)).first()
        if order is not None and request.session.get("checkout_order_id") == order.pk:
            return order
        return None

    def get(self, request, *args, **kwargs):
        if not self.delivery_data():
            return redirect("checkout:index")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        data = self.delivery_data()
        try:
            chosen = chosen_options(parts=self.parts, choices=data.get("shipping", {}))
        except CheckoutError as error:
            chosen = []
            context.setdefault("errors", error.messages)
        shipping_total = sum(option.charge for _part, option in chosen)
        basket = self.request.basket
        context.update(
            {
                "delivery": data,
                "chosen": [
                    {"part": part, "option": option, "total": part.goods_total + option.charge}
                    for part, option in chosen
                ],
                "shipping_total": shipping_total,
                "order_total": basket.total_incl_tax + shipping_total,
                "payment_method": payment_methods.payment_method(data["payment_method"]),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        data = self.delivery_data()
        if not data:
            return redirect("checkout:index")
        try:
            order = order_place(
                basket=request.basket,
                user=request.user,
                address=DeliveryAddress(
                    full_name=data["full_name"],
                    phone=data["phone"],
                    province_code=data["province_code"],
                    province_name=data["province_name"],
                    commune_code=data["commune_code"],
                    commune_name=data["commune_name"],
                    line1=data["line1"],
                    notes=data["notes"],
                ),
                shipping_choices=data.get("shipping", {}),
                payment_method=data["payment_method"],
                guest_email=data.get("email", ""),
                expected_total=self.posted_total(),
                request=request,
            )
        except CheckoutError as error:
            return self.render_to_response(self.get_context_data(errors=error.messages))
        request.session["checkout_order_id"] = order.pk
        self.checkout_session.flush()
        if order.payment_method == payment_methods.CARD:
            return self.card_redirect(order)
        return HttpResponseRedirect(cooperative_selectors.order_page_path(order))

    def posted_total(self) -> Decimal | None:
        """The total the shopper saw on this page when they pressed "place order"."""
        try:
            return Decimal(self.request.POST.get("total", ""))
        except InvalidOperation:
            return None

    def card_redirect(self, order):
        from cooperatives.services.payments import card_checkout_start

        try:
            return HttpResponseRedirect(card_checkout_start(order=order))
        except ValidationError as error:
            # Stripe unreachable: the order stands, and its page offers to pay again.
            messages.warning(
                self.request,
                _("Your order is placed. %(problem)s You can pay from this page.")
                % {"problem": " ".join(error.messages)},
            )
            return HttpResponseRedirect(cooperative_selectors.order_page_path(order))


class ThankYouView(generic.RedirectView):
    """Oscar's thank-you page is the order page itself: one address to keep and share."""

    def get_redirect_url(self, *args, **kwargs):
        order_id = self.request.session.get("checkout_order_id")
        order = Order.objects.filter(pk=order_id).first() if order_id else None
        if order is None:
            return reverse("basket:summary")
        return cooperative_selectors.order_page_path(order)


class StepRedirectView(generic.RedirectView):
    """Oscar's separate steps, kept as addresses that lead to the one delivery step."""

    url = reverse_lazy("checkout:index")


IndexView = DeliveryView
ShippingAddressView = ShippingMethodView = PaymentMethodView = StepRedirectView
PaymentDetailsView = PreviewView
