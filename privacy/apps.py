from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """A shopper's rights over their personal data: a copy of it, and its erasure."""

    name = "privacy"
    verbose_name = _("Privacy")
    default_auto_field = "django.db.models.AutoField"
