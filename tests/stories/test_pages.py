"""Story index filters, home page content, campaigns in and out of their dates, and the
stories shown on product and cooperative pages."""

import datetime
from urllib.parse import quote

import pytest
from django.utils import timezone
from taggit.models import Tag

from stories import services
from stories.models import HomePage
from tests.factories import CooperativeFactory, ProductFactory
from tests.stories.conftest import wagtail_image

pytestmark = pytest.mark.django_db


def test_the_index_shows_twelve_stories_a_page(client, story_index, make_story):
    for _ in range(14):
        make_story()
    first = client.get(story_index.url)
    assert len(first.context["stories"]) == 12
    assert len(client.get(story_index.url + "?page=2").context["stories"]) == 2


def test_the_index_filters_by_tag_and_by_cooperative(client, story_index, make_story):
    tea = CooperativeFactory(name="HTX Chè")
    honey = CooperativeFactory(name="HTX Mật ong")
    about_tea = make_story(title="Chè cổ thụ", cooperative=tea, tags=["chè", "mùa thu hoạch"])
    about_both = make_story(
        title="Quà Tết", cooperative=honey, cooperatives=[tea], tags=["quà Tết"]
    )
    about_honey = make_story(title="Mật ong", cooperative=honey, tags=["mùa thu hoạch"])

    def titles(query):
        response = client.get(story_index.url + query)
        return {story.title for story in response.context["stories"]}

    harvest = quote(Tag.objects.get(name="mùa thu hoạch").slug)
    gifts = quote(Tag.objects.get(name="quà Tết").slug)
    assert titles("") == {about_tea.title, about_both.title, about_honey.title}
    assert titles(f"?tag={harvest}") == {about_tea.title, about_honey.title}
    assert titles(f"?cooperative={tea.slug}") == {about_tea.title, about_both.title}
    assert titles(f"?cooperative={tea.slug}&tag={gifts}") == {about_both.title}
    html = client.get(story_index.url).content.decode()
    assert f"?tag={harvest}" in html and f"?cooperative={tea.slug}" in html


def test_a_story_page_shows_author_tags_and_cover(client, make_story):
    story = make_story(author="Đặng Minh Thu", tags=["chè"], cover_image=wagtail_image())
    html = client.get(story.url).content.decode()
    assert "Đặng Minh Thu" in html
    assert f"?tag={quote(Tag.objects.get(name='chè').slug)}" in html
    assert "format-webp" in html and "800w" in html


def test_the_product_page_shows_the_story_behind_it(client, make_story):
    product = ProductFactory(title="Chè Shan tuyết hộp 200 g")
    make_story(title="Chè cổ thụ trên núi", products=[product])
    make_story(title="Chuyện khác")
    html = client.get(product.get_absolute_url()).content.decode()
    assert "Chè cổ thụ trên núi" in html
    assert "Chuyện khác" not in html


def test_the_cooperative_page_shows_stories_where_it_is_main_or_also_featured(client, make_story):
    tea = CooperativeFactory()
    make_story(title="Chuyện chính", cooperative=tea)
    make_story(title="Chuyện chung", cooperative=CooperativeFactory(), cooperatives=[tea])
    html = client.get(tea.get_absolute_url()).content.decode()
    assert "Chuyện chính" in html and "Chuyện chung" in html


def test_the_home_page_shows_only_what_editors_chose(client, home, make_story, campaign_index):
    chosen, hidden, _not_chosen = ProductFactory.create_batch(3)
    cooperative = CooperativeFactory(name="HTX Ba Bể Xanh")
    home.hero_title = "Đặc sản vùng cao"
    home.hero_text = "Mua thẳng từ hợp tác xã."
    home.hero_link_url = "/shop/catalogue/"
    home.hero_link_text = "Xem sản phẩm"
    home.hero_image = wagtail_image()
    home.featured_products = [("product", chosen), ("product", hidden)]
    home.featured_cooperatives = [("cooperative", cooperative)]
    home.save_revision().publish()
    hidden.is_public = False
    hidden.save()
    make_story(title="Chuyện mới nhất")
    today = timezone.localdate()
    services.campaign_publish(
        index=campaign_index, title="Mùa măng", slug="mua-mang", start_date=today,
        end_date=today + datetime.timedelta(days=3),
    )  # fmt: skip
    services.campaign_publish(
        index=campaign_index, title="Tết năm ngoái", slug="tet-cu",
        start_date=today - datetime.timedelta(days=30), end_date=today - datetime.timedelta(days=1),
    )  # fmt: skip
    response = client.get("/")
    html = response.content.decode()
    assert "Đặc sản vùng cao" in html and "Mua thẳng từ hợp tác xã." in html
    assert 'href="/shop/catalogue/"' in html and "Xem sản phẩm" in html
    assert response.context["featured_products"] == [chosen]
    assert html.count('class="product_pod"') == 1
    assert "HTX Ba Bể Xanh" in html
    assert "Chuyện mới nhất" in html
    assert "Mùa măng" in html and "Tết năm ngoái" not in html


