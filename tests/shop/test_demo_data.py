import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from oscar.apps.partner.models import Partner, StockRecord
from wagtail.images import get_image_model
from wagtail.models import Page

from catalogue.models import Category, Product, ProductImage
from cooperatives.models import Cooperative

pytestmark = pytest.mark.django_db

MODELS = [
    Cooperative, Partner, Product, StockRecord, ProductImage, Category,
    get_user_model(), Page, get_image_model(),
]  # fmt: skip


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_loading_the_demo_twice_changes_nothing():
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    first = counts()
    call_command("load_demo_data", stdout=io.StringIO())
    assert counts() == first
    assert first["Cooperative"] == 3
    assert first["Product"] >= 40
    assert first["ProductImage"] == first["Product"]
    assert "quanly.babe@example.vn" in out.getvalue()
    assert "chophien-demo" in out.getvalue()


def test_demo_cooperatives_are_in_thai_nguyen_with_their_managers(demo_store):
    for cooperative in Cooperative.objects.all():
        assert (cooperative.province_code, cooperative.province_name) == ("19", "Thái Nguyên")
        assert cooperative.partner.name == cooperative.name
        managers = list(cooperative.partner.users.all())
        assert len(managers) == 1
        assert not managers[0].is_staff


def test_every_demo_product_has_a_price_stock_record_of_its_cooperative(demo_store):
    for product in Product.objects.select_related("cooperative"):
        (stockrecord,) = product.stockrecords.all()
        assert stockrecord.partner_id == product.cooperative.partner_id
        assert stockrecord.price_currency == "VND"
        assert stockrecord.price == stockrecord.price.to_integral_value() > 0
        assert product.categories.count() == 1
