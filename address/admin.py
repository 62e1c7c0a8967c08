from django.contrib import admin

from address.models import Commune, Province


class ReferenceListAdmin(admin.ModelAdmin):
    """Browse only: the list changes through ``manage.py load_administrative_units``."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Province)
class ProvinceAdmin(ReferenceListAdmin):
    list_display = ["code", "full_name", "division_type", "is_active"]
    list_filter = ["division_type", "is_active"]
    search_fields = ["code", "name__unaccent"]


@admin.register(Commune)
class CommuneAdmin(ReferenceListAdmin):
    list_display = ["code", "full_name", "province", "division_type", "is_active"]
    list_filter = ["division_type", "is_active", "province"]
    list_select_related = ["province"]
    search_fields = ["code", "name__unaccent"]


from oscar.apps.address.admin import *  # noqa: E402,F401,F403
