from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from address.selectors import communes, place_names, provinces
from cooperatives.models import Cooperative, ProductImport
from cooperatives.services.onboarding import (
    PROFILE_FIELDS,
    cooperative_managers_set,
    cooperative_onboard,
    cooperative_update,
)


class CooperativeAdminForm(forms.ModelForm):
    """Staff onboard a cooperative: official place by code, and who manages it."""

    province_code = forms.ChoiceField(label=_("Province"))
    commune_code = forms.ChoiceField(label=_("Commune"), required=False)
    managers = forms.ModelMultipleChoiceField(
        label=_("Managers"),
        queryset=get_user_model().objects.order_by("email"),
        required=False,
        widget=FilteredSelectMultiple(_("managers"), is_stacked=False),
        help_text=_("They manage this cooperative's products and orders."),
    )

    class Meta:
        model = Cooperative
        fields = ["name", "slug", "province_code", "commune_code", *sorted(PROFILE_FIELDS)]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province_code"].choices = [("", "---------")] + [
            (province.code, province.name) for province in provinces()
        ]
        # Communes grouped by province; the form checks the pair belongs together.
        groups: dict[str, list] = {}
        for commune in communes():
            groups.setdefault(commune.province.name, []).append((commune.code, commune.full_name))
        self.fields["commune_code"].choices = [("", "---------"), *groups.items()]
        if self.instance.pk:
            self.fields["managers"].initial = self.instance.partner.users.all()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("province_code"):
            try:
                place_names(
                    province_code=cleaned["province_code"],
                    commune_code=cleaned.get("commune_code") or "",
                )
            except ValidationError as error:
                self.add_error(None, error)  # its messages name the field at fault
        return cleaned


@admin.register(Cooperative)
class CooperativeAdmin(admin.ModelAdmin):
    form = CooperativeAdminForm
    list_display = ("name", "province_name", "commune_name", "phone", "is_active")
    list_filter = ("is_active", "province_name")
    search_fields = ("name", "slug", "tax_code", "phone")
    prepopulated_fields = {"slug": ("name",)}

    def get_readonly_fields(self, request, obj=None):
        # The slug is the profile's address, shared in chats and printed on packs.
        return ("slug",) if obj else ()

    def get_prepopulated_fields(self, request, obj=None):
        return {} if obj else self.prepopulated_fields

    def save_model(self, request, obj, form, change):
        """Writes go through the onboarding services, which keep the partner in step."""
        data = {
            field: form.cleaned_data[field]
            for field in PROFILE_FIELDS
            if field in form.cleaned_data
        }
        place = {
            "province_code": form.cleaned_data["province_code"],
            "commune_code": form.cleaned_data["commune_code"],
        }
        if change:
            saved = cooperative_update(
                cooperative=Cooperative.objects.get(pk=obj.pk),
                name=form.cleaned_data["name"],
                **place,
                **data,
            )
        else:
            saved = cooperative_onboard(
                name=form.cleaned_data["name"], slug=form.cleaned_data["slug"], **place, **data
            )
        # The admin redirects with ``obj`` and saves related data with ``form.instance``.
        obj.pk, obj.partner_id = saved.pk, saved.partner_id
        form.instance = saved

    def save_related(self, request, form, formsets, change):
        cooperative_managers_set(cooperative=form.instance, users=form.cleaned_data["managers"])


@admin.register(ProductImport)
class ProductImportAdmin(admin.ModelAdmin):
    """Read-only: imports are made and applied by managers in the console."""

    list_display = (
        "original_name",
        "cooperative",
        "status",
        "total_rows",
        "created_by",
        "created_at",
    )
    list_filter = ("status", "cooperative")
    # The spreadsheet itself stays private: it has no URL to link to.
    exclude = ("file",)
    readonly_fields = [f.name for f in ProductImport._meta.fields if f.name != "file"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
