"""Staff onboard cooperatives in Django's admin; the services keep the partner in step."""

import pytest

from cooperatives.models import Cooperative
from cooperatives.selectors import cooperatives_managed_by
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def form_data(**overrides):
    data = {
        "name": "HTX Rau Chợ Mới",
        "slug": "htx-rau-cho-moi",
        "province_code": "19",
        "commune_code": "01906",
        "is_active": "on",
        "min_order_value": "0",
    }
    data.update(overrides)
    return data


def test_staff_onboard_a_cooperative_with_its_managers(staff_client):
    manager = UserFactory()
    response = staff_client.post(
        "/django-admin/cooperatives/cooperative/add/", form_data(managers=[manager.pk])
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    cooperative = Cooperative.objects.get(slug="htx-rau-cho-moi")
    assert cooperative.partner.name == "HTX Rau Chợ Mới"
    assert cooperative.commune_name == "Xã Ba Bể"
    assert list(cooperative.partner.users.all()) == [manager]
    assert list(cooperatives_managed_by(user=manager)) == [cooperative]


def test_a_commune_of_another_province_is_refused_and_the_form_keeps_what_was_typed(staff_client):
    response = staff_client.post(
        "/django-admin/cooperatives/cooperative/add/",
        form_data(province_code="01", short_description="Rau sạch"),
    )
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "commune_code" in form.errors
    assert 'value="Rau sạch"' in response.content.decode()
    assert not Cooperative.objects.exists()


def test_renaming_in_the_admin_renames_the_partner(staff_client):
    staff_client.post("/django-admin/cooperatives/cooperative/add/", form_data())
    cooperative = Cooperative.objects.get()
    response = staff_client.post(
        f"/django-admin/cooperatives/cooperative/{cooperative.pk}/change/",
        form_data(name="HTX Rau Sạch Chợ Mới"),
    )
    assert response.status_code == 302
    cooperative.refresh_from_db()
    assert cooperative.partner.name == "HTX Rau Sạch Chợ Mới"


def test_staff_see_ocop_certificates_expiring_within_60_days(staff_client, demo_store):
    response = staff_client.get("/django-admin/catalogue/product/", {"ocop": "expiring"})
    titles = [product.title for product in response.context["cl"].result_list]
    assert titles == ["Tinh bột nghệ nếp Chợ Đồn hũ 200 g"]
    assert "1 chứng nhận OCOP hết hạn trong 60 ngày tới." in response.content.decode()
    expired = staff_client.get("/django-admin/catalogue/product/", {"ocop": "expired"})
    assert [p.title for p in expired.context["cl"].result_list] == ["Gạo bao thai Ba Bể túi 5 kg"]


def test_the_web_address_is_fixed_once_a_cooperative_exists(staff_client):
    staff_client.post("/django-admin/cooperatives/cooperative/add/", form_data())
    cooperative = Cooperative.objects.get()
    url = f"/django-admin/cooperatives/cooperative/{cooperative.pk}/change/"
    assert 'name="slug"' not in staff_client.get(url).content.decode()
    staff_client.post(url, form_data(slug="dia-chi-moi"))
    cooperative.refresh_from_db()
    assert cooperative.slug == "htx-rau-cho-moi"
