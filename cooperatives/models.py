from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from payment.banks import bank_choices, banks
from shop.storage import private_storage


class Cooperative(models.Model):
    """A hợp tác xã that sells through Chợ Phiên.

    It is one-to-one with oscar's ``Partner``: the partner owns the stock records
    and its ``users`` are the cooperative's managers. Province and commune keep the
    official code *and* name, since codes of merged units get reused.
    """

    partner = models.OneToOneField(
        "partner.Partner",
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="cooperative",
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    province_code = models.CharField(_("province code"), max_length=10)
    province_name = models.CharField(_("province"), max_length=100)
    commune_code = models.CharField(_("commune code"), max_length=10, blank=True)
    commune_name = models.CharField(_("commune"), max_length=100, blank=True)
    address_line = models.CharField(
        _("address"),
        max_length=255,
        blank=True,
        help_text=_("House, street or hamlet (thôn, bản)."),
    )
    phone = PhoneNumberField(_("phone"), blank=True, region="VN")
    zalo_phone = PhoneNumberField(
        _("Zalo phone"),
        blank=True,
        region="VN",
        help_text=_("The number shoppers chat with on Zalo."),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    tax_code = models.CharField(
        _("tax code"),
        max_length=14,
        blank=True,
        validators=[
            RegexValidator(
                r"^\d{10}(-\d{3})?$",
                _("A tax code has 10 digits, or 10 digits, a dash and 3 more."),
            )
        ],
    )
    founded_year = models.PositiveSmallIntegerField(
        _("year founded"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1945), MaxValueValidator(2100)],
    )
    member_count = models.PositiveIntegerField(_("members"), null=True, blank=True)
    short_description = models.CharField(_("short description"), max_length=300, blank=True)
    description = models.TextField(_("story"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="cooperatives/logos/", blank=True)
    cover_photo = models.ImageField(_("cover photo"), upload_to="cooperatives/covers/", blank=True)
    bank_bin = models.CharField(
        _("bank"),
        max_length=6,
        blank=True,
        choices=bank_choices,
        help_text=_("For VietQR transfers."),
    )
    bank_account_number = models.CharField(
        _("account number"),
        max_length=19,
        blank=True,
        validators=[
            RegexValidator(r"^[0-9A-Za-z]{4,19}$", _("Letters and digits only, 4 to 19 of them."))
        ],
    )
    bank_account_holder = models.CharField(
        _("account holder"),
        max_length=100,
        blank=True,
        help_text=_("As the bank writes it, e.g. HTX NONG SAN BA BE."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("cooperative")
        verbose_name_plural = _("cooperatives")
        ordering = ["name"]
        constraints = [
            # A VietQR payment needs all three, or none of them.
            models.CheckConstraint(
                condition=(
                    models.Q(bank_bin="", bank_account_number="", bank_account_holder="")
                    | (
                        ~models.Q(bank_bin="")
                        & ~models.Q(bank_account_number="")
                        & ~models.Q(bank_account_holder="")
                    )
                ),
                name="cooperative_bank_account_complete",
                violation_error_message=_(
                    "Give the bank, the account number and the holder, or none of them."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cooperatives:detail", kwargs={"slug": self.slug})

    @property
    def place(self) -> str:
        return ", ".join(part for part in (self.commune_name, self.province_name) if part)

    @property
    def bank(self):
        return banks().get(self.bank_bin)

    @property
    def has_bank_account(self) -> bool:
        return bool(self.bank_bin and self.bank_account_number and self.bank_account_holder)

    @property
    def zalo_url(self) -> str:
        """Zalo opens a chat from zalo.me/<number>, written the national way (0912345678)."""
        if not self.zalo_phone:
            return ""
        return "https://zalo.me/0" + str(self.zalo_phone.national_number)


class ProductImport(models.Model):
    """A spreadsheet of products (CSV or XLSX) a manager uploaded for their cooperative.

    It is checked in full first (a dry run whose report lists the products to create,
    the changes to existing ones and every error by row and column); only an import
    without errors can be applied, and then all its rows are written or none.
    """

    DRY_RUN_OK, INVALID, QUEUED, RUNNING, DONE, FAILED = (
        "dry_run_ok",
        "invalid",
        "queued",
        "running",
        "done",
        "failed",
    )
    STATUS_CHOICES = [
        (DRY_RUN_OK, _("Checked, ready to apply")),
        (INVALID, _("Has errors")),
        (QUEUED, _("Waiting to start")),
        (RUNNING, _("Applying")),
        (DONE, _("Applied")),
        (FAILED, _("Failed")),
    ]
    # An import may be (re)started from these: a failed one wrote nothing.
    STARTABLE = (DRY_RUN_OK, FAILED)
    IN_PROGRESS = (QUEUED, RUNNING)

    CSV, XLSX = "csv", "xlsx"
    FORMAT_CHOICES = [(CSV, "CSV"), (XLSX, _("Excel (.xlsx)"))]

    cooperative = models.ForeignKey(
        Cooperative,
        verbose_name=_("cooperative"),
        on_delete=models.CASCADE,
        related_name="product_imports",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    original_name = models.CharField(_("file name"), max_length=255)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", storage=private_storage)
    file_format = models.CharField(_("format"), max_length=4, choices=FORMAT_CHOICES)
    status = models.CharField(_("status"), max_length=20, choices=STATUS_CHOICES)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows applied"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("product import")
        verbose_name_plural = _("product imports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["dry_run_ok", "invalid", "queued", "running", "done", "failed"]
                ),
                name="product_import_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(processed_rows__lte=models.F("total_rows")),
                name="product_import_progress_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def can_apply(self) -> bool:
        return self.status in self.STARTABLE

    @property
    def in_progress(self) -> bool:
        return self.status in self.IN_PROGRESS
