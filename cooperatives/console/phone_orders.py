"""Orders taken by phone or Zalo: the manager types in what the shopper asked for.

One page, no JavaScript needed: a few product rows, the shopper's name, phone and
address (checked exactly as at checkout), payment and delivery. The order then follows
the same pipeline as a website order (``cooperatives.services.phone_orders``).
"""

import uuid

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView

from cooperatives import statuses
from cooperatives.basket import PICKUP
from cooperatives.forms import DeliveryForm
from cooperatives.manager import CooperativeManagerMixin
from cooperatives.selectors import products_for_phone_order
from cooperatives.services.checkout import CheckoutError, DeliveryAddress
from cooperatives.services.phone_orders import (
    PHONE_ORDER_CHANNELS,
    phone_order_payment_methods,
    phone_order_place,
)
from payment.money import vnd

ROWS = 5
CHANNEL_CHOICES = [
    (code, label) for code, label in statuses.CHANNEL_CHOICES if code in PHONE_ORDER_CHANNELS
]


SUBMISSION_PENDING = "pending"
SUBMISSION_SECONDS = 24 * 3600


class PhoneOrderForm(DeliveryForm):
    """The checkout's delivery form (same fields, checks and messages) plus product rows.

    Each row is a product of the cooperative and a quantity; blank rows are skipped and
    the same product on two rows is added up by the service.
    """

    submission = forms.CharField(widget=forms.HiddenInput, required=False, max_length=32)
    shipping_code = forms.ChoiceField(label=_("Delivery"), required=False)
    channel = forms.ChoiceField(
        label=_("The shopper ordered by"), choices=CHANNEL_CHOICES, initial=statuses.CHANNEL_PHONE
    )
    manager_note = forms.CharField(
        label=_("Note for the order log (optional)"),
        required=False,
        max_length=500,
        widget=forms.TextInput,
    )

    def __init__(self, *args, cooperative, products, **kwargs):
        super().__init__(
            *args,
            parts=[],
            payment_methods=phone_order_payment_methods(cooperative=cooperative),
            ask_email=False,
            **kwargs,
        )
        self.cooperative = cooperative
        self.products = {str(product.pk): product for product in products}
        self.fields["phone"].help_text = _("The shopper's mobile: the carrier calls it.")
        product_choices = [("", _("Choose a product"))] + [
            (key, self._product_label(product)) for key, product in self.products.items()
        ]
        for row in range(ROWS):
            self.fields[f"product_{row}"] = forms.ChoiceField(
                label=_("Product"),
                choices=product_choices,
                required=False,
                widget=forms.Select(attrs={"class": "form-control"}),
            )
            self.fields[f"quantity_{row}"] = forms.IntegerField(
                label=_("Quantity"),
                required=False,
                min_value=1,
                max_value=9999,
                widget=forms.NumberInput(
                    attrs={"class": "form-control", "inputmode": "numeric", "min": 1}
                ),
            )
        methods = [m for m in cooperative.shipping_methods.all() if m.is_active]
        self.fields["shipping_code"].choices = (
            [("", _("The cheapest delivery"))]
            + [(method.code, method.name) for method in methods]
            + ([(PICKUP, _("Pick up at the cooperative"))] if cooperative.offers_pickup else [])
        )
        for name in ("shipping_code", "channel", "manager_note"):
            self.fields[name].widget.attrs.setdefault("class", "form-control")

    @staticmethod
    def _product_label(product) -> str:
        stockrecord = next(iter(product.stockrecords.all()), None)  # prefetched
        if stockrecord is None or stockrecord.price is None:
            return product.get_title()
        unit = f" / {product.unit_label}" if product.unit_label else ""
        return _("%(title)s — %(price)s%(unit)s (%(left)s left)") % {
            "title": product.get_title(),
            "price": vnd(stockrecord.price),
            "unit": unit,
            "left": stockrecord.net_stock_level,
        }

    def item_rows(self):
        """Each row's bound product and quantity fields, for the template."""
        return [(self[f"product_{row}"], self[f"quantity_{row}"]) for row in range(ROWS)]

    def clean(self):
        cleaned = super().clean()
        items = []
        for row in range(ROWS):
            key = cleaned.get(f"product_{row}")
            quantity = cleaned.get(f"quantity_{row}")
            if f"quantity_{row}" in self.errors or f"product_{row}" in self.errors:
                continue
            if key and not quantity:
                self.add_error(f"quantity_{row}", _("How many?"))
            elif quantity and not key:
                self.add_error(f"product_{row}", _("Choose the product for this quantity."))
            elif key:
                items.append((self.products[key], quantity))
        if not items and not any(f"product_{row}" in self.errors for row in range(ROWS)):
            raise ValidationError(_("Add at least one product."), code="no_items")
        cleaned["items"] = items
        return cleaned

    def delivery_address(self) -> DeliveryAddress:
        data = self.cleaned_data
        return DeliveryAddress(
            full_name=data["full_name"],
            phone=data["phone"].as_e164,
            province_code=data["province_code"],
            province_name=data["province_name"],
            commune_code=data["commune_code"],
            commune_name=data["commune_name"],
            line1=data["line1"],
            notes=data.get("notes", ""),
        )


