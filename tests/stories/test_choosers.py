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
