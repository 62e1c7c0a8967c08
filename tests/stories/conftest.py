"""Pages of the content layer built through the stories services."""

import datetime
import io

import pytest
from django.core.files.images import ImageFile
from PIL import Image as PillowImage
from wagtail.images import get_image_model

from stories import services
from stories.models import HomePage


def wagtail_image(title: str = "Ảnh thử") -> object:
    buffer = io.BytesIO()
    PillowImage.new("RGB", (1200, 800), (120, 160, 90)).save(buffer, format="JPEG")
    return get_image_model().objects.create(title=title, file=ImageFile(buffer, name="anh-thu.jpg"))


@pytest.fixture
def home(db) -> HomePage:
    return HomePage.objects.get()


@pytest.fixture
def story_index(home):
    return services.story_index_create(home=home, title="Câu chuyện", slug="cau-chuyen")


@pytest.fixture
def campaign_index(home):
    return services.campaign_index_create(home=home, title="Chiến dịch", slug="chien-dich")


@pytest.fixture
def make_story(story_index):
    counter = iter(range(1, 10_000))

    def make(**fields):
        number = next(counter)
        defaults = {
            "index": story_index,
            "title": f"Câu chuyện số {number}",
            "slug": f"cau-chuyen-{number}",
            "intro": "Chuyện làng nghề.",
            "date": datetime.date(2026, 1, 1) + datetime.timedelta(days=number),
        }
        return services.story_publish(**{**defaults, **fields})

    return make
