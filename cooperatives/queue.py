"""Queueing Celery tasks so that a broker outage never undoes or hides committed work."""

import logging

logger = logging.getLogger(__name__)


def enqueue(task, **kwargs) -> None:
    """Send ``task`` with ``kwargs``; if the broker is down, log it and carry on.

    Callers run this from ``transaction.on_commit``: the order (or event) is already
    saved, and the periodic sweeps (``notifications_requeue_task``,
    ``stripe_events_requeue_task``) send whatever could not be queued now.
    """
    try:
        task.delay(**kwargs)
    except Exception:  # any broker error: the work is saved, and a sweep resends it
        logger.exception("Could not queue %s%r", task.name, kwargs)
