"""axe-core on the shopper's pages (no serious or critical violation) and 44 px tap targets
on the checkout page, on a 360 px phone."""

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


def test_checkout_tap_targets_are_at_least_44px(page):
    cooperative = CooperativeFactory()
    WeightBasedFactory(cooperative=cooperative)
    product = ProductFactory(cooperative=cooperative, net_weight_grams=500)
    page.goto(product.get_absolute_url())
    page.locator("#add_to_basket_form button[type=submit]").click()
    page.goto("/shop/checkout/")
    page.select_option("[name=province_code]", "19")
    expect(page.locator("[name=commune_code] option[value='01906']")).to_have_count(1)

    targets = page.locator(
        "main button:visible, main .btn:visible, main input[type=submit]:visible, "
        "main .form-check-label:visible, main input:visible, main select:visible"
    )
    if targets.count() == 0:  # the layout has no <main>: check the checkout form itself
        targets = page.locator(
            "form.checkout-delivery button:visible, form.checkout-delivery .btn:visible, "
            "form.checkout-delivery .form-check-label:visible, "
            "form.checkout-delivery input:not([type=hidden]):not([type=radio])"
            ":not([type=checkbox]):visible, form.checkout-delivery select:visible"
        )
    assert targets.count() > 3
    small = []
    for index in range(targets.count()):
        target = targets.nth(index)
        box = target.bounding_box()
        if box and box["height"] < 44:
            html = target.evaluate("element => element.outerHTML.slice(0, 120)")
            small.append(f"{html}: {box['height']:.0f}px")
    assert not small, "tap targets under 44 px:\n" + "\n".join(small)
