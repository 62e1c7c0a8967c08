"""Tests: fast hashing, in-memory mail, eager Celery, throwaway media.

``DATABASE_URL`` picks the database (SQLite by default, PostgreSQL in CI's second
run); ``REDIS_URL`` switches the cache and the Celery broker to Redis.
"""

import os
import tempfile

os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

from .base import *  # noqa: E402,F403
from .base import BASE_DIR, DATABASES  # noqa: E402

SECRET_KEY = "test-only-key"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="chophien-test-media-")
PRIVATE_MEDIA_ROOT = tempfile.mkdtemp(prefix="chophien-test-private-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, so that ``--reuse-db`` skips the long oscar + Wagtail migrations.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("TEST_DB_NAME", str(BASE_DIR / ".test-db.sqlite3"))
    }
WAGTAILADMIN_BASE_URL = "http://testserver"
# Query budgets count rendered pages; tests/perf/ turns the page cache on where it is tested.
PAGE_CACHE_SECONDS = 0
# Each test clears the cache; a page this process held from an earlier test must not be
# served. tests/perf/test_page_cache.py turns it on where it is tested.
PAGE_CACHE_LOCAL_SECONDS = 0
# Views reach Redis at once, where the tests look for them.
PRODUCT_VIEWS_BUFFER_SECONDS = 0
# Every test client shares one address and the cache outlives a test: the suite would
# trip the limits a shopper never does. tests/security/ turns them on where it tests them.
RATELIMIT_ENABLE = False
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
