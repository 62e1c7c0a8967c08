from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from oscar.apps.address.abstract_models import AbstractUserAddress


class Province(models.Model):
    """A provincial-level unit (tỉnh or centrally-run city), one of the 34 since 1 July 2025.

    The official list is the reference: addresses elsewhere store a unit's code *and*
    its name, because codes get reused under new names. A unit dropped from the list
    is deactivated, never deleted.
    """

    class DivisionType(models.TextChoices):
        PROVINCE = "tinh", pgettext_lazy("division type", "province")
        CITY = "thanh_pho_trung_uong", pgettext_lazy("division type", "centrally-run city")

    code = models.CharField(_("code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=64, help_text=_("For example: Thái Nguyên"))
    full_name = models.CharField(
        _("official name"), max_length=80, help_text=_("For example: Tỉnh Thái Nguyên")
    )
    division_type = models.CharField(
        _("division type"), max_length=24, choices=DivisionType.choices
    )
    is_active = models.BooleanField(
        _("in force"), default=True, help_text=_("False once the official list drops it.")
    )

    class Meta:
        verbose_name = _("province")
        verbose_name_plural = _("provinces")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(division_type__in=["tinh", "thanh_pho_trung_uong"]),
                name="address_province_division_type_known",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class Commune(models.Model):
    """A commune-level unit (xã, phường or đặc khu) of a province: 3,321 since 1 July 2025.

    There is no district level any more: a commune belongs directly to its province.
    """

    class DivisionType(models.TextChoices):
        COMMUNE = "xa", pgettext_lazy("division type", "commune")
        WARD = "phuong", pgettext_lazy("division type", "ward")
        SPECIAL_ZONE = "dac_khu", pgettext_lazy("division type", "special zone")

    code = models.CharField(_("code"), max_length=5, primary_key=True)
    province = models.ForeignKey(
        Province, verbose_name=_("province"), on_delete=models.PROTECT, related_name="communes"
    )
    name = models.CharField(_("name"), max_length=64, help_text=_("For example: Ba Bể"))
    full_name = models.CharField(
        _("official name"), max_length=80, help_text=_("For example: Xã Ba Bể")
    )
    division_type = models.CharField(
        _("division type"), max_length=16, choices=DivisionType.choices
    )
    is_active = models.BooleanField(
        _("in force"), default=True, help_text=_("False once the official list drops it.")
    )

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(division_type__in=["xa", "phuong", "dac_khu"]),
                name="address_commune_division_type_known",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class VietnamAddressMixin(models.Model):
    """Province and commune of a Vietnamese address, each as official code *and* name.

    The name is a snapshot: codes are reused when units merge, so an old order must
    still say where it went. There is no district and no postcode since July 2025.
    Oscar's ``line1`` holds the detail line (house and street, or thôn/bản/xóm).
    """

    province_code = models.CharField(_("province code"), max_length=2, blank=True)
    province_name = models.CharField(_("province"), max_length=80, blank=True)
    commune_code = models.CharField(_("commune code"), max_length=5, blank=True)
    commune_name = models.CharField(_("commune"), max_length=80, blank=True)

    # Oscar builds the one-line summary and the address-book hash from these.
    base_fields = hash_fields = ["salutation", "line1", "commune_name", "province_name"]
    search_fields = ["first_name", "last_name", "line1", "commune_name", "province_name"]

    class Meta:
        abstract = True


class UserAddress(VietnamAddressMixin, AbstractUserAddress):
    class Meta(AbstractUserAddress.Meta):
        app_label = "address"

    def __str__(self) -> str:
        return self.summary


from oscar.apps.address.models import *  # noqa: E402,F401,F403
