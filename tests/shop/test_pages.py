"""The pages a newcomer visits first, on the demo store."""

import pytest
from django.urls import reverse

from catalogue.models import Product

pytestmark = pytest.mark.django_db

NBSP = "\xa0"


def test_home_page_is_wagtails_and_shows_stories_and_products(client, demo_store):
    response = client.get("/")
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "stories/home_page.html"
    html = response.content.decode()
    assert "Những sợi miến phơi nắng ở Bạch Thông" in html
    assert "HTX Chè Shan tuyết Chợ Đồn" in html
    assert html.count('class="product_pod"') == 8
    assert '<html lang="vi"' in html


def test_shop_root_leads_to_the_product_list(client):
    response = client.get("/shop/")
    assert response.status_code == 302
    assert response["Location"] == reverse("catalogue:index") == "/shop/catalogue/"


def test_catalogue_lists_every_demo_product_a_page_at_a_time(client, demo_store, settings):
    settings.OSCAR_PRODUCTS_PER_PAGE = 24
    first = client.get(reverse("catalogue:index"))
    assert first.status_code == 200
    assert first.context["paginator"].count == Product.objects.count() == 41
    assert len(first.context["products"]) == 24
    second = client.get(reverse("catalogue:index"), {"page": 2})
    assert len(second.context["products"]) == 17
    listed = {p.pk for p in first.context["products"]} | {p.pk for p in second.context["products"]}
    assert listed == set(Product.objects.values_list("pk", flat=True))


def test_a_page_number_past_the_end_goes_back_to_page_one_with_a_message(client, demo_store):
    response = client.get(reverse("catalogue:index"), {"page": 99, "q": "mien"}, follow=True)
    assert response.redirect_chain == [("/shop/catalogue/?q=mien", 302)]
    assert "Số trang không hợp lệ." in response.content.decode()


def test_category_page_lists_its_products(client, demo_store):
    from catalogue.models import Category

    honey = Category.objects.get(name="Mật ong")
    response = client.get(honey.get_absolute_url())
    assert response.status_code == 200
    titles = {p.title for p in response.context["products"]}
    assert titles == {
        "Mật ong rừng Ba Bể chai 500 ml",
        "Mật ong hoa bạc hà chai 250 ml",
        "Mật ong hoa chè chai 500 ml",
        "Mật ong hoa keo chai 500 ml",
    }


def test_product_page_shows_the_vnd_price(client, demo_store):
    product = Product.objects.get(title="Gạo bao thai Ba Bể túi 5 kg")
    response = client.get(product.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Gạo bao thai Ba Bể túi 5 kg" in html
    assert f"125.000{NBSP}₫" in html


def test_basket_holds_what_the_shopper_added(client, demo_store):
    product = Product.objects.get(title="Miến dong Bạch Thông gói 500 g")
    added = client.post(
        reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 2}, follow=True
    )
    assert added.status_code == 200
    basket = client.get(reverse("basket:summary"))
    assert basket.status_code == 200
    lines = list(basket.context["basket"].all_lines())
    assert [(line.product.title, line.quantity) for line in lines] == [
        ("Miến dong Bạch Thông gói 500 g", 2)
    ]
    assert f"150.000{NBSP}₫" in basket.content.decode()


def test_cooperative_profile_lists_its_products(client, demo_store):
    response = client.get("/hop-tac-xa/htx-mien-dong-bach-thong/")
    assert response.status_code == 200
    assert response.context["paginator"].count == 14
    assert "tel:+84868123456" in response.content.decode()


def test_stories_are_served_by_wagtail(client, demo_store):
    index = client.get("/cau-chuyen/")
    assert index.status_code == 200
    assert len(index.context["stories"]) >= 4
    story = client.get("/cau-chuyen/che-co-thu-tren-nui-phja-khao/")
    assert story.status_code == 200
    assert "Búp chè được hái tay" in story.content.decode()


def test_health_answers_ok(client):
    answer = client.get("/health/")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"


def test_pages_load_no_asset_from_another_host(client, demo_store):
    """Oscar loads jQuery from a CDN; rural phones and test browsers must not need one."""
    html = client.get(reverse("catalogue:index")).content.decode()
    assert "ajax.googleapis.com" not in html
    assert "/static/oscar/js/jquery/jquery.min.js" in html


def test_pages_are_compressed_for_phones_that_accept_it(client, demo_store):
    plain = client.get("/")
    packed = client.get("/", headers={"accept-encoding": "gzip"})
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"]
    assert len(packed.content) < len(plain.content) / 3
    assert b'fetchpriority="high"' in plain.content  # the hero, the page's largest picture
