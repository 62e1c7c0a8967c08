from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from cooperatives import statuses
from order.models import KeptRecordMixin
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
    min_order_value = models.DecimalField(
        _("minimum order"),
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("The least worth of goods this cooperative will ship in one order."),
    )
    offers_pickup = models.BooleanField(
        _("pickup at the cooperative"),
        default=False,
        help_text=_("Shoppers may collect their order at the cooperative's address."),
    )
    pickup_instructions = models.CharField(
        _("pickup instructions"),
        max_length=300,
        blank=True,
        help_text=_("Opening hours, whom to ask for."),
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


class Fulfilment(KeptRecordMixin, models.Model):
    """One cooperative's part of an order: what it ships, for how much, and how far along.

    A basket may hold several cooperatives' goods; checkout makes one oscar order and
    one fulfilment per cooperative in it. Status and payment move through services
    (``cooperatives/services/fulfillment.py``), each move recorded as an event. Like the
    order, it is never deleted (``KeptRecordMixin``).
    """

    order = models.ForeignKey(
        "order.Order",
        verbose_name=_("order"),
        on_delete=models.PROTECT,
        related_name="fulfilments",
    )
    cooperative = models.ForeignKey(
        Cooperative,
        verbose_name=_("cooperative"),
        on_delete=models.PROTECT,
        related_name="fulfilments",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=statuses.FULFILMENT_CHOICES, default=statuses.NEW
    )
    payment_status = models.CharField(_("payment"), max_length=16, choices=statuses.PAYMENT_CHOICES)
    goods_total = models.DecimalField(_("goods"), max_digits=12, decimal_places=2)
    shipping_method_code = models.CharField(_("shipping method code"), max_length=128)
    shipping_method_name = models.CharField(_("shipping method"), max_length=128)
    is_pickup = models.BooleanField(_("pickup"), default=False)
    shipping_charge = models.DecimalField(_("shipping"), max_digits=12, decimal_places=2)
    weight_grams = models.PositiveIntegerField(_("weight (g)"), default=0)
    # ASCII, unique, what the shopper types as the transfer's content (payment/vietqr.py).
    transfer_note = models.CharField(
        _("transfer note"), max_length=25, unique=True, null=True, blank=True
    )
    payment_due_by = models.DateTimeField(_("pay by"), null=True, blank=True)
    carrier = models.CharField(_("carrier"), max_length=64, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("fulfilment")
        verbose_name_plural = _("fulfilments")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "cooperative"], name="fulfilment_one_per_cooperative"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[code for code, _ in statuses.FULFILMENT_CHOICES]),
                name="fulfilment_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    payment_status__in=[code for code, _ in statuses.PAYMENT_CHOICES]
                ),
                name="fulfilment_payment_status_known",
            ),
            models.CheckConstraint(
                condition=models.Q(goods_total__gte=0, shipping_charge__gte=0),
                name="fulfilment_amounts_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["cooperative", "status", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.order.number} · {self.cooperative}"

    @property
    def total(self):
        return self.goods_total + self.shipping_charge

    @property
    def cod_amount(self):
        """What the carrier collects in cash: the whole part until it is collected."""
        if self.payment_status == statuses.PAYMENT_DUE:
            return self.total
        return self.total * 0

    @property
    def is_open(self) -> bool:
        return self.status not in (statuses.DELIVERED, statuses.CANCELLED, statuses.RETURNED)

    @property
    def shopper_can_cancel(self) -> bool:
        # A card payment covers the whole order in one Stripe session: cancelling one part
        # while that session is open would charge for goods no longer wanted.
        card_payment_open = (
            self.payment_status == statuses.PAYMENT_AWAITING and self.order.payment_method == "card"
        )
        return self.status in statuses.SHOPPER_CANCELLABLE and not card_payment_open

    @property
    def awaits_transfer(self) -> bool:
        return self.payment_status == statuses.PAYMENT_AWAITING and bool(self.transfer_note)


class FulfilmentEvent(KeptRecordMixin, models.Model):
    """An append-only record of something that happened to a fulfilment: who, when, what."""

    fulfilment = models.ForeignKey(
        Fulfilment, verbose_name=_("fulfilment"), on_delete=models.PROTECT, related_name="events"
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=8, choices=statuses.EVENT_KINDS)
    from_state = models.CharField(_("from"), max_length=16, blank=True)
    to_state = models.CharField(_("to"), max_length=16, blank=True)
    channel = models.CharField(
        _("channel"), max_length=16, choices=statuses.CHANNEL_CHOICES, default=statuses.CHANNEL_WEB
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("fulfilment event")
        verbose_name_plural = _("fulfilment events")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.fulfilment}: {self.from_state} → {self.to_state}"

    def save(self, *args, **kwargs):
        # The log is evidence of who did what: it is written once and never rewritten.
        if self.pk is not None:
            raise ValueError("Fulfilment events are append-only.")
        super().save(*args, **kwargs)

    @property
    def to_state_label(self) -> str:
        """The new state in the reader's language."""
        labels = dict(
            statuses.FULFILMENT_CHOICES
            if self.kind == statuses.EVENT_STATUS
            else statuses.PAYMENT_CHOICES
        )
        return str(labels.get(self.to_state, self.to_state))


class Notification(models.Model):
    """One message to one recipient over one channel, sent at most once.

    ``key`` names the message (e.g. ``order-placed:100123:shopper:email``); a task that
    runs twice finds the row already sent and sends nothing.
    """

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    STATUS_CHOICES = [
        (PENDING, _("Waiting")),
        (SENT, _("Sent")),
        (FAILED, _("Failed")),
    ]

    key = models.CharField(_("key"), max_length=200, unique=True)
    channel = models.CharField(_("channel"), max_length=16)
    recipient = models.CharField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("message"), blank=True)
    template_id = models.CharField(_("template"), max_length=64, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    order = models.ForeignKey(
        "order.Order",
        verbose_name=_("order"),
        on_delete=models.PROTECT,
        related_name="notifications",
        null=True,
        blank=True,
    )
    status = models.CharField(_("status"), max_length=8, choices=STATUS_CHOICES, default=PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    provider_reference = models.CharField(_("provider reference"), max_length=128, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.key
