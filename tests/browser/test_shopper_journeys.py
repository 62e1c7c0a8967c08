"""Shopper journeys on a phone (issue 7): a story leads to an order from two cooperatives,
a VietQR transfer the manager marks as received, and bad input that is explained in
Vietnamese without losing what the shopper typed."""

import datetime

import pytest
from playwright.sync_api import expect

from cooperatives.models import Fulfilment
from cooperatives.services.fulfillment import fulfilment_payment_received
from cooperatives.services.onboarding import cooperative_manager_add
from stories import services
from stories.models import HomePage
from tests.factories import CooperativeFactory, ProductFactory, UserFactory, WeightBasedFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BANK = {
    "bank_bin": "970405",
    "bank_account_number": "1234567890",
    "bank_account_holder": "HTX NONG SAN",
}


def two_cooperatives(**bank):
    honey_farm = CooperativeFactory(name="HTX Nông sản Ba Bể Xanh", **bank)
    noodle_farm = CooperativeFactory(name="HTX Miến dong Bạch Thông", **bank)
    WeightBasedFactory(cooperative=honey_farm)
    WeightBasedFactory(cooperative=noodle_farm)
    honey = ProductFactory(title="Mật ong rừng", cooperative=honey_farm, net_weight_grams=700)
    noodles = ProductFactory(title="Miến dong", cooperative=noodle_farm, net_weight_grams=500)
    return honey_farm, noodle_farm, honey, noodles


def fill_delivery(page, *, phone="0912345678"):
    page.fill("[name=full_name]", "Hoàng Thị Lan")
    page.fill("[name=phone]", phone)
    page.select_option("[name=province_code]", "19")
    expect(page.locator("[name=commune_code] option[value='01906']")).to_have_count(1)
    page.fill("#commune-search", "ba be")
    expect(page.locator("[name=commune_code]")).to_have_value("01906")
    page.fill("[name=line1]", "Thôn Pác Ngòi")


def test_story_to_search_to_cash_on_delivery_order_from_two_cooperatives(page):
    _, _, honey, noodles = two_cooperatives()
    index = services.story_index_create(
        home=HomePage.objects.get(), title="Câu chuyện", slug="cau-chuyen"
    )
    story = services.story_publish(
        index=index,
        title="Mùa mật ong trên núi",
        slug="mua-mat-ong",
        intro="Những người nuôi ong ở Ba Bể.",
        date=datetime.date(2026, 3, 1),
        body=[("product_card", {"product": honey, "blurb": "Mật ong hoa rừng."})],
    )

    page.goto("/")
    page.get_by_role("link", name=story.title).first.click()
    expect(page.get_by_role("heading", name=story.title).first).to_be_visible()
    card = page.locator(".story-product-card")
    expect(card).to_contain_text("Mật ong rừng")
    card.locator("form[action*='basket/add'] button[type=submit]").click()

    page.goto("/tim-kiem/?q=mien+dong")
    result = page.locator(".product_pod", has_text="Miến dong")
    expect(result).to_have_count(1)
    result.locator("form[action*='basket/add'] button[type=submit]").click()

    page.goto("/shop/basket/")
    parts = page.locator(".basket-part")
    expect(parts).to_have_count(2)
    expect(page.locator("body")).to_contain_text("Mật ong rừng")
    expect(page.locator("body")).to_contain_text("Miến dong")
    page.locator("a.btn-lg[href='/shop/checkout/']").click()

    fill_delivery(page)
    page.check("#payment_cod")
    page.locator("form.checkout-delivery button[type=submit]").click()
    expect(page.locator("body")).to_contain_text("Xã Ba Bể, Thái Nguyên")
    page.locator("form.place-order button[type=submit]").click()

    order_parts = page.locator(".order-part")
    expect(order_parts).to_have_count(2)
    expect(page.locator("body")).to_contain_text("HTX Nông sản Ba Bể Xanh")
    expect(page.locator("body")).to_contain_text("HTX Miến dong Bạch Thông")


