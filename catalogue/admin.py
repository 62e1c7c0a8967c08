from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oscar.apps.catalogue.admin import *  # noqa: F401,F403
from oscar.apps.catalogue.admin import ProductAdmin as CoreProductAdmin

from catalogue.models import Product, ProductCertification
from catalogue.selectors import ocop_certificates_expiring


class OcopExpiryFilter(admin.SimpleListFilter):
    """Lets staff find OCOP certificates to renew before the badge disappears."""

    title = _("OCOP certificate")
    parameter_name = "ocop"

    def lookups(self, request, model_admin):
        return [
            ("expiring", _("Expires within 60 days")),
            ("expired", _("Expired")),
            ("valid", _("Valid")),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "expiring":
            soon = ocop_certificates_expiring(within_days=60, today=today)
            return queryset.filter(pk__in=soon.filter(ocop_expires_on__gte=today).values("pk"))
        if self.value() == "expired":
            return queryset.filter(ocop_stars__isnull=False, ocop_expires_on__lt=today)
        if self.value() == "valid":
            return queryset.filter(ocop_stars__isnull=False, ocop_expires_on__gte=today)
        return queryset


class ProductCertificationInline(admin.TabularInline):
    model = ProductCertification
    extra = 0


admin.site.unregister(Product)


@admin.register(Product)
class ProductAdmin(CoreProductAdmin):
    list_display = (
        "get_title",
        "cooperative",
        "ocop_stars",
        "ocop_expires_on",
        "is_public",
        "date_created",
    )
    list_filter = [OcopExpiryFilter, "cooperative", "is_public", "structure"]
    list_select_related = ("cooperative", "product_class", "parent")
    search_fields = ["upc", "title", "ocop_certificate_number"]
    inlines = [*CoreProductAdmin.inlines, ProductCertificationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("cooperative")

    def changelist_view(self, request, extra_context=None):
        extra_context = extra_context or {}
        # Shown above the list on every visit, so nobody has to remember the filter.
        extra_context["ocop_expiring_count"] = (
            ocop_certificates_expiring(within_days=60)
            .filter(ocop_expires_on__gte=timezone.localdate())
            .count()
        )
        return super().changelist_view(request, extra_context)
