"""Writes of story pages (used by demo data and, later, imports)."""

import datetime

from django.db import transaction
from django.utils.html import format_html
from wagtail.images.models import Image

from cooperatives.models import Cooperative
from stories.models import HomePage, StoryIndexPage, StoryPage


@transaction.atomic
def story_index_create(*, home: HomePage, title: str, slug: str, intro: str = "") -> StoryIndexPage:
    """Add a published story index under the home page."""
    index = StoryIndexPage(title=title, slug=slug, intro=intro)
    home.add_child(instance=index)
    index.save_revision().publish()
    return index


@transaction.atomic
def story_publish(
    *,
    index: StoryIndexPage,
    title: str,
    slug: str,
    intro: str,
    paragraphs: list[str],
    date: datetime.date,
    cooperative: Cooperative | None = None,
    cover_image: Image | None = None,
) -> StoryPage:
    """Add a story under ``index`` and publish it at once (no review: trusted sources only)."""
    story = StoryPage(
        title=title,
        slug=slug,
        intro=intro,
        date=date,
        cooperative=cooperative,
        cover_image=cover_image,
        body=[("paragraph", format_html("<p>{}</p>", text)) for text in paragraphs],
    )
    index.add_child(instance=story)
    story.save_revision().publish()
    return story
