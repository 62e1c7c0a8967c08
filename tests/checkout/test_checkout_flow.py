"""The shopper's path through the real views: basket → delivery → review → order page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from cooperatives import statuses
from order.models import Order
from tests.factories import CooperativeFactory, ProductFactory, WeightBasedFactory, site_offer

pytestmark = pytest.mark.django_db

BANK = {
    "bank_bin": "970405",
    "bank_account_number": "8300205123456",
    "bank_account_holder": "HTX THU NGHIEM",
}


@pytest.fixture
def two_cooperatives():
    honey_farm = CooperativeFactory(name="HTX Mật ong Ba Bể", **BANK)
    noodle_farm = CooperativeFactory(name="HTX Miến dong", **BANK)
    WeightBasedFactory(cooperative=honey_farm)
    WeightBasedFactory(cooperative=noodle_farm)
    honey = ProductFactory(cooperative=honey_farm, title="Mật ong rừng", net_weight_grams=700)
    noodles = ProductFactory(cooperative=noodle_farm, title="Miến dong", net_weight_grams=500)
    return honey, noodles


def add(client, product, quantity=1):
    response = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": quantity})
    assert response.status_code == 302


def delivery(**overrides):
    data = {
        "full_name": "Hoàng Thị Lan",
        "phone": "0912 345 678",
        "email": "",
        "province_code": "19",
        "commune_code": "01906",
        "line1": "Thôn Pác Ngòi",
        "notes": "Gọi trước khi giao",
        "payment_method": "cod",
    }
    data.update(overrides)
    return data


def with_shipping(data, *products):
    for product in products:
        data[f"shipping_{product.cooperative_id}"] = product.cooperative.shipping_methods.get().code
    return data


def test_basket_groups_lines_by_cooperative(client, two_cooperatives):
    honey, noodles = two_cooperatives
    add(client, honey)
    add(client, noodles, 2)
    page = client.get(reverse("basket:summary")).content.decode()
    assert page.count('class="card mb-3 basket-part"') == 2
    assert "HTX Mật ong Ba Bể" in page and "HTX Miến dong" in page
    assert "30.000\xa0₫" in page  # cheapest delivery of each part, ≤ 1 kg
    assert f'href="{reverse("checkout:index")}" class="btn btn-lg' in page


def test_basket_below_minimum_says_so_and_blocks_checkout(client, two_cooperatives):
    honey, _ = two_cooperatives
    honey.cooperative.min_order_value = Decimal("200000")
    honey.cooperative.save()
    add(client, honey)  # 125.000 ₫
    page = client.get(reverse("basket:summary")).content.decode()
    assert "75.000\xa0₫" in page  # what is missing
    assert f'href="{reverse("checkout:index")}" class="btn btn-lg' not in page
    response = client.get(reverse("checkout:index"))
    assert response.status_code == 302 and response["Location"] == reverse("basket:summary")


def test_guest_checkout_cash_on_delivery_end_to_end(client, two_cooperatives):
    honey, noodles = two_cooperatives
    add(client, honey)
    add(client, noodles, 2)
    page = client.get(reverse("checkout:index"))
    assert page.status_code == 200
    assert "Xã Ba Bể" not in page.content.decode()  # no province chosen yet

    response = client.post(reverse("checkout:index"), with_shipping(delivery(), honey, noodles))
    assert response.status_code == 302 and response["Location"] == reverse("checkout:preview")
    preview = client.get(reverse("checkout:preview")).content.decode()
    assert "0912 345 678" in preview
    assert "Xã Ba Bể, Thái Nguyên" in preview
    assert "435.000\xa0₫" in preview  # 125.000 + 250.000 goods + 2 × 30.000 delivery

    basket_id = client.get(reverse("checkout:preview")).context["request"].basket.id
    response = client.post(reverse("checkout:preview"), {"basket_id": basket_id})
    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "orders:detail", kwargs={"number": order.number, "token": order.verification_hash()}
    )
    assert order.payment_method == "cod"
    assert order.total_incl_tax == Decimal("435000")
    assert order.shipping_address.phone_number.as_e164 == "+84912345678"
    assert order.shipping_address.commune_code == "01906"
    assert order.guest_email == ""
    assert sorted(f.payment_status for f in order.fulfilments.all()) == ["due", "due"]

    # A second tap, or the browser retrying after a dropped connection: the same order.
    again = client.post(reverse("checkout:preview"), {"basket_id": basket_id})
    assert again.status_code == 302 and again["Location"] == response["Location"]
    assert Order.objects.count() == 1

    page = client.get(response["Location"]).content.decode()
    assert "Thank you" in page or "Cảm ơn" in page
    assert page.count('class="card mb-3 order-part"') == 2
    assert "155.000\xa0₫" in page  # honey part: 125.000 + 30.000 to pay in cash
    assert "280.000\xa0₫" in page  # noodles part: 250.000 + 30.000


def test_bad_input_keeps_what_was_typed_and_says_why_in_vietnamese(client, two_cooperatives):
    honey, noodles = two_cooperatives
    add(client, honey)
    data = with_shipping(delivery(phone="01234567890", commune_code=""), honey)
    response = client.post(reverse("checkout:index"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="Hoàng Thị Lan"' in page
    assert 'value="Thôn Pác Ngòi"' in page
    assert "Gọi trước khi giao" in page
    assert "0912 345 678" in page  # the example of a valid number
    assert "xã" in page.lower()  # the commune is asked for
    assert not Order.objects.exists()


def test_commune_from_another_province_is_refused(client, two_cooperatives):
    honey, _ = two_cooperatives
    add(client, honey)
    data = with_shipping(delivery(province_code="01"), honey)  # Hà Nội with Xã Ba Bể
    response = client.post(reverse("checkout:index"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["commune_code"]


def test_landline_is_not_a_mobile(client, two_cooperatives):
    honey, _ = two_cooperatives
    add(client, honey)
    response = client.post(
        reverse("checkout:index"), with_shipping(delivery(phone="02083855123"), honey)
    )
    assert response.context["form"].errors["phone"]


def test_without_javascript_the_province_shows_its_communes(client, two_cooperatives):
    honey, _ = two_cooperatives
    add(client, honey)
    response = client.post(
        reverse("checkout:index"), {"province_code": "19", "full_name": "Lan", "refresh": "1"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Xã Ba Bể" in page
    assert 'role="alert"' not in page  # nothing is wrong yet
    assert 'value="Lan"' in page


def test_commune_options_are_found_without_accents(client):
    response = client.get(reverse("address:communes"), {"province": "19", "q": "ba be"})
    names = [commune["name"] for commune in response.json()["communes"]]
    assert "Xã Ba Bể" in names
    assert client.get(reverse("address:communes")).json() == {"communes": []}


def test_transfer_order_shows_one_qr_per_cooperative(client, two_cooperatives):
    honey, noodles = two_cooperatives
    add(client, honey)
    add(client, noodles)
    client.post(
        reverse("checkout:index"),
        with_shipping(delivery(payment_method="transfer"), honey, noodles),
    )
    basket_id = client.get(reverse("checkout:preview")).context["request"].basket.id
    response = client.post(reverse("checkout:preview"), {"basket_id": basket_id})
    order = Order.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert page.count("<svg") == 2
    for fulfilment in order.fulfilments.all():
        assert fulfilment.payment_status == statuses.PAYMENT_AWAITING
        assert fulfilment.transfer_note in page
        assert fulfilment.transfer_note.isascii()


def test_order_page_needs_its_secret(client, two_cooperatives):
    honey, _ = two_cooperatives
    add(client, honey)
    client.post(reverse("checkout:index"), with_shipping(delivery(), honey))
    basket_id = client.get(reverse("checkout:preview")).context["request"].basket.id
    client.post(reverse("checkout:preview"), {"basket_id": basket_id})
    order = Order.objects.get()
    url = reverse("orders:detail", kwargs={"number": order.number, "token": "forged"})
    assert client.get(url).status_code == 404


def test_shopper_cancels_one_part_until_it_is_confirmed(client, two_cooperatives):
    honey, noodles = two_cooperatives
    add(client, honey)
    add(client, noodles)
    client.post(reverse("checkout:index"), with_shipping(delivery(), honey, noodles))
    basket_id = client.get(reverse("checkout:preview")).context["request"].basket.id
    client.post(reverse("checkout:preview"), {"basket_id": basket_id})
    order = Order.objects.get()
    honey_part = order.fulfilments.get(cooperative=honey.cooperative)
    noodle_part = order.fulfilments.get(cooperative=noodles.cooperative)
    token = order.verification_hash()
    stock = honey.stockrecords.get()
    assert stock.num_allocated == 1

    url = reverse(
        "orders:cancel-part",
        kwargs={"number": order.number, "token": token, "fulfilment_id": honey_part.pk},
    )
    assert client.post(url).status_code == 302
    honey_part.refresh_from_db()
    noodle_part.refresh_from_db()
    stock.refresh_from_db()
    assert honey_part.status == statuses.CANCELLED
    assert noodle_part.status == statuses.NEW
    assert stock.num_allocated == 0

    # Once the cooperative has confirmed, the page says whom to call instead.
    from cooperatives.services.fulfillment import fulfilment_transition

    fulfilment_transition(fulfilment=noodle_part, to_status=statuses.CONFIRMED, actor=None)
    url = reverse(
        "orders:cancel-part",
        kwargs={"number": order.number, "token": token, "fulfilment_id": noodle_part.pk},
    )
    client.post(url)
    noodle_part.refresh_from_db()
    assert noodle_part.status == statuses.CONFIRMED
    page = client.get(reverse("orders:detail", kwargs={"number": order.number, "token": token}))
    assert "tel:" in page.content.decode() or noodles.cooperative.phone == ""


def test_member_reuses_the_saved_address(client, two_cooperatives):
    from tests.factories import UserFactory

    honey, _ = two_cooperatives
    member = UserFactory()
    client.force_login(member)
    add(client, honey)
    form = client.get(reverse("checkout:index")).context["form"]
    assert "email" not in form.fields  # the account's own e-mail is used
    client.post(reverse("checkout:index"), with_shipping(delivery(), honey))
    basket_id = client.get(reverse("checkout:preview")).context["request"].basket.id
    client.post(reverse("checkout:preview"), {"basket_id": basket_id})
    order = Order.objects.get()
    assert order.user == member
    saved = member.addresses.get()
    assert (saved.commune_code, saved.commune_name, saved.line1) == (
        "01906",
        "Xã Ba Bể",
        "Thôn Pác Ngòi",
    )

    add(client, honey)
    initial = client.get(reverse("checkout:index")).context["form"].initial
    assert initial["commune_code"] == "01906"
    assert initial["line1"] == "Thôn Pác Ngòi"


def test_a_price_change_after_the_review_is_not_charged_unseen(client, two_cooperatives):
    honey, _ = two_cooperatives
    add(client, honey)
    client.post(reverse("checkout:index"), with_shipping(delivery(), honey))
    review = client.get(reverse("checkout:preview"))
    shown = review.context["order_total"]
    stock = honey.stockrecords.get()
    stock.price = Decimal("210000")
    stock.save()
    response = client.post(
        reverse("checkout:preview"),
        {"basket_id": review.context["request"].basket.id, "total": str(shown)},
    )
    assert response.status_code == 200
    assert "240.000\xa0₫" in response.content.decode()  # the new total, to look at again
    assert not Order.objects.exists()


def test_a_product_hidden_after_it_was_put_in_the_basket_is_not_sold(client, two_cooperatives):
    honey, _ = two_cooperatives
    add(client, honey)
    honey.is_public = False
    honey.save()
    response = client.get(reverse("checkout:index"))
    assert response.status_code == 302 and response["Location"] == reverse("basket:summary")


def test_a_fixed_discount_is_split_in_whole_dong_and_each_part_keeps_its_qr(
    client, two_cooperatives
):
    from oscar.apps.offer.models import Benefit

    site_offer(name="Giảm 20.000 ₫", benefit_type=Benefit.FIXED, value=20000)
    honey, noodles = two_cooperatives
    # 20.000 ₫ spread over 35.000 and 80.000 is 6.086,96 and 13.913,04 in cents.
    honey.stockrecords.update(price=Decimal("35000"))
    noodles.stockrecords.update(price=Decimal("80000"))
    add(client, honey)
    add(client, noodles)
    client.post(
        reverse("checkout:index"),
        with_shipping(delivery(payment_method="transfer"), honey, noodles),
    )
    basket_id = client.get(reverse("checkout:preview")).context["request"].basket.id
    response = client.post(reverse("checkout:preview"), {"basket_id": basket_id})
    order = Order.objects.get()
    assert order.total_incl_tax == Decimal("155000")  # 115.000 − 20.000 + 2 × 30.000
    assert all(part.goods_total % 1 == 0 for part in order.fulfilments.all())
    assert client.get(response["Location"]).content.decode().count("<svg") == 2