def test_vietqr_transfer_shows_the_qr_and_then_the_money_received(page):
    manager = UserFactory()
    honey_farm, _, honey, noodles = two_cooperatives(**BANK)
    cooperative_manager_add(cooperative=honey_farm, user=manager)

    for product in (honey, noodles):
        page.goto(product.get_absolute_url())
        page.locator("#add_to_basket_form button[type=submit]").click()
    page.goto("/shop/checkout/")
    fill_delivery(page)
    page.check("#payment_transfer")
    page.locator("form.checkout-delivery button[type=submit]").click()
    page.locator("form.place-order button[type=submit]").click()

    expect(page.locator(".order-part")).to_have_count(2)
    qr = page.locator(".vietqr")
    expect(qr).to_have_count(2)
    expect(qr.first.locator("svg")).to_have_count(1)
    expect(qr.first).to_contain_text("1234567890")
    fulfilment = Fulfilment.objects.get(cooperative=honey_farm)
    note = page.locator(".vietqr").first.locator("[data-copy-text]").last.inner_text().strip()
    assert note, "the transfer note is shown"

    fulfilment_payment_received(fulfilment=fulfilment, actor=manager)
    page.reload()
    honey_part = page.locator(f"#part-{fulfilment.pk}")
    expect(honey_part.locator(".order-part__payment")).to_have_text("Đã nhận chuyển khoản")
    expect(honey_part.locator(".vietqr")).to_have_count(0)
    expect(page.locator(".vietqr")).to_have_count(1)


def test_bad_input_is_explained_in_vietnamese_and_nothing_is_lost(page):
    _, _, honey, noodles = two_cooperatives()
    page.goto(honey.get_absolute_url())
    page.locator("#add_to_basket_form button[type=submit]").click()

    page.goto("/shop/basket/")
    quantity = page.locator("input[name$='-quantity']").first
    update = page.locator("#basket_formset button[type=submit]", has_text="Cập nhật").first
    # Above the stock shown with the page: the browser refuses to send it.
    quantity.fill("500")
    update.click()
    assert quantity.evaluate("input => !input.validity.valid")
    expect(quantity).to_have_value("500")
    # The stock ran low while the page was open: the server explains and keeps the line.
    honey.stockrecords.update(num_in_stock=3)
    quantity.fill("5")
    update.click()
    error = page.locator("#id_form-0-quantity_error")
    expect(error).to_contain_text(QUANTITY_MESSAGE)
    expect(page.locator("#id_form-0-quantity")).to_have_attribute(
        "aria-describedby", "id_form-0-quantity_error"
    )
    expect(page.locator(".basket-part")).to_contain_text("Mật ong rừng")
    expect(page.locator("input[name$='-quantity']").first).to_have_value("5")

    page.goto("/shop/checkout/")
    page.fill("[name=full_name]", "Hoàng Thị Lan")
    page.fill("[name=phone]", "12345")
    page.select_option("[name=province_code]", "19")
    expect(page.locator("[name=commune_code] option[value='01906']")).to_have_count(1)
    page.fill("[name=line1]", "Thôn Pác Ngòi")
    page.locator("form.checkout-delivery button[type=submit]").click()

    errors = page.locator(".invalid-feedback")
    expect(errors.first).to_be_visible()
    expect(page.locator("body")).to_contain_text(PHONE_MESSAGE)
    expect(page.locator("body")).to_contain_text(COMMUNE_MESSAGE)
    expect(page.locator("[name=full_name]")).to_have_value("Hoàng Thị Lan")
    expect(page.locator("[name=phone]")).to_have_value("12345")
    expect(page.locator("[name=line1]")).to_have_value("Thôn Pác Ngòi")
    expect(page.locator("[name=province_code]")).to_have_value("19")


PHONE_MESSAGE = "Vui lòng nhập số điện thoại di động Việt Nam, ví dụ 0912 345 678."
COMMUNE_MESSAGE = "Vui lòng chọn xã/phường."
# Our Vietnamese for oscar's "a maximum of %(max)d can be bought" (shop/oscar_messages.py).
QUANTITY_MESSAGE = "chỉ mua được tối đa 3"
