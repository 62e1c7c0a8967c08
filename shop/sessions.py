"""Django's cached_db sessions, without a question each new session asks for nothing."""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBSessionStore
from django.utils.crypto import get_random_string


class SessionStore(CachedDBSessionStore):
    def _get_new_session_key(self) -> str:
        # Django asks Redis and then PostgreSQL whether a new random key (32 characters of
        # 36: about 10^49 of them) is taken before using it. The INSERT that creates the
        # session refuses a taken key anyway, and ``create`` then draws another; the
        # question cost a query and a Redis read on each new session, a guest's first
        # checkout step among them.
        return get_random_string(32, VALID_KEY_CHARS)
