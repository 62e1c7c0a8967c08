import types

import pytest
from django.core.cache import cache


class Clock:
    """django-ratelimit's clock, held still so a count never straddles its window."""

    def __init__(self):
        self.now = 1_800_000_000.0

    def time(self) -> float:
        return self.now


@pytest.fixture
def rate_limits(settings, monkeypatch):
    """Rate limits on (the test settings turn them off), counted from zero; the clock."""
    settings.RATELIMIT_ENABLE = True
    clock = Clock()
    monkeypatch.setattr("django_ratelimit.core.time", types.SimpleNamespace(time=clock.time))
    cache.clear()
    yield clock
    cache.clear()
