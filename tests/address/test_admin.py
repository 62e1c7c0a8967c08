"""Staff browse the official list in Django's admin; it changes only by the command."""

import pytest

pytestmark = pytest.mark.django_db


def test_staff_find_a_commune_without_typing_accents(admin_client):
    response = admin_client.get("/django-admin/address/commune/", {"q": "cho don"})
    assert response.status_code == 200
    assert "Xã Chợ Đồn" in response.content.decode()
    assert "Xã Ba Bể" not in response.content.decode()
    response = admin_client.get("/django-admin/address/province/", {"q": "thai nguyen"})
    assert "Tỉnh Thái Nguyên" in response.content.decode()


def test_the_list_cannot_be_edited_by_hand(admin_client):
    assert admin_client.get("/django-admin/address/commune/add/").status_code == 403
    response = admin_client.get("/django-admin/address/commune/01906/change/")
    assert response.status_code == 200  # view only
    assert 'name="_save"' not in response.content.decode()