def test_a_campaign_outside_its_dates_says_so_and_is_left_out_of_listings(client, campaign_index):
    today = timezone.localdate()
    product = ProductFactory(title="Giỏ quà Tết")
    ended = services.campaign_publish(
        index=campaign_index, title="Tết cũ", slug="tet-cu", products=[product],
        start_date=today - datetime.timedelta(days=9), end_date=today - datetime.timedelta(days=1),
    )  # fmt: skip
    upcoming = services.campaign_publish(
        index=campaign_index, title="Tết tới", slug="tet-toi",
        start_date=today + datetime.timedelta(days=1), end_date=today + datetime.timedelta(days=9),
    )  # fmt: skip
    running = services.campaign_publish(
        index=campaign_index, title="Mùa măng", slug="mua-mang", products=[product],
        start_date=today, end_date=today,
    )  # fmt: skip
    listed = client.get(campaign_index.url).context["campaigns"]
    assert list(listed) == [running]
    ended_html = client.get(ended.url).content.decode()
    assert "campaign-status" in ended_html and "Giỏ quà Tết" not in ended_html
    assert "campaign-status" in client.get(upcoming.url).content.decode()
    running_html = client.get(running.url).content.decode()
    assert "campaign-status" not in running_html and "Giỏ quà Tết" in running_html


def test_a_campaign_shows_its_voucher_code(client, campaign_index):
    from oscar.test.factories import VoucherFactory

    voucher = VoucherFactory(name="Quà Tết", code="TETVUNGCAO")
    today = timezone.localdate()
    campaign = services.campaign_publish(
        index=campaign_index, title="Tết", slug="tet", voucher=voucher,
        start_date=today, end_date=today,
    )  # fmt: skip
    assert "TETVUNGCAO" in client.get(campaign.url).content.decode()


def test_a_campaign_cannot_end_before_it_starts(campaign_index):
    from django.core.exceptions import ValidationError

    today = timezone.localdate()
    with pytest.raises(ValidationError):
        services.campaign_publish(
            index=campaign_index, title="Sai", slug="sai",
            start_date=today, end_date=today - datetime.timedelta(days=1),
        )  # fmt: skip


def test_home_has_a_single_root(home):
    assert HomePage.objects.count() == 1


@pytest.mark.parametrize(
    "address",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "//evil.example",
        "/\\evil.example",
        "http://example.vn/",
        "data:text/html,<script>alert(1)</script>",
        "https://",
    ],
)
def test_the_hero_link_refuses_anything_but_a_site_path_or_https(home, address):
    from django.core.exceptions import ValidationError

    home.hero_link_url = address
    with pytest.raises(ValidationError) as refused:
        home.full_clean()
    assert "hero_link_url" in refused.value.message_dict


@pytest.mark.parametrize("address", ["/shop/", "/shop/catalogue/?q=chè", "https://example.vn/"])
def test_the_hero_link_accepts_a_site_path_or_https(home, address):
    home.hero_link_url = address
    home.full_clean()


def test_a_hero_link_saved_around_validation_is_not_rendered(client, home):
    HomePage.objects.filter(pk=home.pk).update(
        hero_title="Đặc sản vùng cao",
        hero_link_text="Xem sản phẩm",
        hero_link_url="javascript:alert(1)",
    )
    html = client.get("/").content.decode()
    assert "Đặc sản vùng cao" in html
    assert "javascript:" not in html.lower()
    assert "Xem sản phẩm" not in html  # no button without a safe address

    HomePage.objects.filter(pk=home.pk).update(hero_link_url="https://example.vn/")
    assert 'href="https://example.vn/"' in client.get("/").content.decode()
