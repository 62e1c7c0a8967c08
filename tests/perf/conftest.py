# The stories' page fixtures (home, story index, make_story), for the cached story pages.
from tests.stories.conftest import home, make_story, story_index  # noqa: F401
