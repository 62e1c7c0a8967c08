from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopConfig(AppConfig):
    """Site-wide glue: accent-insensitive lookups, error pages and the health view."""

    name = "shop"
    verbose_name = _("Chợ Phiên")
    default_auto_field = "django.db.models.AutoField"

    def ready(self) -> None:
        from shop import db, page_cache

        db.install()
        # Cached anonymous pages are thrown away when what they show changes, wherever
        # the change is made: a view, the admin, a Celery task or a command.
        page_cache.connect_invalidation()
