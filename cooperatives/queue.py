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


def retry_later(task, **kwargs) -> None:
    """Send ``task`` with ``kwargs`` as its own first retry: after the delay Celery's
    backoff gives a first retry, and counted as one, after a first try made elsewhere.
    A broker that is down is logged, as by ``enqueue``."""
    from celery.utils.time import get_exponential_backoff_interval

    # The task's autoretry options, with Celery's defaults (True is a factor of 1).
    factor = int(getattr(task, "retry_backoff", False))
    maximum = getattr(task, "retry_backoff_max", 600)
    jitter = getattr(task, "retry_jitter", True)
    delay = get_exponential_backoff_interval(factor, 0, maximum, full_jitter=jitter)
    try:
        task.apply_async(kwargs=kwargs, countdown=delay, retries=1)
    except Exception:  # any broker error: the attempt is saved, and a sweep resends it
        logger.exception("Could not queue a retry of %s%r", task.name, kwargs)
