"""Uploads that are not photos, too big, or decompression bombs are refused.

Checked where photos come in: the manager console's product form (also covered in
tests/cooperatives/test_manager_products.py), a cooperative's logo and cover in the
admin, and Wagtail's image library. Each refusal is a form error on the field, and
everything else typed into the form is still there.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from wagtail.images import get_image_model

from catalogue.models import Product
from cooperatives.models import Cooperative
from tests.factories import CooperativeFactory, UserFactory

pytestmark = pytest.mark.django_db


def png(size=(64, 48), name="anh.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("L", size, 255).save(buffer, format="PNG", optimize=True)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def not_an_image() -> SimpleUploadedFile:
    return SimpleUploadedFile("anh.png", b"<?php system($_GET['c']); ?>", content_type="image/png")


def bomb() -> SimpleUploadedFile:
    # 20,000 × 20,000 pixels (400 megapixels, 1.6 GB as RGBA) in a ~40 kB file.
    upload = png(size=(20_000, 20_000), name="bom.png")
    assert upload.size < 500_000
    return upload


def oversized(settings) -> SimpleUploadedFile:
    settings.MAX_IMAGE_UPLOAD_BYTES = 2_000
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 2_000
    buffer = io.BytesIO()
    Image.effect_noise((200, 200), 64).save(buffer, format="PNG")  # noise: no compression
    assert len(buffer.getvalue()) > 2_000
    return SimpleUploadedFile("to.png", buffer.getvalue(), content_type="image/png")


UPLOADS = {
    "not an image": lambda settings: not_an_image(),
    "oversized": oversized,
    "decompression bomb": lambda settings: bomb(),
}


def test_pillow_refuses_bombs_anywhere():
    """Not only in our checks: thumbnails and renditions open images too."""
    from django.conf import settings

    assert Image.MAX_IMAGE_PIXELS == settings.MAX_IMAGE_UPLOAD_PIXELS
    with pytest.raises(Image.DecompressionBombError):
        Image.open(bomb()).load()


@pytest.fixture
def manager_client(client):
    manager = UserFactory()
    cooperative = CooperativeFactory(managers=[manager])
    client.force_login(manager)
    client.url = reverse("manager:product-create", kwargs={"cooperative_slug": cooperative.slug})
    return client


@pytest.mark.parametrize("kind", UPLOADS)
def test_console_product_photo(manager_client, settings, kind):
    data = {
        "title": "Măng khô gói 500 g",
        "description": "Măng vầu rừng.",
        "price": "150000",
        "num_in_stock": "20",
        "unit_label": "gói 500 g",
        "net_weight_grams": "500",
        "origin_province_code": "19",
        "origin_commune_code": "01906",
        "photo": UPLOADS[kind](settings),
    }
    response = manager_client.post(manager_client.url, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["photo"]
    assert form["title"].value() == "Măng khô gói 500 g"
    assert 'value="Măng khô gói 500 g"' in response.content.decode()
    assert not Product.objects.exists()


@pytest.fixture
def admin_client_for_cooperative(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    cooperative = CooperativeFactory(name="HTX Chè Tân Cương")
    client.url = reverse("admin:cooperatives_cooperative_change", args=[cooperative.pk])
    client.cooperative = cooperative
    return client


@pytest.mark.parametrize("field", ["logo", "cover_photo"])
@pytest.mark.parametrize("kind", UPLOADS)
def test_cooperative_logo_and_cover(admin_client_for_cooperative, settings, field, kind):
    client = admin_client_for_cooperative
    data = {
        "name": "HTX Chè Tân Cương Mới",
        "province_code": "19",
        "commune_code": "01906",
        "short_description": "Chè búp",
        "description": "",
        "address_line": "Xóm 1",
        "phone": "",
        "zalo_phone": "",
        "email": "",
        "tax_code": "",
        "founded_year": "",
        "member_count": "",
        "min_order_value": "0",
        field: UPLOADS[kind](settings),
    }
    response = client.post(client.url, data)
    assert response.status_code == 200, "refused: the form is shown again"
    form = response.context["adminform"].form
    assert field in form.errors, form.errors
    assert form["name"].value() == "HTX Chè Tân Cương Mới"
    cooperative = Cooperative.objects.get(pk=client.cooperative.pk)
    assert cooperative.name == "HTX Chè Tân Cương"
    assert not getattr(cooperative, field)


def test_cooperative_logo_that_is_a_photo_is_accepted(admin_client_for_cooperative):
    client = admin_client_for_cooperative
    response = client.post(
        client.url,
        {
            "name": "HTX Chè Tân Cương",
            "province_code": "19",
            "commune_code": "01906",
            "short_description": "Chè búp",
            "min_order_value": "0",
            "logo": png(),
        },
    )
    assert response.status_code == 302, (
        response.context and response.context["adminform"].form.errors
    )
    assert Cooperative.objects.get(pk=client.cooperative.pk).logo


@pytest.mark.parametrize("kind", UPLOADS)
def test_wagtail_image_library(client, settings, kind):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        reverse("wagtailimages:add"),
        {"title": "Đồi chè buổi sáng", "file": UPLOADS[kind](settings), "collection": "1"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["file"], form.errors
    assert form["title"].value() == "Đồi chè buổi sáng"
    assert not get_image_model().objects.exists()


def test_wagtail_limits_follow_the_shops():
    from django.conf import settings

    assert settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE == settings.MAX_IMAGE_UPLOAD_BYTES
    assert settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS == settings.MAX_IMAGE_UPLOAD_PIXELS
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 10 * 1024 * 1024


def test_a_huge_non_file_body_is_refused(client):
    """Form fields beyond DATA_UPLOAD_MAX_MEMORY_SIZE: 400, never read into memory."""
    response = client.post(reverse("customer:login"), {"login-username": "x" * (6 * 1024 * 1024)})
    assert response.status_code == 400
