"""Adding to the basket: what the shopper is told, what is refused, and what two taps do.

``BasketAddView`` adds from the basket's stored lines (``Basket.stored_lines``) without
working out offers, and reads the product through ``product_for_basket``, which a web
process holds until the shop changes (off in the suite unless a test turns it on).
"""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from oscar.apps.partner.strategy import Selector

from basket.models import Basket
from tests.factories import ProductFactory, basket_with

pytestmark = pytest.mark.django_db


def add(client, product, quantity=1):
    response = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": quantity})
    assert response.status_code == 302
    return response, [str(message) for message in get_messages(response.wsgi_request)]


def basket_of(client) -> Basket:
    return client.get(reverse("basket:summary")).context["basket"]


def test_the_shopper_is_told_in_vietnamese_what_was_added(client):
    honey = ProductFactory(title="Mật ong rừng")
    with translation.override("vi"):
        _, told = add(client, honey)
        assert told == [
            "<strong>Mật ong rừng</strong> đã được thêm vào giỏ hàng. "
            '<a href="/shop/basket/">Xem giỏ hàng</a>'
        ]
        _, told = add(client, honey, quantity=3)
    assert told[-1].startswith("Đã thêm <strong>3</strong> <strong>Mật ong rừng</strong>")
    assert [line.quantity for line in basket_of(client).all_lines()] == [4]


def test_more_than_the_stock_is_refused_and_the_basket_kept(client):
    honey = ProductFactory()
    honey.stockrecords.update(num_in_stock=3)
    add(client, honey, quantity=2)
    with translation.override("vi"):
        response, told = add(client, honey, quantity=2)  # 4 of 3
    assert response.url == reverse("basket:summary")  # back where the shopper was
    assert told[-1] == "chỉ mua được tối đa 3"  # after the first addition's message
    assert [line.quantity for line in basket_of(client).all_lines()] == [2]


def test_a_hidden_product_is_not_added(client):
    hidden = ProductFactory(is_public=False)
    response = client.post(reverse("basket:add", kwargs={"pk": hidden.pk}), {"quantity": 1})
    assert response.status_code == 404
    assert not basket_of(client).all_lines()


def stale_copy(saved) -> Basket:
    """The basket as another request read it, its stored lines included."""
    basket = Basket.objects.get(pk=saved.pk)
    basket.strategy = Selector().strategy()
    basket.stored_lines()
    return basket


def test_adding_to_a_line_read_earlier_adds_to_what_is_stored():
    """A tap's request read the line before another one wrote it: its addition goes on
    top of the stored quantity, never writes back the quantity it read."""
    honey = ProductFactory()
    saved = basket_with((honey, 1))
    first, second = stale_copy(saved), stale_copy(saved)
    first.add_product(honey, 1)
    second.add_product(honey, 1)
    assert saved.lines.get().quantity == 3


def test_a_checked_addition_to_a_line_changed_meanwhile_is_refused():
    honey = ProductFactory()
    saved = basket_with((honey, 1))
    first, second = stale_copy(saved), stale_copy(saved)
    first.add_product(honey, 1, checked=True)
    with pytest.raises(Basket.LinesChanged):
        second.add_product(honey, 1, checked=True)  # checked against 1, stored is 2
    assert saved.lines.get().quantity == 2
    second.add_product(honey, 1, checked=True)  # read again: checked against 2
    assert saved.lines.get().quantity == 3


def test_a_line_another_request_made_meanwhile_is_added_to_not_made_twice():
    """Both requests read a basket without the product; the first one's line stands."""
    honey, tea = ProductFactory(), ProductFactory()
    saved = basket_with((tea, 1))
    first, second, third = stale_copy(saved), stale_copy(saved), stale_copy(saved)
    line, created = first.add_product(honey, 1, checked=True)
    assert created
    with pytest.raises(Basket.LinesChanged):
        second.add_product(honey, 2, checked=True)  # checked without the first's line
    second.add_product(honey, 2, checked=True)  # read again: added to it
    third.add_product(honey, 1)  # unchecked: oscar's look and add
    assert saved.lines.get(product=honey).quantity == 4
    assert saved.lines.count() == 2


