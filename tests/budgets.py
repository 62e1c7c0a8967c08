"""Parts of query budgets that depend on how the suite runs."""

from django.conf import settings


def session_queries() -> int:
    """Reading a signed-in visitor's session: a query, unless Redis holds sessions.

    With ``REDIS_URL`` (CI's PostgreSQL + Redis run, production) sessions are
    ``cached_db``: read from Redis, so a request's budget is one query smaller.
    """
    return 0 if settings.REDIS_URL else 1


def basket_addition_queries() -> int:
    """Counting an addition to a basket: oscar's UPDATE, unless Redis counts it.

    With ``REDIS_URL`` it is counted in Redis and written in batches
    (catalogue/view_counts.py).
    """
    return 0 if settings.REDIS_URL else 1


def new_session_queries() -> int:
    """Creating a session: Django's db sessions ask first whether the new key is taken.

    With ``REDIS_URL`` sessions are ``shop.sessions``, which does not ask: the INSERT
    refuses a taken key.
    """
    return 0 if settings.REDIS_URL else 1
