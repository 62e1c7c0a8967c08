"""axe-core on the shopper's pages (no serious or critical violation), on a 360 px phone.

Labels and 44 px tap targets are checked explicitly in test_forms.py, the keyboard in
test_keyboard.py.
"""

import pytest
from playwright.sync_api import expect

from tests.factories import CooperativeFactory, ProductFactory, WeightBasedFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_shopper_pages_have_no_serious_accessibility_violations(page, assert_accessible):
    cooperative = CooperativeFactory(name="HTX Nông sản Ba Bể Xanh")
    WeightBasedFactory(cooperative=cooperative)
    product = ProductFactory(title="Mật ong rừng", cooperative=cooperative, net_weight_grams=700)
    category = product.categories.first()
    failures = []

    def check(context):
        try:
            assert_accessible(page, context=context)
        except AssertionError as error:
            failures.append(str(error))

    page.goto("/")
    check("home")
    page.goto(category.get_absolute_url())
    expect(page.locator(".product_pod")).to_have_count(1)
    check("category")
    page.goto(product.get_absolute_url())
    check("product")
    page.locator("#add_to_basket_form button[type=submit]").click()
    page.goto("/shop/basket/")
    expect(page.locator(".basket-part")).to_have_count(1)
    check("basket")
    page.goto("/shop/checkout/")
    check("checkout delivery")
    page.fill("[name=full_name]", "Hoàng Thị Lan")
    page.fill("[name=phone]", "0912345678")
    page.select_option("[name=province_code]", "19")
    expect(page.locator("[name=commune_code] option[value='01906']")).to_have_count(1)
    page.fill("#commune-search", "ba be")
    expect(page.locator("[name=commune_code]")).to_have_value("01906")
    page.fill("[name=line1]", "Thôn Pác Ngòi")
    check("checkout delivery, filled in")
    page.locator("form.checkout-delivery button[type=submit]").click()
    expect(page.locator("form.place-order")).to_have_count(1)
    check("checkout review")
    page.locator("form.place-order button[type=submit]").click()
    expect(page.locator(".order-part")).to_have_count(1)
    check("order")

    assert not failures, "\n\n".join(failures)
