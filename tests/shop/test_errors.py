"""Unknown pages and server errors answer in Vietnamese and leak nothing."""

import pytest
from django.test import override_settings
from django.urls import path

pytestmark = pytest.mark.django_db


def broken_view(request):
    raise RuntimeError("secret-internal-detail")


urlpatterns = [path("broken/", broken_view)]
handler500 = "shop.views.server_error"


def test_unknown_url_gives_the_translated_404_page(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy trang" in html
    assert 'href="/shop/catalogue/"' in html  # a way back into the shop


def test_unknown_url_in_english(client):
    client.cookies["django_language"] = "en"
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@override_settings(ROOT_URLCONF=__name__, DEBUG=False)
def test_server_error_page_is_translated_and_shows_no_traceback(client):
    client.raise_request_exception = False
    response = client.get("/broken/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "<h1>Đã có lỗi xảy ra</h1>" in html
    assert "secret-internal-detail" not in html
    assert "Traceback" not in html
    assert "RuntimeError" not in html


def test_language_switcher_changes_the_interface_language(client):
    assert "Tất cả sản phẩm" in client.get("/shop/catalogue/").content.decode()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/shop/catalogue/"})
    assert response.status_code == 302
    assert "All products" in client.get("/shop/catalogue/").content.decode()
