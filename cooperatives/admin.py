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
from shop.uploads import check_new_photo


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

    # Django's image check alone lets any size and pixel count through (shop/uploads.py).
    def clean_logo(self):
        return check_new_photo(self.cleaned_data.get("logo"))

    def clean_cover_photo(self):
        return check_new_photo(self.cleaned_data.get("cover_photo"))

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


# --- Fulfilments: read-only here; refunds of card payments go through the service. ---------
from django.contrib import messages  # noqa: E402
from django.core.exceptions import PermissionDenied  # noqa: E402

from cooperatives import statuses  # noqa: E402
from cooperatives.models import Fulfilment, FulfilmentEvent  # noqa: E402


class FulfilmentEventInline(admin.TabularInline):
    model = FulfilmentEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "kind", "from_state", "to_state", "channel", "actor", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Fulfilment)
class FulfilmentAdmin(admin.ModelAdmin):
    """Read-only: cooperatives move their parts in the console; staff refund card payments."""

    list_display = (
        "order_number",
        "cooperative",
        "status",
        "payment_status",
        "part_total",
        "needs_refund",
        "payment_due_by",
        "created_at",
    )
    list_filter = ("status", "payment_status", "cooperative")
    list_select_related = ("order", "cooperative")
    search_fields = ("order__number", "cooperative__name", "tracking_number")
    readonly_fields = [f.name for f in Fulfilment._meta.fields]
    inlines = [FulfilmentEventInline]
    actions = ["refund_card_payment"]

    @admin.display(description=_("order"), ordering="order__number")
    def order_number(self, obj):
        return obj.order.number

    @admin.display(description=_("total"))
    def part_total(self, obj):
        return obj.total

    @admin.display(description=_("to refund"), boolean=True)
    def needs_refund(self, obj):
        # Money kept for a part that will never ship: staff must give it back.
        return obj.status == statuses.CANCELLED and obj.payment_status == statuses.PAYMENT_PAID

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Refund card payment"))
    def refund_card_payment(self, request, queryset):
        from cooperatives.services.payments import fulfilment_refund

        refunded = 0
        for fulfilment in queryset.select_related("order", "cooperative"):
            try:
                fulfilment_refund(fulfilment=fulfilment, actor=request.user)
            except (ValidationError, PermissionDenied) as error:
                reason = " ".join(getattr(error, "messages", None) or [str(error)])
                self.message_user(request, f"{fulfilment}: {reason}", messages.ERROR)
            else:
                refunded += 1
        if refunded:
            self.message_user(
                request,
                _("%(count)s part(s) refunded to the card.") % {"count": refunded},
                messages.SUCCESS,
            )


# --- Notifications: read-only, written by services and sent by tasks. ----------------------
from cooperatives.models import Notification  # noqa: E402


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: what was sent to whom, how often it was tried and what the provider said."""

    list_display = ("key", "channel", "status", "attempts", "sent_at")
    list_filter = ("status", "channel")
    search_fields = ("key", "recipient", "provider_reference")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
