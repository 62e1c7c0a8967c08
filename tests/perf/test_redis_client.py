"""The Redis cache keeps one client per connection pool (shop/cache.py)."""

import pytest
from django.conf import settings
from django.core.cache import cache

pytestmark = pytest.mark.skipif(
    not settings.REDIS_URL, reason="REDIS_URL is not set: the cache is in memory"
)


def test_cache_calls_share_one_client():
    cache.set("client-check", 1)
    first = cache._cache.get_client("client-check")
    assert cache.get("client-check") == 1
    assert cache._cache.get_client("client-check", write=True) is first
