import datetime

from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _
from oscar.apps.catalogue.abstract_models import AbstractProduct

OCOP_STAR_CHOICES = [(3, _("3 stars")), (4, _("4 stars")), (5, _("5 stars"))]
ALL_MONTHS = (1 << 12) - 1


def month_bit(month: int) -> int:
    """The bit of ``month`` (1-12) in ``Product.harvest_months``."""
    return 1 << (month - 1)


class Product(AbstractProduct):
    """An oscar product that belongs to the cooperative which makes and ships it.

    Price and stock stay on oscar's ``StockRecord`` of the cooperative's partner.
    Origin keeps the official code and name of the province and commune.
    """

    cooperative = models.ForeignKey(
        "cooperatives.Cooperative",
        verbose_name=_("cooperative"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="products",
    )
    origin_province_code = models.CharField(_("origin province code"), max_length=10, blank=True)
    origin_province_name = models.CharField(_("origin province"), max_length=100, blank=True)
    origin_commune_code = models.CharField(_("origin commune code"), max_length=10, blank=True)
    origin_commune_name = models.CharField(_("origin commune"), max_length=100, blank=True)
    unit_label = models.CharField(
        _("unit"), max_length=60, blank=True, help_text=_("What one item is, e.g. “gói 500 g”.")
    )
    net_weight_grams = models.PositiveIntegerField(
        _("net weight (g)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100_000)],
        help_text=_("Used to work out shipping."),
    )
    shelf_life_days = models.PositiveIntegerField(_("shelf life (days)"), null=True, blank=True)
    # One bit a month, January the lowest: any set of months, filtered with a bitwise AND.
    harvest_months = models.PositiveSmallIntegerField(
        _("harvest months"), default=0, validators=[MaxValueValidator(ALL_MONTHS)]
    )
    ocop_stars = models.PositiveSmallIntegerField(
        _("OCOP stars"), null=True, blank=True, choices=OCOP_STAR_CHOICES
    )
    ocop_certificate_number = models.CharField(
        _("OCOP certificate number"), max_length=60, blank=True
    )
    ocop_issued_on = models.DateField(_("OCOP recognised on"), null=True, blank=True)
    ocop_expires_on = models.DateField(_("OCOP valid until"), null=True, blank=True)

    class Meta(AbstractProduct.Meta):
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ocop_stars__isnull=True) | models.Q(ocop_stars__in=[3, 4, 5]),
                name="product_ocop_stars_3_to_5",
            ),
            models.CheckConstraint(
                condition=models.Q(ocop_stars__isnull=True)
                | (
                    ~models.Q(ocop_certificate_number="")
                    & models.Q(ocop_issued_on__isnull=False)
                    & models.Q(ocop_expires_on__gt=models.F("ocop_issued_on"))
                ),
                name="product_ocop_rating_complete",
                violation_error_message=_(
                    "An OCOP rating needs its certificate number, the date it was recognised "
                    "and a later expiry date."
                ),
            ),
        ]

    def ocop_is_valid(self, on: datetime.date | None = None) -> bool:
        """Whether the OCOP mark may be shown: rated, recognised already and not expired."""
        on = on or timezone.localdate()
        return bool(
            self.ocop_stars
            and self.ocop_issued_on
            and self.ocop_expires_on
            and self.ocop_issued_on <= on <= self.ocop_expires_on
        )

    @property
    def harvest_month_numbers(self) -> list[int]:
        return [month for month in range(1, 13) if self.harvest_months & month_bit(month)]

    @property
    def harvest_month_names(self) -> list[str]:
        return [MONTHS[month] for month in self.harvest_month_numbers]

    def in_season(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return bool(self.harvest_months & month_bit(on.month))

    @property
    def origin(self) -> str:
        return ", ".join(
            part for part in (self.origin_commune_name, self.origin_province_name) if part
        )


class ProductCertification(models.Model):
    """A quality certificate a product holds (VietGAP, organic, …)."""

    VIETGAP, ORGANIC, PGS, GLOBALGAP, HACCP = "vietgap", "organic", "pgs", "globalgap", "haccp"
    KIND_CHOICES = [
        (VIETGAP, "VietGAP"),
        (ORGANIC, _("Organic (TCVN 11041)")),
        (PGS, _("Organic, participatory guarantee (PGS)")),
        (GLOBALGAP, "GlobalG.A.P."),
        (HACCP, "HACCP"),
    ]
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="certifications"
    )
    kind = models.CharField(_("certification"), max_length=20, choices=KIND_CHOICES)
    certificate_number = models.CharField(_("certificate number"), max_length=60, blank=True)
    issued_by = models.CharField(_("issued by"), max_length=200, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        verbose_name = _("certification")
        verbose_name_plural = _("certifications")
        ordering = ["kind"]
        constraints = [
            models.UniqueConstraint(fields=["product", "kind"], name="product_certification_once")
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


from oscar.apps.catalogue.models import *  # noqa: E402,F401,F403
