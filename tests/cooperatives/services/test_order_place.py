"""order_place: one order per basket, one fulfilment per cooperative, stock allocated once."""

import re
from decimal import Decimal
from unittest import mock

import pytest
from oscar.apps.partner.models import StockRecord

from cooperatives import statuses
from cooperatives.basket import PICKUP
from cooperatives.models import Fulfilment, FulfilmentEvent
from cooperatives.services.checkout import CheckoutError, order_place
from order.models import Order
from tests.factories import (
    CooperativeFactory,
    ProductFactory,
    UserFactory,
    WeightBasedFactory,
    basket_with,
    delivery_address,
    place_order,
)

pytestmark = pytest.mark.django_db

BANK = {
    "bank_bin": "970405",
    "bank_account_number": "1234567890",
    "bank_account_holder": "HTX THU NGHIEM",
}


def _product(cooperative, *, price="125000", grams=500, stock=100):
    product = ProductFactory(
        cooperative=cooperative,
        net_weight_grams=grams,
        stockrecords__price=Decimal(price),
        stockrecords__num_in_stock=stock,
    )
    return product


def _stockrecord(product) -> StockRecord:
    return StockRecord.objects.get(product=product)


@pytest.fixture
def two_farms():
    """Two cooperatives with delivery rates: ≤1 kg 30.000 ₫, ≤5 kg 45.000 ₫."""
    tea = CooperativeFactory(name="HTX Chè Tân Cương")
    rice = CooperativeFactory(name="HTX Gạo Bắc Hương")
    WeightBasedFactory(cooperative=tea, bands=[(1, 30000), (5, 45000)])
    WeightBasedFactory(cooperative=rice, bands=[(1, 30000), (5, 45000)])
    return tea, rice


def test_two_cooperatives_make_one_order_with_two_fulfilments(two_farms):
    tea, rice = two_farms
    green_tea = _product(tea, price="125000", grams=500)
    rice_bag = _product(rice, price="90000", grams=2000)

    order = place_order((green_tea, 2), (rice_bag, 1))

    assert Order.objects.count() == 1
    parts = {part.cooperative: part for part in order.fulfilments.all()}
    assert set(parts) == {tea, rice}
    assert parts[tea].goods_total == Decimal("250000")
    assert parts[tea].weight_grams == 1000
    assert parts[tea].shipping_charge == Decimal("30000")  # 2 × 500 g = 1 kg: first band
    assert parts[rice].goods_total == Decimal("90000")
    assert parts[rice].weight_grams == 2000
    assert parts[rice].shipping_charge == Decimal("45000")  # 2 kg: second band
    assert all(part.status == statuses.NEW for part in parts.values())
    assert FulfilmentEvent.objects.filter(fulfilment__order=order).count() == 2
    for line in order.lines.select_related("product"):
        assert line.partner_id == line.product.cooperative.partner_id
    # The order carries goods plus the sum of each cooperative's own shipping.
    assert order.shipping_incl_tax == Decimal("75000")
    assert order.total_incl_tax == Decimal("250000") + Decimal("90000") + Decimal("75000")
    assert order.total_incl_tax == sum(part.total for part in parts.values())


def test_shipping_is_free_above_the_cooperatives_threshold():
    farm = CooperativeFactory()
    WeightBasedFactory(cooperative=farm, bands=[(1, 30000), (5, 45000)], free_above=300000)
    honey = _product(farm, price="150000", grams=500)

    below = place_order((honey, 1)).fulfilments.get()
    at_threshold = place_order((honey, 2)).fulfilments.get()

    assert below.shipping_charge == Decimal("30000")
    assert at_threshold.goods_total == Decimal("300000")
    assert at_threshold.shipping_charge == Decimal("0")


def test_pickup_costs_nothing_and_is_marked_as_pickup():
    farm = CooperativeFactory(offers_pickup=True, pickup_instructions="7h-17h, hỏi chị Hoa")
    WeightBasedFactory(cooperative=farm)
    honey = _product(farm)

    order = place_order((honey, 1), shipping_choices={str(farm.pk): PICKUP})

    part = order.fulfilments.get()
    assert part.is_pickup is True
    assert part.shipping_method_code == PICKUP
    assert part.shipping_charge == Decimal("0")
    assert order.total_incl_tax == part.goods_total


