"""Settings shared by every environment; every deploy-specific value comes from the environment.

Reference: https://docs.djangoproject.com/en/5.2/ref/settings/
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONCE
from django.utils.translation import gettext_lazy as _
from oscar.defaults import *  # noqa: F403  (all OSCAR_* defaults, overridden below)

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


SECRET_KEY = env("DJANGO_SECRET_KEY")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    # Project apps come before oscar and Wagtail so their templates and
    # management commands win.
    "shop.apps.ShopConfig",
    "cooperatives.apps.CooperativesConfig",
    "stories.apps.StoriesConfig",
    "privacy.apps.PrivacyConfig",
    # django-oscar; forks replace the oscar entry with the same label.
    "shop.oscar_config.ChoPhienShop",
    "oscar.apps.analytics.apps.AnalyticsConfig",
    "checkout.apps.CheckoutConfig",
    "address.apps.AddressConfig",
    "shipping.apps.ShippingConfig",
    "catalogue.apps.CatalogueConfig",
    "oscar.apps.catalogue.reviews.apps.CatalogueReviewsConfig",
    "oscar.apps.communication.apps.CommunicationConfig",
    "oscar.apps.partner.apps.PartnerConfig",
    "basket.apps.BasketConfig",
    "payment.apps.PaymentConfig",
    "oscar.apps.offer.apps.OfferConfig",
    "order.apps.OrderConfig",
    "oscar.apps.customer.apps.CustomerConfig",
    "search.apps.SearchConfig",
    "oscar.apps.voucher.apps.VoucherConfig",
    "oscar.apps.wishlists.apps.WishlistsConfig",
    "oscar.apps.dashboard.apps.DashboardConfig",
    "oscar.apps.dashboard.reports.apps.ReportsDashboardConfig",
    "oscar.apps.dashboard.users.apps.UsersDashboardConfig",
    "oscar.apps.dashboard.orders.apps.OrdersDashboardConfig",
    "oscar.apps.dashboard.catalogue.apps.CatalogueDashboardConfig",
    "oscar.apps.dashboard.offers.apps.OffersDashboardConfig",
    "oscar.apps.dashboard.partners.apps.PartnersDashboardConfig",
    "oscar.apps.dashboard.pages.apps.PagesDashboardConfig",
    "oscar.apps.dashboard.ranges.apps.RangesDashboardConfig",
    "oscar.apps.dashboard.reviews.apps.ReviewsDashboardConfig",
    "oscar.apps.dashboard.vouchers.apps.VouchersDashboardConfig",
    "oscar.apps.dashboard.communications.apps.CommunicationsDashboardConfig",
    "oscar.apps.dashboard.shipping.apps.ShippingDashboardConfig",
    "widget_tweaks",
    "haystack",
    "treebeard",
    "django_tables2",
    "sorl.thumbnail",
    "phonenumber_field",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    # Security (see the section at the end): login lock-out and Content Security Policy.
    "axes",
    "csp",
]

MIDDLEWARE = [
    # First, so that its one log line per request times and sees everything below it.
    "shop.observability.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed for slow mobile networks (home HTML 33 → 7 KB), with Django's BREACH
    # mitigation; below Whitenoise, which serves its own pre-compressed static files.
    "django.middleware.gzip.GZipMiddleware",
    "shop.security.ContentSecurityPolicyMiddleware",  # before anything that renders
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "shop.middleware.DashboardStaffOnlyMiddleware",  # partner users: console only
    "shop.security.RateLimitMiddleware",  # needs the session and the user
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Anonymous pages from the cache, and the header's basket count (shop/page_cache.py):
    # after sessions, language, CSRF, CSP and messages, whose state they check.
    "shop.page_cache.BasketCountCookieMiddleware",
    "shop.page_cache.AnonymousPageCacheMiddleware",
    "basket.middleware.BasketMiddleware",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: it turns a lock-out flagged during the view into its page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "shop.urls"
WSGI_APPLICATION = "shop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.template.context_processors.i18n",
                "django.contrib.messages.context_processors.messages",
                "oscar.apps.search.context_processors.search_form",
                "oscar.apps.checkout.context_processors.checkout",
                "oscar.apps.communication.notifications.context_processors.notifications",
                "oscar.core.context_processors.metadata",
                "shop.context_processors.site",
            ],
        },
    }
]

# Database: SQLite for a first run, PostgreSQL in production (DATABASE_URL).
# https://github.com/jazzband/dj-database-url
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several requests at once (Wagtail's autosave beside the editor's submit, two
    # shoppers on `make run`): SQLite's deferred transactions fail the second writer at
    # once with "database is locked"; IMMEDIATE ones take the lock up front and wait.
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}
elif env("DATABASE_SERVER_SIDE_BINDING", "1") == "1":
    # Parameters sent apart from the SQL, and a statement run twice on a connection is
    # prepared: PostgreSQL plans it once, not on every run. Planning the basket's line
    # query (seven tables) took 2 ms, longer than running it. Off behind a pooler in
    # transaction mode that cannot keep prepared statements.
    DATABASES["default"]["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 2}
# Decided once before the first migration: oscar's migrations read it (oscar-wagtail-notes P8).
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, but a Redis that is down is an empty cache, not a 500
            # (tests/faults/test_cache_down.py); a hung one gives up after a second.
            "BACKEND": "shop.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "chophien",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    # Sessions read from Redis, written to both: a signed-in shopper's cached page costs
    # one query (the user) instead of two. With Redis down they are read from PostgreSQL.
    SESSION_ENGINE = "shop.sessions"  # cached_db (see the module)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTHENTICATION_BACKENDS = [
    # First: django-axes refuses a locked-out account + address before any password check.
    "shop.security.LoginLockoutBackend",
    # Oscar's backend lets shoppers and staff sign in with their e-mail address.
    "oscar.apps.customer.auth_backends.EmailBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "customer:login"
LOGIN_REDIRECT_URL = "/"

# Internationalisation: Vietnamese first, English second.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our own vi/en formats: day-first dates and a thousands separator (see shop/formats/).
FORMAT_MODULE_PATH = ["shop.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
# Uploads that must never be served publicly (shop/storage.py), e.g. product imports.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private-media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Media on any S3-compatible store (AWS, MinIO, R2, a Vietnamese cloud's object storage)
# once a bucket is named: https://django-storages.readthedocs.io/en/latest/backends/amazon-S3.html
# Keys come from boto3's own AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. Set as AWS_*
# settings rather than STORAGES options because sorl-thumbnail builds its own S3Storage()
# from them. Photos go under media/ (publish that prefix with a bucket policy); private
# files under private/, or in AWS_PRIVATE_STORAGE_BUCKET_NAME, and have no URL at all.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")
if AWS_STORAGE_BUCKET_NAME:
    AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL") or None
    AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME") or None
    AWS_S3_CUSTOM_DOMAIN = env("AWS_S3_CUSTOM_DOMAIN") or None  # a CDN in front of the bucket
    AWS_LOCATION = "media"
    AWS_DEFAULT_ACL = None  # the bucket policy decides: most new buckets refuse ACLs
    AWS_QUERYSTRING_AUTH = False  # product photos are public: plain, cacheable addresses
    AWS_S3_FILE_OVERWRITE = False
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage"}
    STORAGES["private"] = {
        "BACKEND": "shop.s3.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_PRIVATE_STORAGE_BUCKET_NAME", AWS_STORAGE_BUCKET_NAME),
            "location": "private",
        },
    }
# Django serves MEDIA_ROOT itself only when asked: on one host with no web server in
# front (bin/serve-production); anywhere else nginx, a CDN or the bucket does.
SERVE_MEDIA = env_bool("SERVE_MEDIA", False) and not AWS_STORAGE_BUCKET_NAME

SITE_ID = 1
# How long an anonymous visitor's page is kept (shop/page_cache.py); 0 turns it off. Any
# change to what pages show throws them all away at once; this bounds what no change
# announces, such as "in season" turning over with the month.
PAGE_CACHE_SECONDS = int(env("PAGE_CACHE_SECONDS", "300"))
# How long a web process serves guests' pages it holds itself before asking Redis whether
# the shop changed (a change made through another process shows that much later); 0: ask
# every time.
PAGE_CACHE_LOCAL_SECONDS = float(env("PAGE_CACHE_LOCAL_SECONDS", "1"))
# Product page views a web process gathers before sending them to Redis in one go
# (catalogue/view_counts.py); 0 sends each at once.
PRODUCT_VIEWS_BUFFER_SECONDS = float(env("PRODUCT_VIEWS_BUFFER_SECONDS", "1"))
# Uploaded photos (shop/uploads.py): a phone photo is ~12 MP and a few MB.
MAX_IMAGE_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_IMAGE_UPLOAD_PIXELS = 40_000_000
# AGPL §13: users of the shop over the network are offered its source code (footer link).
SOURCE_CODE_URL = env("SOURCE_CODE_URL")
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# E-mail: the console in development, SMTP from the environment in production.
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# A slow mail server must not hold a notification's row lock (or a worker) for long.
EMAIL_TIMEOUT = int(env("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Chợ Phiên <no-reply@chophien.vn>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Where shoppers reach the shop: links in e-mails, SMS and Stripe's return addresses.
SHOP_BASE_URL = env("SHOP_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# Stripe: hosted Checkout; the signed webhook is the source of truth.
STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY")
STRIPE_PUBLISHABLE_KEY = env("STRIPE_PUBLISHABLE_KEY")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET")
# Empty means api.stripe.com; tests point the real library at a local fake of Stripe's API.
STRIPE_API_BASE = env("STRIPE_API_BASE")
# VND is zero-decimal at Stripe. Minimum: "$0.50 equivalent" (≈13,000 ₫ at 26,000 ₫/USD);
# maximum: eight digits. https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts
STRIPE_MIN_AMOUNT = int(env("STRIPE_MIN_AMOUNT", "13000"))
STRIPE_MAX_AMOUNT = 99_999_999
# Seconds to wait for Stripe: the shopper waits too, and the order row stays locked.
STRIPE_TIMEOUT = int(env("STRIPE_TIMEOUT", "15"))

# Managers are reminded of parts still not confirmed ("chốt đơn") this many hours after
# the order came in.
UNCONFIRMED_REMINDER_HOURS = int(env("UNCONFIRMED_REMINDER_HOURS", "4"))

# How long a prepaid part waits for its money before it is cancelled and its stock returned.
TRANSFER_PAYMENT_HOURS = int(env("TRANSFER_PAYMENT_HOURS", "48"))
CARD_PAYMENT_MINUTES = int(env("CARD_PAYMENT_MINUTES", "60"))
# The prefix of VietQR transfer notes (payment/vietqr.py): CP100123 HTX7.
VIETQR_NOTE_PREFIX = env("VIETQR_NOTE_PREFIX", "CP")

# Notifications (cooperatives/channels.py): e-mail through EMAIL_BACKEND; SMS and Zalo ZNS
# through these backends, which print to the console unless configured.
SMS_BACKEND = env("SMS_BACKEND", "cooperatives.channels.ConsoleSMSBackend")
SMS_API_URL = env("SMS_API_URL")
SMS_API_KEY = env("SMS_API_KEY")
SMS_BRANDNAME = env("SMS_BRANDNAME", "CHOPHIEN")
ZNS_BACKEND = env("ZNS_BACKEND", "cooperatives.channels.ConsoleZNSBackend")
ZNS_API_URL = env("ZNS_API_URL", "https://business.openapi.zalo.me/message/template")
ZNS_ACCESS_TOKEN = env("ZNS_ACCESS_TOKEN")
# Zalo approves each message template beforehand and gives it an id.
ZNS_TEMPLATES = {"order_placed": env("ZNS_TEMPLATE_ORDER_PLACED")}

# Celery: Redis broker; eager (in-process) when CELERY_TASK_ALWAYS_EAGER is set.
# https://docs.celeryq.dev/en/stable/django/first-steps-with-django.html
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL or "redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND") or None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Celery's Django fix-up closes the database connection before and after every task
# unless this is set: each task then paid for a new PostgreSQL backend and planned its
# statements afresh. With it set this high the fix-up never closes, and shop/celery.py
# treats a task as Django treats a request (CONN_MAX_AGE, CONN_HEALTH_CHECKS).
CELERY_DB_REUSE_MAX = 1_000_000_000
# A message taken by a worker that died without acking goes back to the queue this many
# seconds later (Redis has no acks of its own). Longer than any task runs and than the
# longest retry countdown (notifications: 600 s), or a slow task runs twice at once; the
# sweeps resend a lost notification or Stripe event sooner (10 and 5 minutes).
# https://docs.celeryq.dev/en/stable/getting-started/backends-and-brokers/redis.html#visibility-timeout
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(env("CELERY_VISIBILITY_TIMEOUT", "3600")),
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {
    "payments-expire": {
        "task": "cooperatives.tasks.payments_expire_task",
        "schedule": int(env("PAYMENTS_EXPIRE_EVERY_SECONDS", "300")),
    },
    "notifications-requeue": {
        "task": "cooperatives.tasks.notifications_requeue_task",
        "schedule": 600,
    },
    "unconfirmed-reminders": {
        "task": "cooperatives.tasks.unconfirmed_reminders_task",
        "schedule": 3600,
    },
    "manager-digest": {
        "task": "cooperatives.tasks.manager_digest_task",
        "schedule": crontab(hour=6, minute=0),  # before the day's packing
    },
    # Wagtail's scheduled publishing (stories/tasks.py runs `manage.py publish_scheduled`).
    "stories-publish-scheduled": {
        "task": "stories.tasks.publish_scheduled_task",
        "schedule": crontab(minute="*"),
    },
    "stripe-events-requeue": {
        "task": "cooperatives.tasks.stripe_events_requeue_task",
        "schedule": 300,
    },
    # Product page views counted in Redis, into oscar's analytics (catalogue/view_counts.py).
    "product-views-flush": {
        "task": "catalogue.tasks.product_views_flush_task",
        "schedule": 60,
    },
}

# django-oscar: https://django-oscar.readthedocs.io/en/stable/ref/settings.html
OSCAR_SHOP_NAME = "Chợ Phiên"
OSCAR_SHOP_TAGLINE = _("Products of rural cooperatives")
OSCAR_HOMEPAGE = "/"
OSCAR_DEFAULT_CURRENCY = "VND"
# Prices read "125.000 ₫" in every interface language: the Vietnamese convention.
OSCAR_CURRENCY_FORMAT = {"VND": {"locale": "vi"}}
# Oscar's slugifier spells Đ as "u0110"; Vietnamese write it as D.
OSCAR_SLUG_MAP = {"Đ": "D", "đ": "d"}
OSCAR_PRODUCTS_PER_PAGE = 24
# sorl-thumbnail (oscar's thumbnailer): each process remembers thumbnails already made
# instead of asking Redis once per picture (shop/thumbnail_kvstore.py).
THUMBNAIL_KVSTORE = "shop.thumbnail_kvstore.KVStore"
# Discounts in whole đồng: parts of a đồng cannot be transferred or charged.
OSCAR_OFFER_ROUNDING_FUNCTION = "shop.money.offer_discount_whole_dong"
OSCAR_REQUIRED_ADDRESS_FIELDS = ("first_name", "line1", "line4", "country")
OSCAR_ALLOW_ANON_CHECKOUT = True
OSCAR_FROM_EMAIL = DEFAULT_FROM_EMAIL

# Oscar still needs haystack installed, but Chợ Phiên browses and searches through
# the ORM (catalogue/selectors.py), so no index is kept and none is updated on save.
HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}
HAYSTACK_SIGNAL_PROCESSOR = "haystack.signals.BaseSignalProcessor"

# Wagtail: https://docs.wagtail.org/en/stable/reference/settings.html
WAGTAIL_SITE_NAME = "Chợ Phiên"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# Wagtail leaves Vietnamese out of its admin languages unless asked.
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
# ASCII page slugs: Vietnamese letters percent-encode into unreadable shared links.
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp"]
WAGTAILDOCS_EXTENSIONS = ["csv", "pdf", "txt", "xlsx"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        # One JSON object per line; a record's ``extra`` fields become its keys.
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": env("LOG_FORMAT", "plain")},
        "requests": {"class": "logging.StreamHandler", "formatter": "json"},
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        # One JSON line per request (shop/observability.py), whatever LOG_FORMAT says.
        "shop.requests": {
            "handlers": ["requests"],
            "level": env("REQUEST_LOG_LEVEL", "INFO"),
            "propagate": False,
        },
        # Both log a line per product or page saved: noise in demo loads and imports.
        "django.db.backends": {"level": "WARNING"},
        "oscar.alerts": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}

# Errors and their context go to Sentry when a DSN is set; personal data stays out.
# https://docs.sentry.io/platforms/python/integrations/django/
SENTRY_DSN = env("SENTRY_DSN")
if SENTRY_DSN:
    from shop.observability import sentry_init

    sentry_init(
        dsn=SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", "production"),
        release=env("SENTRY_RELEASE"),
        traces_sample_rate=float(env("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )

# Security ---------------------------------------------------------------------------------
# Defences against floods and guessing live in shop/security.py; tests in tests/security/.

# How many reverse proxies of our own (load balancer, nginx) stand in front of gunicorn.
# 0: REMOTE_ADDR is the client. N: the Nth address from the right of X-Forwarded-For is;
# addresses further left are written by the client and never trusted.
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))

# Login lock-out: https://django-axes.readthedocs.io/en/latest/4_configuration.html
# Five wrong passwords for one account from one address lock that pair out for 15
# minutes. Locking the pair, not the account alone, means an attacker guessing a
# cooperative manager's password cannot lock the real manager out from their own phone;
# locking the pair, not the address alone, keeps shoppers sharing a carrier's address
# (CGNAT) from locking each other out.
AXES_FAILURE_LIMIT = int(env("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True  # a manager who mistyped twice starts afresh once in
AXES_CLIENT_IP_CALLABLE = "shop.security.client_ip"
AXES_USERNAME_CALLABLE = "shop.security.login_identity"  # one count per account, any spelling
AXES_LOCKOUT_CALLABLE = "shop.security.login_locked_out"  # templates/axes/lockout.html, 429
# Successful logins are already in Django's last_login; only failures are kept.
AXES_DISABLE_ACCESS_LOG = True

# Rate limits (shop/security.py RATE_LIMITS) count in the default cache: Redis in
# production, so every gunicorn process shares the counters.
RATELIMIT_USE_CACHE = "default"
RATELIMIT_FAIL_OPEN = True  # with the cache down, serve rather than refuse everyone
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", True)

# Content Security Policy: https://django-csp.readthedocs.io/en/latest/configuration.html
# Same-origin only. Inline <script> is refused unless it carries the request's nonce
# (only oscar's page-load hook in templates/oscar/base.html does); style attributes are
# refused, so templates use CSS classes. VietQR codes are inline SVG, hence data: images.
# The Stripe Checkout origin is added to form-action per request (shop/security.py), as
# placing an order by card redirects the form there.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        # Story videos (stories/blocks.py VideoBlock): the players of YouTube and Vimeo.
        "frame-src": [
            "https://www.youtube.com",
            "https://www.youtube-nocookie.com",
            "https://player.vimeo.com",
        ],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Wagtail's, Django's and oscar's admin still use inline scripts and style attributes (Wagtail's
# CSP work is ongoing: https://github.com/wagtail/wagtail/issues/7053); Wagtail's preview
# frames its own pages, hence frame-ancestors 'self'. blob: for image crops and uploads.
CSP_ADMIN_URL_PREFIXES = ("/cms/", "/django-admin/", "/dashboard/")  # staff only
CONTENT_SECURITY_POLICY_ADMIN = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}
STRIPE_CHECKOUT_ORIGIN = "https://checkout.stripe.com"
# The admin contacts no one else either: no Gravatar images (they would also send a hash
# of each editor's e-mail address to a third party) and no version check with wagtail.org
# (upgrades come through requirements/ and the dependency audit).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False

# Uploads: photos are checked by shop/uploads.py (MAX_IMAGE_UPLOAD_*). Pillow itself
# refuses to decode anything larger than this, wherever an image is opened.
WAGTAILIMAGES_MAX_UPLOAD_SIZE = MAX_IMAGE_UPLOAD_BYTES
WAGTAILIMAGES_MAX_IMAGE_PIXELS = MAX_IMAGE_UPLOAD_PIXELS
# A request body, uploads aside, above 5 MB is refused; uploads above 2.5 MB go to a
# temporary file instead of memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
