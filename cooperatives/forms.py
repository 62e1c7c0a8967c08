"""The delivery form of checkout and of phone orders: who, where, how each part ships, how to pay.

It lives with the cooperatives because it is built from a basket's cooperative parts;
the checkout fork and the manager console both use it."""

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from address.selectors import commune_choices, province_choices
from cooperatives.basket import BasketPart
from payment.methods import PaymentMethod
from shop import widgets

MOBILE_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)


def shipping_field_name(part: BasketPart) -> str:
    return f"shipping_{part.cooperative.pk}"


class DeliveryForm(forms.Form):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=100,
        widget=widgets.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = PhoneNumberField(
        label=_("Mobile phone"),
        region="VN",
        help_text=_("The cooperative calls this number to confirm your order."),
        error_messages={
            "invalid": _("Enter a Vietnamese mobile number, for example 0912 345 678."),
            "required": _("Enter your mobile number: the cooperative calls it to confirm."),
        },
        widget=widgets.TextInput(
            attrs={"type": "tel", "autocomplete": "tel-national", "inputmode": "tel"}
        ),
    )
    email = forms.EmailField(
        label=_("E-mail (optional)"),
        required=False,
        help_text=_("For a copy of your order. You can order without one."),
        widget=widgets.EmailInput(attrs={"autocomplete": "email"}),
    )
    province_code = forms.ChoiceField(
        label=_("Province or city"),
        widget=widgets.Select,
        error_messages={"required": _("Choose your province or city.")},
    )
    commune_code = forms.ChoiceField(
        label=_("Commune or ward"),
        widget=widgets.Select,
        error_messages={"required": _("Choose your commune or ward.")},
    )
    line1 = forms.CharField(
        label=_("House number and street, or hamlet"),
        help_text=_("For example: Thôn Pác Ngòi, or 12 Đường Trần Phú"),
        max_length=255,
        error_messages={"required": _("Tell us the house, street or hamlet to deliver to.")},
        widget=widgets.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    notes = forms.CharField(
        label=_("Delivery note (optional)"),
        required=False,
        max_length=500,
        widget=widgets.Textarea(attrs={"rows": 2}),
    )
    payment_method = forms.ChoiceField(
        label=_("Payment"),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how you will pay.")},
    )

    def __init__(
        self,
        *args,
        parts: list[BasketPart],
        payment_methods: list[PaymentMethod],
        ask_email: bool = True,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.parts = parts
        self.fields["province_code"].choices = [
            ("", _("Choose a province or city")),
            *province_choices(),
        ]
        self.fields["commune_code"].choices = (
            [("", _("Choose a commune or ward")), *commune_choices(self._province_code())]
            if self._province_code()
            else [("", _("Choose a province first"))]
        )
        if not ask_email:
            del self.fields["email"]
        self.fields["payment_method"].choices = [
            (method.code, method.label) for method in payment_methods
        ]
        self.payment_methods = {method.code: method for method in payment_methods}
        if payment_methods and not self.initial.get("payment_method"):
            self.initial["payment_method"] = payment_methods[0].code
        self.fields["commune_code"].error_messages["invalid_choice"] = _(
            "Choose a commune of the province you chose."
        )
        for field in self.fields.values():
            if not isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs.setdefault("class", "form-control")
        for part in parts:
            name = shipping_field_name(part)
            self.fields[name] = forms.ChoiceField(
                label=_("Delivery by %(cooperative)s") % {"cooperative": part.cooperative.name},
                choices=[(option.code, option.code) for option in part.options],
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose how this cooperative should deliver.")},
            )
            if part.options and not self.initial.get(name):
                self.initial[name] = part.options[0].code

    def _province_code(self) -> str:
        if self.is_bound:
            return (self.data.get(self.add_prefix("province_code")) or "")[:2]
        return self.initial.get("province_code", "")

    def shipping_groups(self):
        """Each part with its bound radio field and options, for the template."""
        return [
            {"part": part, "field": self[shipping_field_name(part)], "options": part.options}
            for part in self.parts
        ]

    def payment_choices(self):
        return [
            {
                "method": self.payment_methods[code],
                "checked": self["payment_method"].value() == code,
            }
            for code, _label in self.fields["payment_method"].choices
        ]

    def clean_full_name(self):
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_line1(self):
        return " ".join(self.cleaned_data["line1"].split())

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        if phonenumbers.number_type(phone) not in MOBILE_TYPES:
            raise ValidationError(
                _("Enter a mobile number (it starts with 03, 05, 07, 08 or 09)."),
                code="not_mobile",
            )
        return phone

    def clean(self):
        cleaned = super().clean()
        province_code = cleaned.get("province_code")
        commune_code = cleaned.get("commune_code")
        if province_code and commune_code:
            # Both were chosen from the lists built in __init__ (provinces in force, and
            # that province's communes in force): their names are the choices' labels,
            # as ``place_names`` would read them again.
            cleaned["province_name"] = dict(self.fields["province_code"].choices)[province_code]
            cleaned["commune_name"] = dict(self.fields["commune_code"].choices)[commune_code]
        return cleaned

    def session_data(self) -> dict:
        """What the checkout keeps between the delivery step and placing the order."""
        data = {
            key: self.cleaned_data.get(key, "")
            for key in (
                "full_name",
                "email",
                "province_code",
                "province_name",
                "commune_code",
                "commune_name",
                "line1",
                "notes",
                "payment_method",
            )
        }
        data["phone"] = self.cleaned_data["phone"].as_e164
        data["shipping"] = {
            str(part.cooperative.pk): self.cleaned_data[shipping_field_name(part)]
            for part in self.parts
        }
        return data
