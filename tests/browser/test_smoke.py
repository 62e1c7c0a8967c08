"""A shopper on a phone: home → product → basket, in Vietnamese."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import CooperativeFactory, ProductFactory

# serialized_rollback puts back what migrations loaded (communes, the home page) after the
# flush that a live-server test needs, so later tests and --reuse-db runs still have it.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_shopper_finds_a_product_without_accents_and_puts_it_in_the_basket(page):
    cooperative = CooperativeFactory(name="HTX Miến dong Bạch Thông")
    ProductFactory(title="Miến dong gói 500 g", cooperative=cooperative, stockrecords__price=75000)
    ProductFactory(title="Mật ong rừng", stockrecords__price=280000)

    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.goto("/shop/catalogue/?q=mien+dong")
    cards = page.locator(".product_pod")
    expect(cards).to_have_count(1)
    cards.get_by_role("link", name="Miến dong gói 500 g").first.click()
    expect(page.get_by_role("heading", name="Miến dong gói 500 g")).to_be_visible()
    expect(page.locator(".product_main .price_color")).to_have_text("75.000\u00a0₫")
    page.get_by_role("button", name=re.compile("Thêm vào giỏ hàng")).click()
    page.goto("/shop/basket/")
    expect(page.get_by_text("Miến dong gói 500 g").first).to_be_visible()
    expect(page.locator("body")).to_contain_text("75.000\u00a0₫")