def test_shipping_address_keeps_codes_names_and_an_e164_phone(two_farms):
    tea, _rice = two_farms
    address = delivery_address(phone="+84987654321", line1="Thôn Nà Mằm")

    order = place_order((_product(tea), 1), address=address)

    shipping = Order.objects.get(pk=order.pk).shipping_address
    assert shipping.province_code == "19"
    assert shipping.province_name == "Thái Nguyên"
    assert shipping.commune_code == "01906"
    assert shipping.commune_name == "Xã Ba Bể"
    assert shipping.line1 == "Thôn Nà Mằm"
    assert shipping.first_name == "Hoàng Thị Lan"
    assert shipping.phone_number.as_e164 == "+84987654321"


def test_placing_the_same_basket_twice_returns_the_same_order(two_farms):
    tea, _rice = two_farms
    product = _product(tea)
    basket = basket_with((product, 2))
    arguments = {
        "basket": basket,
        "user": None,
        "address": delivery_address(),
        "shipping_choices": {},
        "payment_method": "cod",
    }

    first = order_place(**arguments)
    second = order_place(**arguments)

    assert second.pk == first.pk
    assert Order.objects.count() == 1
    assert Fulfilment.objects.count() == 1
    assert _stockrecord(product).num_allocated == 2  # allocated once, not twice


def test_below_the_minimum_order_names_the_cooperative_and_the_shortfall():
    farm = CooperativeFactory(name="HTX Miến Dong Bình Liêu", min_order_value=Decimal("300000"))
    WeightBasedFactory(cooperative=farm)
    product = _product(farm, price="125000")

    with pytest.raises(CheckoutError) as caught:
        place_order((product, 2))  # 250.000 ₫ of goods, 50.000 ₫ short

    [message] = caught.value.messages
    assert "HTX Miến Dong Bình Liêu" in message
    assert re.search(r"50\.000\s₫", message), message
    assert Order.objects.count() == 0
    assert _stockrecord(product).num_allocated in (None, 0)


def test_a_paused_cooperative_is_refused():
    farm = CooperativeFactory(name="HTX Tạm Nghỉ")
    WeightBasedFactory(cooperative=farm)
    product = _product(farm)
    farm.is_active = False
    farm.save()

    with pytest.raises(CheckoutError) as caught:
        place_order((product, 1))

    assert "HTX Tạm Nghỉ" in caught.value.messages[0]
    assert Order.objects.count() == 0


def test_transfer_is_refused_when_a_cooperative_has_no_bank_account():
    with_account = CooperativeFactory(**BANK)
    without_account = CooperativeFactory()
    for farm in (with_account, without_account):
        WeightBasedFactory(cooperative=farm)

    with pytest.raises(CheckoutError):
        place_order(
            (_product(with_account), 1),
            (_product(without_account), 1),
            payment_method="transfer",
        )

    assert Order.objects.count() == 0


def test_transfer_gives_each_part_its_own_ascii_note_and_a_deadline():
    tea = CooperativeFactory(**BANK)
    rice = CooperativeFactory(**{**BANK, "bank_account_number": "9876543210"})
    for farm in (tea, rice):
        WeightBasedFactory(cooperative=farm)

    order = place_order((_product(tea), 1), (_product(rice), 1), payment_method="transfer")

    parts = list(order.fulfilments.order_by("pk"))
    notes = [part.transfer_note for part in parts]
    assert notes == [f"CP{order.number} HTX{tea.pk}", f"CP{order.number} HTX{rice.pk}"]
    assert len(set(notes)) == 2
    assert all(note.isascii() and len(note) <= 25 for note in notes)
    for part in parts:
        assert part.payment_status == statuses.PAYMENT_AWAITING
        assert part.payment_due_by is not None
        assert part.payment_due_by > order.date_placed


