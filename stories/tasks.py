"""Celery tasks of the content layer."""

from celery import shared_task
from django.core.management import call_command


@shared_task
def publish_scheduled_task() -> None:
    """Publish pages whose "go live" time has come and unpublish expired ones.

    Wagtail keeps scheduled revisions (``go_live_at`` / ``expire_at`` set in the
    page's "Publishing schedule") until something runs its
    ``manage.py publish_scheduled`` command; it only changes pages whose time has
    passed, so running it twice, or every minute, is safe. Without Celery beat, run
    the same command from cron::

        * * * * * cd /srv/chophien && .venv/bin/python manage.py publish_scheduled

    The beat entry (``CELERY_BEAT_SCHEDULE`` in ``shop/settings/base.py``)::

        "stories-publish-scheduled": {
            "task": "stories.tasks.publish_scheduled_task",
            "schedule": crontab(minute="*"),
        },
    """
    call_command("publish_scheduled")