def test_a_second_tap_on_a_new_product_adds_to_the_first_ones_line(client, monkeypatch):
    honey = ProductFactory()
    add(client, ProductFactory())
    basket = Basket.objects.get()
    insert_line = Basket._insert_line

    def other_tap_first(self, product, quantity, stock_info, reference):
        monkeypatch.setattr(Basket, "_insert_line", insert_line)
        other = Basket.objects.get(pk=basket.pk)
        other.strategy = Selector().strategy()
        other.add_product(product, 2)
        return insert_line(self, product, quantity, stock_info, reference)

    monkeypatch.setattr(Basket, "_insert_line", other_tap_first)
    add(client, honey, quantity=1)
    assert basket.lines.get(product=honey).quantity == 3


def test_two_taps_at_once_cannot_take_more_than_the_stock(client, monkeypatch):
    """The second tap's request checked the stock on the lines it read, then the first
    one's UPDATE landed: it checks again on what is stored, and is refused."""
    honey = ProductFactory()
    honey.stockrecords.update(num_in_stock=3)
    add(client, honey, quantity=2)
    line = Basket.objects.get().lines.get()
    add_to_stored = Basket._add_to_stored

    def other_tap_first(basket, stored, quantity, **kwargs):
        type(stored).objects.filter(pk=line.pk).update(quantity=3)  # the other tap: 2 + 1
        monkeypatch.setattr(Basket, "_add_to_stored", add_to_stored)
        return add_to_stored(basket, stored, quantity, **kwargs)

    monkeypatch.setattr(Basket, "_add_to_stored", other_tap_first)
    with translation.override("vi"):
        _, told = add(client, honey, quantity=1)  # checked against 2: 3 of 3, allowed
    assert told[-1] == "chỉ mua được tối đa 3"  # checked again against 3: 4 of 3
    assert Basket.objects.get().lines.get().quantity == 3


def test_a_line_removed_meanwhile_is_made_again():
    """The shopper's other tab removed the line after this request read the lines."""
    honey = ProductFactory()
    saved = basket_with((honey, 2))
    basket = Basket.objects.get(pk=saved.pk)
    basket.strategy = Selector().strategy()
    basket.stored_lines()
    saved.lines.all().delete()
    line, created = basket.add_product(honey, 1)
    assert created
    assert [(each.pk, each.quantity) for each in saved.lines.all()] == [(line.pk, 1)]
    assert basket.num_items == 1


def test_a_process_holds_the_product_until_the_shop_changes(client, page_cache_on, settings):
    from shop.page_cache import pages_invalidate

    settings.PAGE_CACHE_LOCAL_SECONDS = 60
    honey = ProductFactory()
    add(client, honey)
    with CaptureQueriesContext(connection) as queries:
        add(client, honey)
    assert not [q for q in queries if "catalogue_product" in q["sql"]]
    # Only the line's UPDATE looks at the stock, as it writes (Basket._add_to_stored).
    assert not [q for q in queries if q["sql"].startswith('SELECT "partner_stockrecord"')]

    honey.stockrecords.update(price=Decimal("99000"), num_in_stock=1)
    pages_invalidate()  # what saving a stock record does once its transaction commits
    with translation.override("vi"):
        _, told = add(client, honey)  # 3 of 1: refused on the new stock, read afresh
    assert told[-1] == "chỉ mua được tối đa 1"
    assert [line.quantity for line in basket_of(client).all_lines()] == [2]


def test_a_guests_basket_is_read_with_its_lines_in_one_query(client):
    honey, noodles = ProductFactory(), ProductFactory()
    add(client, honey)
    add(client, noodles)
    with CaptureQueriesContext(connection) as queries:
        add(client, honey)
    reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT")]
    basket_reads = [sql for sql in reads if "basket_" in sql.split("WHERE")[0]]
    assert len(basket_reads) == 1 and "basket_basket" in basket_reads[0]
    assert [line.quantity for line in basket_of(client).all_lines()] == [2, 1]


