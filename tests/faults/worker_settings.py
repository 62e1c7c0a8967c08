"""Settings of the Celery workers the fault tests start: test settings, real providers.

The test's own settings keep mail in memory, which a worker in another process cannot
share; here mail goes by SMTP to ``EMAIL_HOST``/``EMAIL_PORT`` (the test's local server),
and SMS to ``SMS_API_URL`` when ``SMS_BACKEND`` names the HTTP backend, as in production.
"""

from shop.settings.test import *  # noqa: F403

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

# Scan for messages of dead workers every second instead of every 100 (10 s × 10 calls),
# so that a test with a short CELERY_VISIBILITY_TIMEOUT sees the redelivery promptly.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
