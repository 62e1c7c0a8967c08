"""``shop.sessions``: a new session is one INSERT, and a taken key is never reused."""

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shop import sessions

pytestmark = pytest.mark.django_db


def test_a_new_session_is_written_without_asking_whether_its_key_is_taken():
    store = sessions.SessionStore()
    store["checkout"] = {"step": "delivery"}
    with CaptureQueriesContext(connection) as queries:
        store.save()
    assert not [q for q in queries if q["sql"].startswith("SELECT")]
    assert sessions.SessionStore(store.session_key)["checkout"] == {"step": "delivery"}


def test_a_key_already_taken_is_refused_and_another_drawn(monkeypatch):
    taken = sessions.SessionStore()
    taken["mine"] = "an earlier shopper's"
    taken.save()
    keys = iter([taken.session_key, "k" * 32])
    monkeypatch.setattr(sessions, "get_random_string", lambda *args: next(keys))

    store = sessions.SessionStore()
    store["checkout"] = "a new shopper's"
    store.save()

    assert store.session_key == "k" * 32
    assert Session.objects.count() == 2
    assert sessions.SessionStore(taken.session_key)["mine"] == "an earlier shopper's"