def test_an_emptied_basket_and_a_forged_cookie_still_add(client):
    honey = ProductFactory()
    add(client, honey)
    Basket.objects.get().lines.all().delete()
    add(client, honey)  # the basket is read on its own, as oscar does
    assert [line.quantity for line in basket_of(client).all_lines()] == [1]
    client.cookies["oscar_open_basket"] = "1:forged"
    add(client, honey)  # a new basket, and the forged cookie replaced
    assert Basket.objects.count() == 2
    assert [line.quantity for line in basket_of(client).all_lines()] == [1]


def test_a_held_product_is_read_again_once_this_process_changes_the_shop(
    client, page_cache_on, settings, monkeypatch
):
    """Even when the change's invalidation did not reach Redis: the process that made it
    forgets what it held."""
    from catalogue.models import Product
    from shop import page_cache

    settings.PAGE_CACHE_LOCAL_SECONDS = 60
    honey = ProductFactory()
    add(client, honey)

    def unreachable(*args, **kwargs):
        raise ValueError("no generation to move on")

    monkeypatch.setattr(page_cache.cache, "incr", unreachable)
    monkeypatch.setattr(page_cache.cache, "set", lambda *args, **kwargs: None)
    Product.objects.filter(pk=honey.pk).update(is_public=False)
    page_cache.pages_invalidate()
    response = client.post(reverse("basket:add", kwargs={"pk": honey.pk}), {"quantity": 1})
    assert response.status_code == 404


def test_a_big_addition_is_checked_against_the_stock_as_it_is_now(
    client, page_cache_on, settings, django_capture_on_commit_callbacks
):
    """Orders leaving plenty keep the product a process holds (catalogue.availability):
    adding to a line is checked by its UPDATE against the stock as it is now, and a new
    line of more than LOW_STOCK_SHOWN units reads the stock afresh."""
    from catalogue.availability import LOW_STOCK_SHOWN
    from tests.factories import CooperativeFactory, WeightBasedFactory, place_order

    settings.PAGE_CACHE_LOCAL_SECONDS = 1
    cooperative = CooperativeFactory()
    WeightBasedFactory(cooperative=cooperative, bands=[(50, 30000)])
    honey = ProductFactory(cooperative=cooperative, stockrecords__num_in_stock=30)
    add(client, honey)  # held from here on, with 30 in stock
    with django_capture_on_commit_callbacks(execute=True):
        place_order((honey, 15))  # 15 left: more than LOW_STOCK_SHOWN, nothing thrown away

    with translation.override("vi"):
        _, told = add(client, honey, quantity=20)  # 21 of 15
    assert told[-1] == "chỉ mua được tối đa 15"
    with CaptureQueriesContext(connection) as queries:
        add(client, honey, quantity=LOW_STOCK_SHOWN - 1)  # 10: surely in stock
    assert not [q for q in queries if "catalogue_product" in q["sql"]]  # still held
    assert [line.quantity for line in basket_of(client).all_lines()] == [LOW_STOCK_SHOWN]

    tea = ProductFactory(cooperative=cooperative, stockrecords__num_in_stock=30)
    add(client, tea)
    with django_capture_on_commit_callbacks(execute=True):
        place_order((tea, 1), (honey, 1))  # tea: 29 left, honey: 14
    basket_of(client).lines.filter(product=tea).delete()  # removed in another tab
    with translation.override("vi"):
        _, told = add(client, tea, quantity=LOW_STOCK_SHOWN + 20)  # a new line: read now
    assert told[-1] == "chỉ mua được tối đa 29"


def test_a_title_is_shown_as_text_in_the_message(client):
    product = ProductFactory(title='Mật ong <img src=x onerror="alert(1)">')
    _, told = add(client, product)
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in told[0]
    assert "<img" not in told[0]
