"""Production: PostgreSQL, Redis, Celery worker and beat, static files by Whitenoise.

Refuses to start without a secret key, a PostgreSQL ``DATABASE_URL`` and a
``REDIS_URL``. ``bin/serve-production`` (``make prod``) runs it all on one host.
Deployment checklist: https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    ALLOWED_HOSTS,
    BASE_DIR,
    DATABASES,
    LOGGING,
    REDIS_URL,
    SECRET_KEY,
    STORAGES,
    env,
    env_bool,
)

if not SECRET_KEY:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY: production settings have no default key.")
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Set DATABASE_URL to a PostgreSQL database (postgres://…).")
if not REDIS_URL:
    raise ImproperlyConfigured("Set REDIS_URL (redis://…): the cache and Celery's broker.")

DEBUG = False
CELERY_TASK_ALWAYS_EAGER = False

STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Media stay where base.py put them (a folder, or S3 when AWS_STORAGE_BUCKET_NAME is set).
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Only for EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend (tests, staging).
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH") or None

# HTTPS everywhere. Behind a proxy that terminates TLS, set SECURE_PROXY_SSL_HEADER=1.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# A load balancer probes over plain HTTP; a redirect would read as "down".
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

# bin/serve-production on one machine: plain HTTP on loopback, where a browser (or
# requests) would never send a Secure cookie back. Refused for any other host name, so a
# copied environment file cannot turn HTTPS off on a public server.
PLAIN_HTTP_ON_LOOPBACK = env_bool("PLAIN_HTTP_ON_LOOPBACK", False)
if PLAIN_HTTP_ON_LOOPBACK:
    public = [host for host in ALLOWED_HOSTS if host not in {"127.0.0.1", "localhost", "[::1]"}]
    if public:
        raise ImproperlyConfigured(
            f"PLAIN_HTTP_ON_LOOPBACK is for loopback only; ALLOWED_HOSTS has {public}."
        )
    SECURE_SSL_REDIRECT = False
    SESSION_COOKIE_SECURE = False
    CSRF_COOKIE_SECURE = False

# One JSON object per line (shop/observability.py), for a log collector to parse.
LOGGING["handlers"]["console"]["formatter"] = env("LOG_FORMAT", "json")