def test_out_of_stock_places_nothing_and_allocates_nothing(two_farms):
    tea, rice = two_farms
    plenty = _product(tea, stock=50)
    last_jars = _product(rice, stock=1)
    last_jars.title = "Mật ong bạc hà"
    last_jars.save()

    with pytest.raises(CheckoutError) as caught:
        place_order((plenty, 3), (last_jars, 2))

    [message] = caught.value.messages
    assert "Mật ong bạc hà" in message
    assert Order.objects.count() == 0
    assert Fulfilment.objects.count() == 0
    assert not _stockrecord(plenty).num_allocated  # the first line's allocation rolled back
    assert not _stockrecord(last_jars).num_allocated


def test_sold_out_says_so():
    farm = CooperativeFactory()
    WeightBasedFactory(cooperative=farm)
    product = _product(farm, stock=0)

    with pytest.raises(CheckoutError) as caught:
        place_order((product, 1))

    assert product.get_title() in caught.value.messages[0]
    assert Order.objects.count() == 0


def test_cash_on_delivery_parts_are_due_for_their_whole_total(two_farms):
    tea, rice = two_farms

    order = place_order((_product(tea), 1), (_product(rice), 3), payment_method="cod")

    for part in order.fulfilments.all():
        assert part.payment_status == statuses.PAYMENT_DUE
        assert part.cod_amount == part.total
        assert part.transfer_note is None
        assert part.payment_due_by is None


@mock.patch("cooperatives.tasks.order_placed_notify_task")
def test_the_shopper_and_cooperatives_are_told_after_commit(
    notify, two_farms, django_capture_on_commit_callbacks
):
    tea, _rice = two_farms
    with django_capture_on_commit_callbacks(execute=True):
        order = place_order((_product(tea), 1))

    notify.delay.assert_called_once_with(order_id=order.pk)


def _basket_of(lines_per_cooperative: int, cooperatives):
    items = [(_product(farm), 1) for farm in cooperatives for _ in range(lines_per_cooperative)]
    return basket_with(*items, user=UserFactory())


def _place(basket):
    return order_place(
        basket=basket,
        user=basket.owner,
        address=delivery_address(),
        shipping_choices={},
        payment_method="cod",
    )


# Measured on SQLite and PostgreSQL 15, a signed-in shopper's first order of new
# products: 2 cooperatives with 4 lines take 52 queries, with 8 lines 75. The order, its
# address (and the shopper's address book), the fulfilments and the shipping bands cost
# the same whatever the number of lines, but each line adds about 6: its stock record and
# product class read by the basket's strategy, its partner read by oscar's OrderCreator,
# the line and its price row written, its stock allocated. Oscar's sales counters run
# after commit (order/apps.py), outside this count.
QUERIES_4_LINES = 53  # measured 52
QUERIES_PER_LINE = 6


def test_query_budget_of_a_two_cooperative_order(two_farms, django_assert_max_num_queries):
    four = _basket_of(2, two_farms)
    eight = _basket_of(4, two_farms)

    with django_assert_max_num_queries(QUERIES_4_LINES):
        _place(four)
    # Twice the lines: only each line's own reads and writes are added, never more.
    with django_assert_max_num_queries(QUERIES_4_LINES + 4 * QUERIES_PER_LINE):
        _place(eight)


def test_a_race_lost_at_the_order_number_returns_the_winners_order(two_farms, monkeypatch):
    """Two requests for one basket both pass the "already placed?" check; the database's
    unique order number stops the second, which returns the first one's order."""
    from cooperatives.services import checkout

    tea, _rice = two_farms
    product = _product(tea)
    arguments = {
        "basket": basket_with((product, 2)),
        "user": None,
        "address": delivery_address(),
        "shipping_choices": {},
        "payment_method": "cod",
    }
    first = order_place(**arguments)
    monkeypatch.setattr(checkout, "order_for_basket", lambda *, basket: None)

    second = order_place(**arguments)

    assert second.pk == first.pk
    assert Order.objects.count() == 1
    assert Fulfilment.objects.count() == 1
    assert _stockrecord(product).num_allocated == 2
