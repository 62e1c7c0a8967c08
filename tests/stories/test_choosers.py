"""The admin choosers editors pick products and cooperatives with."""

import pytest

from tests.factories import CooperativeFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def test_the_product_chooser_lists_public_products_and_searches_titles(editor_client):
    tea = CooperativeFactory(name="HTX Chè Chợ Đồn")
    ProductFactory(title="Chè Shan tuyết hộp 200 g", cooperative=tea)
    ProductFactory(title="Miến dong gói 500 g")
    ProductFactory(title="Mật ong ẩn", is_public=False)
    html = editor_client.get("/cms/product_chooser/").json()["html"]
    assert "Chè Shan tuyết hộp 200 g" in html and "Miến dong gói 500 g" in html
    assert "Mật ong ẩn" not in html
    found = editor_client.get("/cms/product_chooser/results/?q=shan").content.decode()
    assert "Chè Shan tuyết hộp 200 g" in found and "Miến dong" not in found
    narrowed = editor_client.get(f"/cms/product_chooser/?cooperative={tea.pk}").json()["html"]
    assert "Chè Shan tuyết" in narrowed and "Miến dong" not in narrowed


def test_the_cooperative_chooser_lists_active_cooperatives(editor_client):
    CooperativeFactory(name="HTX Ba Bể Xanh")
    CooperativeFactory(name="HTX Đã nghỉ", is_active=False)
    html = editor_client.get("/cms/cooperative_chooser/").json()["html"]
    assert "HTX Ba Bể Xanh" in html and "HTX Đã nghỉ" not in html


def test_the_page_editors_open(editor_client, home, story_index, campaign_index):
    from django.urls import reverse

    urls = [
        reverse("wagtailadmin_pages:edit", args=(home.pk,)),
        reverse("wagtailadmin_pages:add", args=("stories", "storypage", story_index.pk)),
        reverse("wagtailadmin_pages:add", args=("stories", "campaignpage", campaign_index.pk)),
    ]
    for url in urls:
        assert editor_client.get(url).status_code == 200, url


def test_story_and_campaign_editors_pick_products_in_the_chooser_not_a_checkbox_list(
    editor_client, make_story, campaign_index
):
    """With thousands of products, the edit forms must not render one checkbox each."""
    import datetime

    from django.urls import reverse

    from stories import services

    chosen = ProductFactory(title="Chè Shan tuyết hộp 200 g")
    ProductFactory(title="Miến dong gói 500 g")  # not picked: absent from the form
    story = make_story(products=[chosen])
    campaign = services.campaign_publish(
        index=campaign_index, title="Tết", slug="tet", products=[chosen],
        start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2026, 2, 1),
    )  # fmt: skip
    for page in (story, campaign):
        html = editor_client.get(reverse("wagtailadmin_pages:edit", args=(page.pk,))).content
        html = html.decode()
        assert 'type="checkbox" name="products"' not in html
        assert "product_links-TOTAL_FORMS" in html
        assert "/cms/product_chooser/" in html
        assert "Chè Shan tuyết hộp 200 g" in html  # the chosen product, by name
        assert "Miến dong gói 500 g" not in html  # no other product is listed


def test_products_picked_in_the_chooser_panel_are_saved_in_order(editor_client, make_story):
    from django.urls import reverse
    from wagtail.test.utils.form_data import (
        inline_formset,
        nested_form_data,
        rich_text,
        streamfield,
    )

    from stories.models import StoryPage

    first, second = ProductFactory(title="Mật ong bạc hà"), ProductFactory(title="Chè búp")
    story = make_story()
    data = nested_form_data(
        {
            "title": story.title,
            "slug": story.slug,
            "date": "2026-03-01",
            "author": "",
            "intro": "",
            "body": streamfield([("paragraph", rich_text("<p>Chè xanh.</p>"))]),
            "tags": "",
            "comments": inline_formset([]),
            "product_links": inline_formset(
                [{"product": second.pk}, {"product": first.pk}], initial=0
            ),
            "action-publish": "action-publish",
        }
    )
    response = editor_client.post(reverse("wagtailadmin_pages:edit", args=(story.pk,)), data)
    assert response.status_code == 302
    assert StoryPage.objects.get(pk=story.pk).products == [second, first]
