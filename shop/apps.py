from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class ShopConfig(AppConfig):
    """Site-wide glue: accent-insensitive lookups, error pages and the health view."""

    name = "shop"
    verbose_name = _("Chợ Phiên")
    default_auto_field = "django.db.models.AutoField"

    def ready(self) -> None:
        from PIL import Image

        from shop import db, page_cache

        db.install()
        # Cached anonymous pages are thrown away when what they show changes, wherever
        # the change is made: a view, the admin, a Celery task or a command.
        page_cache.connect_invalidation()
        # Pillow then refuses to decode a decompression bomb wherever an image is opened
        # (thumbnails, Wagtail renditions), not only in the upload checks of shop/uploads.py.
        Image.MAX_IMAGE_PIXELS = settings.MAX_IMAGE_UPLOAD_PIXELS
