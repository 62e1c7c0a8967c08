"""The console's phone-order page: the same checks as checkout, and what was typed is kept."""

import pytest
from django.urls import reverse

from cooperatives import statuses
from cooperatives.models import FulfilmentEvent
from order.models import Order
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db


def _url(cooperative) -> str:
    return reverse("manager:phone-order", kwargs={"cooperative_slug": cooperative.slug})


def _data(honey, **overrides):
    data = {
        "product_0": str(honey.pk),
        "quantity_0": "2",
        "full_name": "Hoàng Thị Lan",
        "phone": "0912 345 678",
        "province_code": "19",
        "commune_code": "01906",
        "line1": "Thôn Pác Ngòi",
        "notes": "Gọi trước khi giao",
        "payment_method": "cod",
        "shipping_code": "",
        "channel": statuses.CHANNEL_PHONE,
        "manager_note": "",
    }
    data.update(overrides)
    return data


def test_page_lists_only_this_cooperatives_public_products(client, manager, farm, honey):
    other = ProductFactory(title="Miến dong Bình Liêu")
    hidden = ProductFactory(cooperative=farm, title="Chè ẩn", is_public=False)
    client.force_login(manager)
    page = client.get(_url(farm)).content.decode()
    assert "Mật ong rừng" in page
    assert other.title not in page and hidden.title not in page
    assert page.count(f'<option value="{honey.pk}"') == 5  # five blank rows
    assert 'data-communes-url="' in page


def test_placing_redirects_to_the_order_card(client, manager, farm, honey):
    client.force_login(manager)
    response = client.post(_url(farm), _data(honey))
    order = Order.objects.get()
    fulfilment = order.fulfilments.get()
    assert response.status_code == 302
    assert response["Location"] in (
        f"/quan-ly/{farm.slug}/don-hang/{fulfilment.pk}/",
        f"/quan-ly/{farm.slug}/don-hang/",
    )
    assert order.lines.get().quantity == 2
    assert order.shipping_address.phone_number.as_e164 == "+84912345678"
    event = FulfilmentEvent.objects.get(fulfilment=fulfilment, kind=statuses.EVENT_CHANGE)
    assert (event.actor, event.channel) == (manager, statuses.CHANNEL_PHONE)


def test_invalid_phone_keeps_what_was_typed(client, manager, farm, honey):
    client.force_login(manager)
    response = client.post(_url(farm), _data(honey, phone="0123"))
    assert response.status_code == 200
    page = response.content.decode()
    assert response.context["form"].errors["phone"]
    assert 'value="0123"' in page
    assert 'value="Hoàng Thị Lan"' in page
    assert 'value="Thôn Pác Ngòi"' in page
    assert f'<option value="{honey.pk}" selected>' in page
    assert 'value="2"' in page
    assert not Order.objects.exists()


def test_a_landline_is_refused_with_the_checkout_message(client, manager, farm, honey):
    client.force_login(manager)
    response = client.post(_url(farm), _data(honey, phone="024 3825 1234"))
    assert response.context["form"].errors.as_data()["phone"][0].code == "not_mobile"


def test_no_products_or_a_row_without_quantity_is_refused(client, manager, farm, honey):
    client.force_login(manager)
    response = client.post(_url(farm), _data(honey, product_0="", quantity_0=""))
    assert "Hãy thêm ít nhất một sản phẩm." in response.context["form"].non_field_errors()
    response = client.post(_url(farm), _data(honey, quantity_0=""))
    assert response.context["form"].errors["quantity_0"]
    assert not Order.objects.exists()


def test_a_product_of_another_cooperative_is_not_a_choice(client, manager, farm, honey):
    other = ProductFactory(title="Miến dong Bình Liêu")
    client.force_login(manager)
    response = client.post(_url(farm), _data(honey, product_1=str(other.pk), quantity_1="1"))
    assert response.status_code == 200
    assert response.context["form"].errors["product_1"]
    assert not Order.objects.exists()


def test_more_than_in_stock_shows_the_reason_and_keeps_the_form(client, manager, farm, honey):
    client.force_login(manager)
    response = client.post(_url(farm), _data(honey, quantity_0="50"))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert 'value="50"' in response.content.decode()
    assert not Order.objects.exists()


def test_without_javascript_the_province_shows_its_communes(client, manager, farm, honey):
    client.force_login(manager)
    response = client.post(_url(farm), _data(honey, commune_code="", refresh="1"))
    assert response.status_code == 200
    assert not response.context["form"].errors
    assert "01906" in response.content.decode()
    assert not Order.objects.exists()


def test_a_second_tap_or_a_retry_places_one_order(client, manager, farm, honey):
    client.force_login(manager)
    submission = client.get(_url(farm)).context["form"].initial["submission"]
    first = client.post(_url(farm), _data(honey, submission=submission))
    again = client.post(_url(farm), _data(honey, submission=submission))
    assert Order.objects.count() == 1
    assert again.status_code == 302 and again["Location"] == first["Location"]
    # A new page is a new order.
    fresh = client.get(_url(farm)).context["form"].initial["submission"]
    assert fresh != submission
    client.post(_url(farm), _data(honey, submission=fresh))
    assert Order.objects.count() == 2


def test_a_refused_order_can_be_corrected_and_placed_with_the_same_page(
    client, manager, farm, honey
):
    client.force_login(manager)
    submission = client.get(_url(farm)).context["form"].initial["submission"]
    refused = client.post(_url(farm), _data(honey, submission=submission, quantity_0="999"))
    assert refused.status_code == 200 and not Order.objects.exists()
    client.post(_url(farm), _data(honey, submission=submission))
    assert Order.objects.count() == 1
