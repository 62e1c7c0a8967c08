from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField


class Cooperative(models.Model):
    """A hợp tác xã that sells through Chợ Phiên.

    It is one-to-one with oscar's ``Partner``: the partner owns the stock records
    and its ``users`` are the cooperative's managers.
    """

    partner = models.OneToOneField(
        "partner.Partner",
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="cooperative",
    )
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    province = models.CharField(_("province"), max_length=100)
    commune = models.CharField(_("commune"), max_length=100, blank=True)
    address_line = models.CharField(_("address"), max_length=255, blank=True)
    phone = PhoneNumberField(_("phone"), blank=True, region="VN")
    email = models.EmailField(_("e-mail"), blank=True)
    short_description = models.CharField(_("short description"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("cooperative")
        verbose_name_plural = _("cooperatives")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cooperatives:detail", kwargs={"slug": self.slug})
