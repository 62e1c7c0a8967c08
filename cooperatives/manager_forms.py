"""Forms of the manager console: what a manager types on a phone, checked before any write."""

from django import forms
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from address.selectors import communes, provinces
from catalogue.models import OCOP_STAR_CHOICES, Category
from shop.uploads import validate_image_upload


class ProductManageForm(forms.Form):
    """A cooperative's product with its price and stock, as one form.

    The province and commune lists are the official ones; the commune list shows
    the communes of the chosen province (or the cooperative's).
    """

    title = forms.CharField(label=_("Product name"), max_length=255)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    price = forms.IntegerField(label=_("Price (đồng)"), min_value=0, max_value=1_000_000_000)
    num_in_stock = forms.IntegerField(label=_("Units in stock"), min_value=0, max_value=1_000_000)
    unit_label = forms.CharField(
        label=_("Unit"), max_length=60, required=False, help_text=_("For example: gói 500 g")
    )
    net_weight_grams = forms.IntegerField(
        label=_("Net weight (g)"), min_value=1, max_value=100_000, required=False
    )
    categories = forms.ModelMultipleChoiceField(
        label=_("Categories"),
        queryset=Category.objects.browsable().order_by("path"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sku = forms.CharField(
        label=_("Product code"),
        max_length=64,
        required=False,
        help_text=_("Your own code, used by spreadsheet imports. Left empty, one is made up."),
    )
    shelf_life_days = forms.IntegerField(
        label=_("Shelf life (days)"), min_value=1, max_value=3650, required=False
    )
    harvest_months = forms.TypedMultipleChoiceField(
        label=_("Harvest months"),
        choices=[(month, name) for month, name in MONTHS.items()],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    origin_province_code = forms.ChoiceField(label=_("Origin province"))
    origin_commune_code = forms.ChoiceField(label=_("Origin commune"), required=False)
    ocop_stars = forms.TypedChoiceField(
        label=_("OCOP stars"),
        choices=[("", _("Not rated")), *OCOP_STAR_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
    )
    ocop_certificate_number = forms.CharField(
        label=_("OCOP certificate number"), max_length=60, required=False
    )
    ocop_issued_on = forms.DateField(
        label=_("OCOP recognised on"), required=False, help_text=_("dd/mm/yyyy")
    )
    ocop_expires_on = forms.DateField(
        label=_("OCOP valid until"), required=False, help_text=_("dd/mm/yyyy")
    )
    photo = forms.ImageField(
        label=_("Photo"),
        required=False,
        help_text=_("JPEG, PNG or WebP. Add more photos after saving."),
    )

    def __init__(self, *args, cooperative, with_photo=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_photo:
            del self.fields["photo"]
        self.fields["origin_province_code"].choices = [
            (province.code, province.name) for province in provinces()
        ]
        province_code = (
            self.data.get(self.add_prefix("origin_province_code"))
            or self.initial.get("origin_province_code")
            or cooperative.province_code
        )
        self.fields["origin_commune_code"].choices = [("", "---------")] + [
            (commune.code, commune.full_name) for commune in communes(province_code=province_code)
        ]
        self.fields["origin_province_code"].initial = cooperative.province_code
        self.fields["origin_commune_code"].initial = cooperative.commune_code
        for field in self.fields.values():
            if not isinstance(field.widget, forms.CheckboxSelectMultiple):
                field.widget.attrs.setdefault("class", "form-control")

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo:
            validate_image_upload(photo)
        return photo

    def clean(self):
        cleaned = super().clean()
        ocop = [
            cleaned.get(name)
            for name in (
                "ocop_stars",
                "ocop_certificate_number",
                "ocop_issued_on",
                "ocop_expires_on",
            )
        ]
        if any(ocop) and not all(ocop):
            raise forms.ValidationError(
                _(
                    "An OCOP rating needs its stars, certificate number, the date it was "
                    "recognised and the expiry date."
                )
            )
        if all(ocop) and cleaned["ocop_expires_on"] <= cleaned["ocop_issued_on"]:
            self.add_error("ocop_expires_on", _("The expiry date must come after recognition."))
        return cleaned


class ProductImageForm(forms.Form):
    photo = forms.ImageField(label=_("Photo"))

    def clean_photo(self):
        photo = self.cleaned_data["photo"]
        validate_image_upload(photo)
        return photo
