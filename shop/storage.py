"""Where uploaded files that must not be public are kept."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateFileSystemStorage(FileSystemStorage):
    """A file store with no public address: files are read by the application only."""

    def url(self, name):
        raise ValueError("Private files have no public URL; serve them through a checked view.")


def private_storage() -> FileSystemStorage:
    """Files only the application reads (spreadsheets of prices and stock).

    Kept outside MEDIA_ROOT, which the web server or a CDN publishes. Celery
    workers on other hosts need this folder shared (or an S3 bucket, issue 9).
    """
    return PrivateFileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT)
