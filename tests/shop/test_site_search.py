"""``/tim-kiem/``: one search for products, stories, campaigns and cooperatives."""

import datetime
import itertools

import pytest
from django.urls import reverse

from stories.models import CampaignIndexPage, CampaignPage, HomePage, StoryIndexPage, StoryPage
from tests.factories import CooperativeFactory, ProductFactory

pytestmark = pytest.mark.django_db

URL = "/tim-kiem/"
_slugs = itertools.count()
ELSEWHERE = {"commune_name": "Xã Cẩm Giàng", "province_name": "Bắc Kạn"}


@pytest.fixture
def story_index():
    index = StoryIndexPage(title="Câu chuyện", slug="cau-chuyen")
    HomePage.objects.get().add_child(instance=index)
    return index


def add_story(index, *, title, intro="", live=True):
    story = StoryPage(title=title, slug=f"story-{next(_slugs)}", intro=intro, live=live)
    index.add_child(instance=story)
    return story


def search(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


def test_the_site_search_url():
    assert reverse("site-search") == URL


def test_the_header_search_goes_to_the_site_search(client):
    html = client.get(reverse("catalogue:index")).content.decode()
    assert f'action="{URL}"' in html


def test_words_without_accents_find_a_product_a_story_and_a_cooperative(client, story_index):
    vermicelli = ProductFactory(
        title="Miến dong Bạch Thông",
        cooperative__name="HTX Nông sản Na Rì",
        cooperative__commune_name="Xã Côn Minh",
    )
    ProductFactory(title="Chè Shan tuyết", cooperative__commune_name="Xã Cẩm Giàng")
    story = add_story(story_index, title="Mùa làm miến", intro="Những sợi miến dong phơi nắng.")
    add_story(story_index, title="Chè cổ thụ", intro="Búp chè trên núi cao.")
    honey_farm = CooperativeFactory(name="HTX Mật ong Ba Bể", **ELSEWHERE)
    CooperativeFactory(name="HTX Chè Chợ Đồn", **ELSEWHERE)

    found = search(client, q="mien dong").context
    assert list(found["page_obj"]) == [vermicelli]
    assert found["stories"] == [story]
    assert found["cooperatives"] == []

    found = search(client, q="ba be").context
    assert list(found["page_obj"]) == []
    assert found["stories"] == []
    assert found["cooperatives"] == [honey_farm]

    html = search(client, q="MIẾN dong").content.decode()
    assert "Miến dong Bạch Thông" in html
    assert f'href="{story.url}"' in html


def test_a_cooperative_is_found_by_its_commune_and_a_story_by_its_search_description(
    client, story_index
):
    farm = CooperativeFactory(name="HTX Nà Pài", commune_name="Xã Đồng Phúc")
    story = add_story(story_index, title="Người giữ rừng")
    story.search_description = "Chuyện ở Đồng Phúc"
    story.save_revision().publish()
    found = search(client, q="dong phuc").context
    assert found["cooperatives"] == [farm]
    assert [page.pk for page in found["stories"]] == [story.pk]


def test_a_running_campaign_is_found(client):
    campaigns = CampaignIndexPage(title="Chiến dịch", slug="chien-dich")
    HomePage.objects.get().add_child(instance=campaigns)
    today = datetime.date.today()
    campaign = CampaignPage(
        title="Hộp quà Tết",
        slug="hop-qua-tet",
        intro="Miến dong và mật ong cho ngày Tết.",
        start_date=today,
        end_date=today + datetime.timedelta(days=30),
    )
    campaigns.add_child(instance=campaign)
    found = search(client, q="hop qua tet").context
    assert [page.pk for page in found["stories"]] == [campaign.pk]
    assert isinstance(found["stories"][0], CampaignPage)


def test_hidden_products_drafts_and_paused_cooperatives_are_not_found(client, story_index):
    ProductFactory(title="Miến dong ẩn", is_public=False, cooperative__commune_name="Xã Côn Minh")
    paused = CooperativeFactory(name="HTX Miến dong cũ", is_active=False, **ELSEWHERE)
    ProductFactory(title="Miến dong của HTX tạm nghỉ", cooperative=paused)
    add_story(story_index, title="Miến dong (nháp)", live=False)
    response = search(client, q="mien dong")
    assert list(response.context["page_obj"]) == []
    assert response.context["stories"] == []
    assert response.context["cooperatives"] == []
    assert 'class="nonefound"' in response.content.decode()


def test_an_empty_query_shows_the_search_form_only(client):
    response = search(client, q="   ")
    assert response.context["query"] == ""
    assert "page_obj" not in response.context
    assert 'id="site-search-q"' in response.content.decode()


def test_the_query_is_escaped(client):
    attack = '"><script>alert(1)</script>'
    html = search(client, q=attack).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_stories_and_cooperatives_are_capped_and_link_to_all_of_them(client, story_index):
    for n in range(5):
        add_story(story_index, title=f"Chuyện chè số {n}")
        CooperativeFactory(name=f"HTX Chè số {n}", **ELSEWHERE)
    response = search(client, q="che")
    assert len(response.context["stories"]) == 4
    assert len(response.context["cooperatives"]) == 4
    html = response.content.decode()
    assert "?q=che&amp;type=stories" in html
    assert "?q=che&amp;type=cooperatives" in html

    stories = search(client, q="che", type="stories").context
    assert stories["paginator"].count == 5
    cooperatives = search(client, q="che", type="cooperatives").context
    assert [c.name for c in cooperatives["page_obj"]] == [f"HTX Chè số {n}" for n in range(5)]


def test_products_come_a_page_at_a_time(client, settings, story_index):
    settings.OSCAR_PRODUCTS_PER_PAGE = 2
    ProductFactory.create_batch(3, cooperative__commune_name="Xã Côn Minh")  # "Miến dong gói n"
    add_story(story_index, title="Miến dong")
    first = search(client, q="mien dong").context
    assert first["paginator"].count == 3
    assert len(first["page_obj"]) == 2
    assert len(first["stories"]) == 1
    second = search(client, q="mien dong", page=2).context
    assert len(second["page_obj"]) == 1
    assert "stories" not in second  # later pages show products only
    assert search(client, q="mien dong", page="x").context["page_obj"].number == 1


def test_search_page_query_budget(client, story_index, django_assert_num_queries):
    farm = CooperativeFactory(name="HTX Miến dong Na Rì", **ELSEWHERE)
    ProductFactory.create_batch(3, cooperative=farm)
    add_story(story_index, title="Miến dong Na Rì", intro="Miến dong")
    params = {"q": "mien dong"}
    client.get(URL, params)  # warm session, basket and site caches once
    # 11 -> 13: each word's cooperatives by name are read first, so that on PostgreSQL
    # the product condition can use the search indexes (catalogue/selectors.py).
    with django_assert_num_queries(13):  # raise only in a PR that says why
        response = client.get(URL, params)
    assert response.context["paginator"].count == 3
    ProductFactory.create_batch(17, cooperative=farm)
    with django_assert_num_queries(13):  # a full page of 20 products: no N+1
        response = client.get(URL, params)
    assert len(response.context["page_obj"]) == min(20, response.context["paginator"].count)
