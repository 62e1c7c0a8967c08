"""What search engines and link previews read: head tags, sitemap.xml and robots.txt."""

import io
import re

import pytest
from django.core.files.images import ImageFile
from PIL import Image as PillowImage
from wagtail.images.models import Image

from stories.models import HomePage, StoryIndexPage, StoryPage
from tests.factories import CooperativeFactory, ProductFactory

pytestmark = pytest.mark.django_db


def meta(html: str, key: str) -> list[str]:
    """The content of every ``<meta property|name="key">`` in ``html``."""
    pattern = rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)"\s*/?>'
    return [" ".join(content.split()) for content in re.findall(pattern, html)]


def canonicals(html: str) -> list[str]:
    return re.findall(r'<link rel="canonical" href="([^"]*)">', html)


@pytest.fixture
def story_index():
    index = StoryIndexPage(title="Câu chuyện", slug="cau-chuyen")
    HomePage.objects.get().add_child(instance=index)
    return index


@pytest.fixture
def cover():
    buffer = io.BytesIO()
    PillowImage.new("RGB", (1600, 900), (90, 140, 60)).save(buffer, format="JPEG")
    return Image.objects.create(title="Phơi miến", file=ImageFile(buffer, name="phoi-mien.jpg"))


@pytest.fixture
def story(story_index, cover):
    story = StoryPage(
        title="Những sợi miến phơi nắng",
        slug="soi-mien",
        intro="Ở Côn Minh, cả làng phơi miến dong trên những giàn tre.",
        cover_image=cover,
    )
    story_index.add_child(instance=story)
    return story


def test_robots_txt_keeps_crawlers_out_of_consoles_baskets_and_orders(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[:2] == ["User-agent: *", "Allow: /"]
    for path in (
        "/dashboard/",
        "/cms/",
        "/django-admin/",
        "/quan-ly/",
        "/shop/basket/",
        "/shop/checkout/",
        "/don-hang/",
        "/shop/accounts/",
    ):
        assert f"Disallow: {path}" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines


def test_sitemap_lists_public_pages_products_and_cooperatives_only(client, story, story_index):
    product = ProductFactory(title="Miến dong Bạch Thông")
    hidden = ProductFactory(title="Miến dong ẩn", is_public=False)
    paused = CooperativeFactory(name="HTX tạm nghỉ", is_active=False)
    draft = StoryPage(title="Bản nháp", slug="ban-nhap", live=False)
    story_index.add_child(instance=draft)

    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    xml = response.content.decode()
    locations = re.findall(r"<loc>([^<]+)</loc>", xml)
    base = "http://testserver"
    assert f"{base}/" in locations  # the home page
    assert f"{base}{story.url}" in locations
    assert f"{base}{product.get_absolute_url()}" in locations
    assert f"{base}{product.cooperative.get_absolute_url()}" in locations
    assert f"{base}{hidden.get_absolute_url()}" not in locations
    assert f"{base}{paused.get_absolute_url()}" not in locations
    assert not any("ban-nhap" in location for location in locations)
    assert all(location.startswith(f"{base}/") for location in locations)
    assert "<lastmod>" in xml


def test_story_page_has_canonical_description_and_share_tags(client, story):
    response = client.get(story.url, {"utm_source": "zalo", "fbclid": "x"})
    assert response.status_code == 200
    html = response.content.decode()
    url = f"http://testserver{story.url}"
    assert canonicals(html) == [url]  # tracking parameters dropped, only one canonical
    assert meta(html, "og:url") == [url]
    assert meta(html, "og:type") == ["article"]
    assert meta(html, "og:title") == ["Những sợi miến phơi nắng"]
    description = "Ở Côn Minh, cả làng phơi miến dong trên những giàn tre."
    assert meta(html, "description") == [description]
    assert meta(html, "og:description") == [description]
    (image,) = meta(html, "og:image")
    assert re.fullmatch(r"http://testserver/media/images/[^\"]+\.fill-1200x630\.[^\"]*\.jpg", image)
    assert meta(html, "twitter:card") == ["summary_large_image"]


def test_seo_title_and_search_description_win(client, story):
    story.seo_title = "Miến dong Côn Minh"
    story.search_description = "Cách làm miến dong truyền thống."
    story.save_revision().publish()
    html = client.get(story.url).content.decode()
    assert "<title>Miến dong Côn Minh" in html
    assert meta(html, "og:title") == ["Miến dong Côn Minh"]
    assert meta(html, "og:description") == ["Cách làm miến dong truyền thống."]


def test_a_story_without_cover_has_no_share_image(client, story_index):
    story = StoryPage(title="Không ảnh", slug="khong-anh", intro="Chỉ có chữ.")
    story_index.add_child(instance=story)
    html = client.get(story.url).content.decode()
    assert meta(html, "og:image") == []
    assert meta(html, "twitter:card") == ["summary"]


def test_product_page_has_one_canonical_description_and_share_tags(client):
    product = ProductFactory(title="Mật ong rừng", description="<p>Hoa rừng <b>Ba Bể</b>.</p>")
    html = client.get(product.get_absolute_url(), {"utm_campaign": "tet"}).content.decode()
    url = f"http://testserver{product.get_absolute_url()}"
    assert canonicals(html) == [url]
    assert meta(html, "og:url") == [url]
    assert meta(html, "og:title") == ["Mật ong rừng"]
    assert meta(html, "og:description") == ["Hoa rừng Ba Bể."]
    assert len(meta(html, "og:image")) == 1
    assert "Hoa rừng" in meta(html, "description")[0]


def test_cooperative_page_has_one_canonical(client):
    cooperative = CooperativeFactory(name="HTX Chè Chợ Đồn", short_description="Chè Shan tuyết.")
    html = client.get(cooperative.get_absolute_url()).content.decode()
    assert canonicals(html) == [f"http://testserver{cooperative.get_absolute_url()}"]
    assert meta(html, "og:description") == ["Chè Shan tuyết."]


def test_other_pages_get_a_canonical_that_keeps_the_page_number(client, settings):
    settings.OSCAR_PRODUCTS_PER_PAGE = 1
    ProductFactory.create_batch(2)
    html = client.get("/shop/catalogue/", {"page": 1, "utm_source": "zalo"}).content.decode()
    assert canonicals(html) == ["http://testserver/shop/catalogue/"]
    html = client.get("/shop/catalogue/", {"page": 2, "fbclid": "x"}).content.decode()
    assert canonicals(html) == ["http://testserver/shop/catalogue/?page=2"]


def test_search_results_are_not_indexed(client):
    html = client.get("/tim-kiem/", {"q": "mien"}).content.decode()
    assert '<meta name="robots" content="noindex, follow">' in html
    assert canonicals(html) == []


def test_sitemap_lists_a_campaign_only_while_it_runs(client):
    import datetime

    from django.utils import timezone

    from stories import services

    home = HomePage.objects.get()
    index = services.campaign_index_create(home=home, title="Chiến dịch", slug="chien-dich")
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    for slug, start, end in (
        ("da-qua", today - 9 * day, today - day),
        ("sap-toi", today + day, today + 9 * day),
        ("dang-chay", today, today),
    ):
        services.campaign_publish(
            index=index, title=slug, slug=slug, start_date=start, end_date=end
        )

    locations = re.findall(r"<loc>([^<]+)</loc>", client.get("/sitemap.xml").content.decode())
    assert "http://testserver/chien-dich/dang-chay/" in locations
    assert not any("da-qua" in location or "sap-toi" in location for location in locations)
