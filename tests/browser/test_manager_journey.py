"""Journey 3: a cooperative manager on a phone works an order from the inbox to the carrier,
and the shopper, on a phone of her own, sees each step on her order page."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from cooperatives import statuses
from cooperatives.models import Fulfilment
from cooperatives.selectors import order_page_path
from tests.factories import (
    CooperativeFactory,
    ProductFactory,
    UserFactory,
    WeightBasedFactory,
    place_order,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def log_in(page, user) -> None:
    page.goto("/shop/accounts/login/")
    page.fill("[name=login-username]", user.email)
    page.fill("[name=login-password]", "secret-password")
    page.locator("[name=login_submit]").click()
    page.wait_for_load_state()


def status_label(status: str) -> str:
    with translation.override("vi"):
        return str(dict(statuses.FULFILMENT_CHOICES)[status])


def test_manager_confirms_packs_and_ships_an_order(page, open_page, assert_accessible):
    manager = UserFactory()
    farm = CooperativeFactory(name="HTX Nông sản Ba Bể Xanh", managers=[manager])
    WeightBasedFactory(cooperative=farm)
    honey = ProductFactory(title="Mật ong rừng", cooperative=farm, net_weight_grams=700)
    order = place_order((honey, 1))
    number = str(order.number)
    fulfilment = Fulfilment.objects.get(order=order, cooperative=farm)
    page.on("dialog", lambda dialog: dialog.accept())
    shopper = open_page()
    shopper.goto(order_page_path(order))
    part = shopper.locator(f"#part-{fulfilment.pk}")
    expect(part.locator(".order-part__status")).to_have_text(status_label(statuses.NEW))

    def shopper_sees(status: str) -> None:
        shopper.reload()
        expect(part.locator(".order-part__status")).to_have_text(status_label(status))

    log_in(page, manager)
    inbox = f"/quan-ly/{farm.slug}/don-hang/"
    page.goto(inbox)
    row = page.locator(f"#fulfilment-{fulfilment.pk}")
    expect(row).to_contain_text(number)

    assert_accessible(page, context="manager inbox")

    row.get_by_role("link", name=re.compile(number)).click()
    card_url = page.url
    expect(page.locator("form[action$='/confirm/']")).to_be_visible()
    assert_accessible(page, context="manager order card")

    confirm = page.locator("form[action$='/confirm/']")
    confirm.locator("input[name=channel]").first.check()
    confirm.locator("[name=note]").fill("Đã gọi điện, khách hẹn nhận chiều thứ Bảy")
    confirm.locator("button[type=submit]").click()
    expect(page.locator("form[action$='/pack/']")).to_be_visible()
    shopper_sees(statuses.CONFIRMED)

    page.locator("form[action$='/pack/'] button[type=submit]").click()
    ship = page.locator("form[action$='/ship/']")
    expect(ship).to_be_visible()
    shopper_sees(statuses.PACKED)
    expect(part).not_to_contain_text("VTP123456789")

    ship.locator("[name=carrier]").fill("Viettel Post")
    ship.locator("[name=tracking_number]").fill("VTP123456789")
    ship.locator("button[type=submit]").click()
    expect(ship).to_have_count(0)
    shopper_sees(statuses.SHIPPED)
    expect(part).to_contain_text("Viettel Post")
    expect(part).to_contain_text("VTP123456789")

    fulfilment.refresh_from_db()
    assert fulfilment.status == statuses.SHIPPED
    assert fulfilment.tracking_number == "VTP123456789"

    stranger = UserFactory()
    CooperativeFactory(name="HTX Miến dong Bạch Thông", managers=[stranger])
    other_page = open_page()
    log_in(other_page, stranger)
    response = other_page.goto(card_url)
    assert response.status == 404
    expect(other_page.locator("body")).not_to_contain_text("VTP123456789")
