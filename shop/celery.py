"""The Celery application; configured from Django settings prefixed ``CELERY_``."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.dev")

app = Celery("shop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.task_prerun.connect
@signals.task_postrun.connect
def _connections_as_around_a_request(task=None, **kwargs) -> None:
    """Drop database connections that are too old or broken, as Django does around each
    request; the others are kept for the next task (settings: CELERY_DB_REUSE_MAX)."""
    if getattr(task.request, "is_eager", False):
        return  # run inside the caller's request or transaction: its connection, its rules
    from django.db import close_old_connections

    close_old_connections()
