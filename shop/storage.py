"""Where uploaded files that must not be public are kept."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def private_storage() -> FileSystemStorage:
    """Files only the application reads (spreadsheets of prices and stock).

    Kept outside MEDIA_ROOT, which the web server or a CDN publishes, and given no
    URL, so they can only be downloaded through a permission-checked view.
    """
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)
