"""A guest's basket read with its lines in one query: vouchers, options and stock records
still count where a basket has them (basket/middleware.py, ``Basket.keep_priced_lines``)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from oscar.apps.catalogue.models import Option
from oscar.apps.offer.models import Benefit, Condition, ConditionalOffer, Range
from oscar.apps.partner.strategy import Selector
from oscar.apps.voucher.models import Voucher

from basket.models import Basket
from order.models import Order
from tests.checkout.test_checkout_flow import add, delivery, two_cooperatives, with_shipping
from tests.factories import ProductFactory, basket_with

pytestmark = pytest.mark.django_db

__all__ = ["two_cooperatives"]  # the fixture, used below


@pytest.fixture
def voucher():
    everything = Range.objects.create(name="Tất cả", includes_all_products=True)
    offer = ConditionalOffer.objects.create(
        name="Mã GIAM10",
        offer_type=ConditionalOffer.VOUCHER,
        condition=Condition.objects.create(range=everything, type=Condition.COUNT, value=1),
        benefit=Benefit.objects.create(range=everything, type=Benefit.PERCENTAGE, value=10),
    )
    voucher = Voucher.objects.create(
        name="Giảm 10%",
        code="GIAM10",
        usage=Voucher.MULTI_USE,
        start_datetime=timezone.now() - datetime.timedelta(days=1),
        end_datetime=timezone.now() + datetime.timedelta(days=1),
    )
    voucher.offers.add(offer)
    return voucher


def test_a_guests_voucher_is_discounted_and_recorded_through_the_checkout(
    client, two_cooperatives, voucher
):
    honey, noodles = two_cooperatives
    add(client, honey)
    add(client, noodles, 2)
    response = client.post(reverse("basket:vouchers-add"), {"code": "GIAM10"})
    assert response.status_code == 302
    basket = client.get(reverse("basket:summary")).context["basket"]
    assert list(basket.vouchers.all()) == [voucher]
    assert basket.total_incl_tax == Decimal("337500")  # 375.000 less 10 %

    client.post(reverse("checkout:index"), with_shipping(delivery(), honey, noodles))
    review = client.get(reverse("checkout:preview"))
    assert review.context["order_total"] == Decimal("397500")  # and 2 × 30.000 delivery
    client.post(reverse("checkout:preview"), {"basket_id": review.context["basket"].id})

    order = Order.objects.get()
    assert order.total_incl_tax == Decimal("397500")
    assert [discount.voucher_code for discount in order.discounts.all()] == ["GIAM10"]
    voucher.refresh_from_db()
    assert voucher.num_orders == 1


def test_a_basket_read_without_vouchers_locks_none_and_one_added_since_counts(voucher):
    basket = basket_with((ProductFactory(), 1))
    basket.keep_no_vouchers()
    with CaptureQueriesContext(connection) as queries:
        assert basket.vouchers_for_update() == []
    assert not queries
    basket.vouchers.add(voucher)  # drops what keep_no_vouchers set
    assert basket.vouchers_for_update() == [voucher]


def test_a_line_with_options_keeps_them_and_others_cost_no_query():
    engraving = Option.objects.create(name="Khắc tên", code="khac-ten")
    plain, engraved = ProductFactory(), ProductFactory()
    saved = basket_with((plain, 1))
    saved.add_product(engraved, 1, options=[{"option": engraving, "value": "Lan"}])

    basket = Basket.objects.get(pk=saved.pk)
    basket.strategy = Selector().strategy()
    with CaptureQueriesContext(connection) as queries:
        lines = list(basket.all_lines())
        options = {line.product_id: [a.value for a in line.attributes.all()] for line in lines}
        prices = [line.unit_price_incl_tax for line in lines]
    assert options == {plain.pk: [], engraved.pk: ["Lan"]}
    assert prices == [Decimal("125000"), Decimal("125000")]
    assert len(queries) == 2  # the lines, and the one line's options


def test_lines_stay_in_the_order_they_were_added_after_one_changes(client, two_cooperatives):
    # The lines are read without ORDER BY (shop.joined_select). On PostgreSQL a changed row
    # is written anew after the others, so an unsorted read would list it last.
    honey, noodles = two_cooperatives
    add(client, honey)
    add(client, noodles)
    add(client, honey)  # its quantity changes to 2

    response = client.get(reverse("basket:summary"))
    lines = list(response.context["basket"].all_lines())
    assert [(line.product, line.quantity) for line in lines] == [(honey, 2), (noodles, 1)]
    forms = response.context["formset"].forms
    assert [form.instance.product for form in forms] == [honey, noodles]
