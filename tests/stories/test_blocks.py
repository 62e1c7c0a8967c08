"""Story blocks as a shopper sees them: every block type, products live or gone, no script."""

from types import SimpleNamespace
from unittest import mock

import pytest
from wagtail.embeds.blocks import EmbedValue
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed

from stories.blocks import StoryStreamBlock, VideoBlock
from tests.factories import CooperativeFactory, ProductFactory
from tests.stories.conftest import wagtail_image

pytestmark = pytest.mark.django_db


def test_a_story_renders_every_block_type(client, make_story):
    product = ProductFactory(title="Miến dong gói 500 g", stockrecords__price=75000)
    others = [ProductFactory(title=f"Chè hộp {n}") for n in range(2)]
    cooperative = CooperativeFactory(name="HTX Chè Chợ Đồn", short_description="Chè cổ thụ.")
    image = wagtail_image("Giàn phơi miến")
    url = "https://www.youtube.com/watch?v=abc"
    Embed.objects.create(
        url=url,
        max_width=800,
        hash=get_embed_hash(url, 800),
        type="video",
        html='<iframe src="https://www.youtube-nocookie.com/embed/abc" width="800"></iframe>',
    )
    story = make_story(
        body=[
            ("paragraph", "<h2>Mùa dong</h2><p>Củ <b>dong</b> riềng.</p>"),
            ("image", {"image": image, "alt_text": "Miến phơi", "caption": "Giàn tre"}),
            ("quote", {"text": "Nắng to thì miến giòn.", "attribution": "Bà Lan"}),
            ("video", {"video": EmbedValue(url), "caption": "Làm miến"}),
            ("product_card", {"product": product, "blurb": "Gói nhỏ cho bữa tối."}),
            ("product_row", {"title": "Cùng làng", "products": others}),
            ("cooperative_card", {"cooperative": cooperative, "blurb": ""}),
        ]
    )
    with mock.patch("wagtail.embeds.finders.oembed.OEmbedFinder.find_embed") as finder:
        html = client.get(story.url).content.decode()
    finder.assert_not_called()  # the stored answer is used: no network
    assert "<h2>Mùa dong</h2>" in html and "<b>dong</b>" in html
    # Image: a Wagtail rendition in WebP, 400 and 800 wide.
    assert 'srcset="' in html and ".format-webp.webp 400w" in html and "800w" in html
    assert 'alt="Miến phơi"' in html and "Giàn tre" in html
    assert "Nắng to thì miến giòn." in html and "Bà Lan" in html
    assert 'src="https://www.youtube-nocookie.com/embed/abc"' in html
    # Product card: live price, and an add-to-basket form posting to basket:add.
    assert "75.000\xa0₫" in html
    assert f'action="/shop/basket/add/{product.pk}/"' in html
    assert "Gói nhỏ cho bữa tối." in html
    assert html.count('class="product_pod"') == 3
    assert "Chè hộp 0" in html and "Chè hộp 1" in html
    assert "HTX Chè Chợ Đồn" in html and "Chè cổ thụ." in html


def test_price_and_stock_are_read_when_the_story_renders(client, make_story):
    product = ProductFactory(stockrecords__price=75000, stockrecords__num_in_stock=5)
    story = make_story(body=[("product_card", {"product": product, "blurb": ""})])
    assert "75.000\xa0₫" in client.get(story.url).content.decode()
    stockrecord = product.stockrecords.get()
    stockrecord.price = 82000
    stockrecord.num_in_stock = 0
    stockrecord.save()
    html = client.get(story.url).content.decode()
    assert "82.000\xa0₫" in html
    assert f'action="/shop/basket/add/{product.pk}/"' not in html  # out of stock: no button


def test_a_hidden_or_deleted_product_leaves_the_story_without_breaking_it(client, make_story):
    hidden, deleted, kept = ProductFactory.create_batch(3)
    story = make_story(
        body=[
            ("product_card", {"product": hidden, "blurb": "Sản phẩm đã ẩn"}),
            ("product_card", {"product": deleted, "blurb": "Sản phẩm đã xoá"}),
            ("product_row", {"title": "", "products": [hidden, deleted, kept]}),
        ]
    )
    hidden.is_public = False
    hidden.save()
    deleted.delete()
    response = client.get(story.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sản phẩm đã ẩn" not in html and "Sản phẩm đã xoá" not in html
    assert html.count('class="product_pod"') == 1
    assert kept.get_title() in html


def test_an_inactive_cooperative_card_is_left_out(client, make_story):
    cooperative = CooperativeFactory(name="HTX Đã nghỉ")
    story = make_story(body=[("cooperative_card", {"cooperative": cooperative, "blurb": ""})])
    cooperative.is_active = False
    cooperative.save()
    response = client.get(story.url)
    assert response.status_code == 200
    assert "HTX Đã nghỉ" not in response.content.decode().split("<article")[1]


def test_rich_text_cannot_carry_script_to_a_shopper(client, make_story):
    story = make_story(
        body=[
            (
                "paragraph",
                '<p>Chè ngon<script>alert("x")</script></p>'
                '<p><img src="x" onerror="alert(1)"><a href="javascript:alert(2)">bấm</a>'
                '<a href="https://example.vn/" onclick="alert(3)">trang</a></p>',
            )
        ]
    )
    html = client.get(story.url).content.decode().split('class="story"')[1]
    assert "<script>alert" not in html and 'alert("x")' not in html
    assert "onerror" not in html and "onclick" not in html and "javascript:" not in html
    assert "Chè ngon" in html and '<a href="https://example.vn/">trang</a>' in html


def test_an_embed_answer_with_script_is_reduced_to_its_iframe(client, make_story):
    url = "https://www.youtube.com/watch?v=evil"
    evil = (
        '<div class="video"><script>steal()</script>'
        '<iframe src="https://www.youtube.com/embed/evil" onload="steal()"></iframe>'
        '<iframe src="http://insecure.example/"></iframe><img src=x onerror=steal()></div>'
    )
    embed = SimpleNamespace(html=evil, is_responsive=False, ratio=None)
    story = make_story(body=[("video", {"video": EmbedValue(url), "caption": ""})])
    with mock.patch("wagtail.embeds.embeds.get_embed", return_value=embed):
        html = client.get(story.url).content.decode().split('class="story"')[1]
    assert "steal()" not in html and "onload" not in html and "onerror" not in html
    assert '<iframe src="https://www.youtube.com/embed/evil"></iframe>' in html
    assert "insecure.example" not in html


def test_a_video_block_stores_the_link_only():
    value = VideoBlock().to_python({"video": "https://youtu.be/abc", "caption": "Làm miến"})
    assert value["video"].url == "https://youtu.be/abc"
    assert VideoBlock().get_prep_value(value) == {
        "video": "https://youtu.be/abc",
        "caption": "Làm miến",
    }


def test_blocks_saved_before_they_had_captions_still_load():
    image = wagtail_image()
    stream = StoryStreamBlock().to_python(
        [{"type": "image", "value": image.pk}, {"type": "quote", "value": "Lời cũ"}]
    )
    assert stream[0].value["image"] == image
    assert stream[1].value["text"] == "Lời cũ"
