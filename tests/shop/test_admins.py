"""Who gets into which back office: oscar's dashboard, Wagtail's admin, Django's admin."""

import unicodedata

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db

PASSWORD = "chophien-demo"
BACK_OFFICES = ["/dashboard/", "/cms/", "/django-admin/"]


def login(client, email: str) -> None:
    user = get_user_model().objects.get(email=email)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")


def test_demo_users_sign_in_with_their_email_and_the_printed_password(client, demo_store):
    response = client.post(
        "/shop/accounts/login/",
        {"login-username": "khach@example.vn", "login-password": PASSWORD, "login_submit": "1"},
    )
    assert response.status_code == 302
    assert client.get("/shop/accounts/profile/").status_code == 200


@pytest.mark.parametrize("url", BACK_OFFICES)
def test_staff_admin_reaches_every_back_office(client, demo_store, url):
    login(client, "admin@example.vn")
    assert client.get(url).status_code == 200


def test_staff_admin_opens_oscar_and_wagtail_lists(client, demo_store):
    login(client, "admin@example.vn")
    for url in ["/dashboard/catalogue/", "/dashboard/partners/", "/cms/pages/", "/cms/images/"]:
        assert client.get(url).status_code == 200, url


def test_content_editor_reaches_wagtail_only(client, demo_store):
    login(client, "bientap@example.vn")
    assert client.get("/cms/").status_code == 200
    assert client.get("/cms/pages/").status_code == 200
    assert client.get("/dashboard/").status_code in (302, 403)
    assert client.get("/django-admin/").status_code == 302


def test_cooperative_manager_works_in_the_console_not_the_back_offices(client, demo_store):
    login(client, "quanly.babe@example.vn")
    console = client.get("/quan-ly/", follow=True)
    assert console.status_code == 200
    titles = {product.title for product in console.context["products"]}
    assert "Gạo bao thai Ba Bể túi 5 kg" in titles
    assert "Miến dong Bạch Thông gói 500 g" not in titles
    for url in BACK_OFFICES:
        assert client.get(url).status_code in (302, 403), url


@pytest.mark.parametrize("url", BACK_OFFICES)
def test_shopper_and_visitor_are_sent_to_a_login_page(client, demo_store, url):
    assert client.get(url).status_code == 302
    login(client, "khach@example.vn")
    assert client.get(url).status_code in (302, 403)


def test_wagtail_admin_speaks_vietnamese(client, demo_store):
    login(client, "bientap@example.vn")
    html = client.get("/cms/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert 'lang="vi"' in html
    preferences = client.get("/cms/account/").content.decode()
    # Django spells the name with combining marks; compare composed text.
    assert '<option value="vi">Tiếng Việt</option>' in unicodedata.normalize("NFC", preferences)
