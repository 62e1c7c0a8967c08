"""A guest on a phone orders from two cooperatives and pays cash on delivery."""

import pytest
from playwright.sync_api import expect

from tests.factories import CooperativeFactory, ProductFactory, WeightBasedFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_guest_orders_from_two_cooperatives_cash_on_delivery(page):
    honey_farm = CooperativeFactory(name="HTX Nông sản Ba Bể Xanh")
    noodle_farm = CooperativeFactory(name="HTX Miến dong Bạch Thông")
    WeightBasedFactory(cooperative=honey_farm)
    WeightBasedFactory(cooperative=noodle_farm)
    honey = ProductFactory(title="Mật ong rừng", cooperative=honey_farm, net_weight_grams=700)
    noodles = ProductFactory(title="Miến dong", cooperative=noodle_farm, net_weight_grams=500)

    for product in (honey, noodles):
        page.goto(product.get_absolute_url())
        page.locator("#add_to_basket_form button[type=submit]").click()
    page.goto("/shop/basket/")
    expect(page.locator(".basket-part")).to_have_count(2)
    page.locator("a.btn-lg[href='/shop/checkout/']").click()

    page.fill("[name=full_name]", "Hoàng Thị Lan")
    page.fill("[name=phone]", "0912345678")
    page.select_option("[name=province_code]", "19")
    # The commune list comes from the server for the chosen province, then narrows as the
    # shopper types without accents.
    expect(page.locator("[name=commune_code] option[value='01906']")).to_have_count(1)
    page.fill("#commune-search", "ba be")
    expect(page.locator("[name=commune_code]")).to_have_value("01906")
    page.fill("[name=line1]", "Thôn Pác Ngòi")
    page.locator("form.checkout-delivery button[type=submit]").click()

    expect(page.locator("body")).to_contain_text("Xã Ba Bể, Thái Nguyên")
    expect(page.locator("body")).to_contain_text("0912 345 678")
    page.locator("form.place-order button[type=submit]").click()

    parts = page.locator(".order-part")
    expect(parts).to_have_count(2)
    expect(parts.first).to_contain_text("HTX Nông sản Ba Bể Xanh")
    expect(parts.nth(1)).to_contain_text("HTX Miến dong Bạch Thông")
    expect(page.locator("body")).to_contain_text("155.000\u00a0₫")
