import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from oscar.apps.partner.models import Partner, StockRecord
from wagtail.images import get_image_model
from wagtail.models import Page

from catalogue.models import Category, Product, ProductImage
from cooperatives.models import Cooperative
from stories.models import CampaignPage, HomePage, StoryPage, StoryPageTag

pytestmark = pytest.mark.django_db

MODELS = [
    Cooperative, Partner, Product, StockRecord, ProductImage, Category,
    get_user_model(), Page, get_image_model(), StoryPage, StoryPageTag, CampaignPage,
]  # fmt: skip


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_loading_the_demo_twice_changes_nothing():
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    first = counts()
    call_command("load_demo_data", stdout=io.StringIO())
    assert counts() == first
    assert first["Cooperative"] == 3
    assert first["Product"] >= 40
    assert first["ProductImage"] == first["Product"]
    assert "quanly.babe@example.vn" in out.getvalue()
    assert "chophien-demo" in out.getvalue()


def test_demo_cooperatives_are_in_thai_nguyen_with_their_managers(demo_store):
    for cooperative in Cooperative.objects.all():
        assert (cooperative.province_code, cooperative.province_name) == ("19", "Thái Nguyên")
        assert cooperative.partner.name == cooperative.name
        managers = list(cooperative.partner.users.all())
        assert len(managers) == 1
        assert not managers[0].is_staff


def test_every_demo_product_has_a_price_stock_record_of_its_cooperative(demo_store):
    for product in Product.objects.select_related("cooperative"):
        (stockrecord,) = product.stockrecords.all()
        assert stockrecord.partner_id == product.cooperative.partner_id
        assert stockrecord.price_currency == "VND"
        assert stockrecord.price == stockrecord.price.to_integral_value() > 0
        assert product.categories.count() == 1


def test_demo_stories_use_every_block_and_a_campaign_is_running(client, demo_store):
    stories = StoryPage.objects.live()
    assert stories.count() >= 4
    block_types = {block.block_type for story in stories for block in story.body}
    assert block_types == {
        "paragraph", "image", "quote", "video", "product_card", "product_row",
        "cooperative_card",
    }  # fmt: skip
    (campaign,) = CampaignPage.objects.live()
    assert campaign.status() == "running"
    home = HomePage.objects.get()
    assert home.hero_title and len(home.featured_products) == 8
    story = stories.get(slug="nhung-soi-mien-phoi-nang")
    html = client.get(story.url).content.decode()
    assert "youtube-nocookie.com/embed/" in html  # the stored answer: no network
    assert 'action="/shop/basket/add/' in html
    assert client.get(campaign.url).status_code == 200
