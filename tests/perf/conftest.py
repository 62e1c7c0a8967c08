import pytest

# The stories' page fixtures (home, story index, make_story), for the cached story pages.
from tests.stories.conftest import home, make_story, story_index  # noqa: F401


@pytest.fixture
def page_cache_on(settings):
    """The page cache as production runs it (the suite's settings turn it off)."""
    from django.core.cache import cache

    from shop import page_cache

    settings.PAGE_CACHE_SECONDS = 300
    cache.clear()
    page_cache._nearby.forget()
    yield
    cache.clear()
    page_cache._nearby.forget()
