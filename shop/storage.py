"""Where uploaded files that must not be public are kept."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages


class PrivateFileSystemStorage(FileSystemStorage):
    """A file store with no public address: files are read by the application only."""

    def url(self, name):
        raise ValueError("Private files have no public URL; serve them through a checked view.")


def private_storage() -> Storage:
    """Files only the application reads (spreadsheets of prices and stock).

    Kept outside MEDIA_ROOT, which the web server or a CDN publishes: in the private
    part of the bucket when media are on S3 (``STORAGES["private"]``, shop/s3.py), which
    Celery workers on every host reach; otherwise in PRIVATE_MEDIA_ROOT, which workers on
    other hosts would need shared.
    """
    if "private" in settings.STORAGES:
        return storages["private"]
    return PrivateFileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT)