class PhoneOrderView(CooperativeManagerMixin, FormView):
    """Enter an order for a shopper who called, wrote on Zalo or came by."""

    template_name = "cooperatives/manager/phone_order.html"
    form_class = PhoneOrderForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["cooperative"] = self.cooperative
        kwargs["products"] = list(products_for_phone_order(cooperative=self.cooperative))
        return kwargs

    def get_initial(self):
        # One key per order being entered, carried through every re-render of the form: a
        # second tap or a retry after a dropped connection finds the order already placed.
        return {**super().get_initial(), "submission": uuid.uuid4().hex}

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        submission = request.POST.get("submission", "")[:32]
        if submission and "refresh" not in request.POST:
            placed = cache.get(self.submission_key(submission))
            if placed == SUBMISSION_PENDING:
                messages.info(request, _("This order is being placed; please wait a moment."))
                return redirect("manager:orders", cooperative_slug=self.cooperative.slug)
            if placed:
                return redirect(
                    "manager:order-detail", cooperative_slug=self.cooperative.slug, pk=placed
                )
        if "refresh" in request.POST:
            # No JavaScript: the province changed, show its communes and keep all else.
            form._errors = ErrorDict()
            return self.render_to_response(self.get_context_data(form=form, refresh=True))
        if form.is_valid():
            return self.form_valid(form)
        return self.form_invalid(form)

    def submission_key(self, submission: str) -> str:
        return f"phone-order:{self.cooperative.pk}:{submission}"

    def form_valid(self, form):
        data = form.cleaned_data
        key = self.submission_key(data["submission"]) if data.get("submission") else ""
        if key and not cache.add(key, SUBMISSION_PENDING, SUBMISSION_SECONDS):
            return redirect("manager:orders", cooperative_slug=self.cooperative.slug)
        try:
            order = phone_order_place(
                cooperative=self.cooperative,
                actor=self.request.user,
                items=data["items"],
                address=form.delivery_address(),
                payment_method=data["payment_method"],
                shipping_code=data["shipping_code"],
                channel=data["channel"],
                note=data["manager_note"],
            )
        except CheckoutError as error:
            if key:
                cache.delete(key)  # nothing was placed: the manager may correct and retry
            for message in error.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        except Exception:
            if key:
                cache.delete(key)
            raise
        fulfilment = order.fulfilments.get(cooperative=self.cooperative)
        if key:
            cache.set(key, fulfilment.pk, SUBMISSION_SECONDS)
        messages.success(
            self.request,
            _("Order %(number)s placed for %(name)s.")
            % {"number": order.number, "name": data["full_name"]},
        )
        return redirect(self.order_card_url(fulfilment))

    def order_card_url(self, fulfilment) -> str:
        """The new part's order card, or the order list while the card does not exist."""
        slug = self.cooperative.slug
        try:
            return reverse(
                "manager:order-detail", kwargs={"cooperative_slug": slug, "pk": fulfilment.pk}
            )
        except NoReverseMatch:
            return reverse("manager:orders", kwargs={"cooperative_slug": slug})

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["console_section"] = "phone-order"
        return ctx
