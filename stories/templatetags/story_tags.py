"""Stories shown on shop pages; the shop never imports ``stories`` (ARCHITECTURE.md)."""

from django import template

from stories.models import StoryPage

register = template.Library()


@register.simple_tag
def stories_about_cooperative(cooperative, limit: int = 3):
    """Published stories about ``cooperative``, newest first."""
    return list(
        StoryPage.objects.live()
        .public()
        .filter(cooperative=cooperative)
        .select_related("cover_image")
        .order_by("-date")[:limit]
    )
