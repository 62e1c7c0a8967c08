"""Query budgets of adding to the basket and of each step of a guest's cash-on-delivery order.

The steps are the ones ``benchmarks/bench.py queries`` counts (``checkout_queries``): two
products of two cooperatives into a new basket, the delivery form, sending it, the review
page and placing the order. Where the numbers came from (PostgreSQL, bench.py, before →
after the work that set them): add to basket 26 → 13 → 2, add 1st product 21 → 11 → 7 → 4,
add 2nd product 28 → 15 → 5 → 2, delivery form 19 → 9 → 4, delivery sent 20 → 14 → 6,
review 14 → 8 → 1, place order 47 → 32 → 19; the whole order 89 → 75 → 36. The budgets
below are this suite's own counts: the test's transaction turns each write's
BEGIN/COMMIT into a savepoint pair, sessions are read from the database (production
keeps them in the cache too), what runs after the order commits (oscar's analytics
counters, the notification task) does not run inside a test's transaction, and nothing
is held by the process (``PAGE_CACHE_LOCAL_SECONDS`` is 0).

What made them (so that a query that comes back has a place to be looked for):

- ``Basket.all_lines`` reads lines with product, class, cooperative, stock record and its
  partner; the basket counts and sums from those lines instead of asking the database;
- ``BasketAddView`` works out no offers (oscar did twice, for its "your basket total is
  now" message) and counts the addition in Redis; the basket middleware reads a guest's
  basket with its stored lines, and ``Basket.add_product`` adds to a line with one
  UPDATE; ``product_for_basket`` reads the product with its class, option flags and
  stock records, and the process holds it until the shop changes (off in the suite:
  the two queries are counted here);
- with lines already read, ``Basket.add_product`` keeps them in step with the line it
  writes, so offers are worked out on them without a second read;
- every other page reads a guest's basket with its priced lines and whether it holds
  vouchers (the basket middleware), and ``Basket.keep_priced_lines`` gives lines without
  options none and each product the stock record its line holds, without a query;
- a web process holds the site's offers and each cooperative's delivery rates while
  the shop is unchanged (``shop.page_cache.held``, off in the suite: counted here);
- ``basket_parts`` is worked out once per reading of the lines, cooperatives come with them;
- the checkout session is written only when the delivery form is sent; oscar's hidden
  flatpage pop-ups are left out of the checkout layout; the delivery form takes place
  names from its own lists;
- ``OrderCreator.place_order`` runs in the order's transaction without a savepoint or a
  look for its number first, and reads the vouchers once; fulfilments and their first
  events are inserted two statements for any number of cooperatives.

Raise a budget only in a change that says why.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from order.models import Order
from tests.budgets import basket_addition_queries, new_session_queries, session_queries
from tests.factories import CooperativeFactory, ProductFactory, WeightBasedFactory, site_offer

pytestmark = pytest.mark.django_db

# Adding: the product and its stock records (2), then the basket's own writes and reads;
# plus the addition's counter where it is a query (``basket_addition_queries``).
# A new line is one INSERT (in a savepoint here, inside the test's transaction).
ADD_NEW_BASKET = 6  # the basket is created, its line made (4)
ADD_SECOND_COOPERATIVE = 6  # the basket with its stored lines, and the line made (4)
ADD_AGAIN = 4  # the basket with its stored lines (one query), and one UPDATE
# Each checkout page reads the guest's basket with its lines in one query (4 fewer:
# the basket, the lines' options and stock records, the basket's vouchers).
DELIVERY_FORM = 5
DELIVERY_SENT = 9  # and the session's creation (``new_session_queries``)
# Once the guest has a session (from sending the delivery form), reading it is a query
# unless Redis holds sessions (cached_db, CI's PostgreSQL + Redis run).
REVIEW = 4
PLACE_ORDER = 21


@pytest.fixture
def products():
    """One product from each of two cooperatives with their own delivery rates."""
    found = []
    for name in ("HTX Mật ong Ba Bể", "HTX Miến dong"):
        cooperative = CooperativeFactory(name=name)
        WeightBasedFactory(cooperative=cooperative)
        found.append(ProductFactory(cooperative=cooperative, net_weight_grams=500))
    return found


def counted(client, method, path, data=None, expect=200):
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(path, data or {})
    assert response.status_code == expect, (path, response.status_code)
    return response, len(queries)


def guest_order(products) -> dict[str, int]:
    """A new guest's whole order, each step counted once (as bench.py counts it)."""
    first, second = products
    client = Client()
    steps = {}
    add = reverse("basket:add", kwargs={"pk": first.pk})
    _, steps["add 1st product"] = counted(client, "post", add, {"quantity": 1}, 302)
    add = reverse("basket:add", kwargs={"pk": second.pk})
    _, steps["add 2nd product"] = counted(client, "post", add, {"quantity": 1}, 302)
    _, steps["delivery form"] = counted(client, "get", reverse("checkout:index"))
    data = {
        "full_name": "Hoàng Thị Lan",
        "phone": "0912 345 678",
        "province_code": "19",
        "commune_code": "01906",
        "line1": "Thôn Pác Ngòi",
        "payment_method": "cod",
    }
    for product in products:
        method = product.cooperative.shipping_methods.get()
        data[f"shipping_{product.cooperative_id}"] = method.code
    _, steps["delivery sent"] = counted(client, "post", reverse("checkout:index"), data, 302)
    review, steps["review"] = counted(client, "get", reverse("checkout:preview"))
    placed = {
        "basket_id": review.context["request"].basket.id,
        "total": review.context["order_total"],
    }
    _, steps["place order"] = counted(client, "post", reverse("checkout:preview"), placed, 302)
    return steps


def test_each_step_of_a_guest_order_keeps_its_budget(products):
    guest_order(products)  # warm per-process caches (site, templates, translations)
    steps = guest_order(products)
    print(steps)
    assert Order.objects.count() == 2
    assert steps == {
        "add 1st product": ADD_NEW_BASKET + basket_addition_queries(),
        "add 2nd product": ADD_SECOND_COOPERATIVE + basket_addition_queries(),
        "delivery form": DELIVERY_FORM,
        "delivery sent": DELIVERY_SENT + new_session_queries(),
        "review": REVIEW + session_queries(),
        "place order": PLACE_ORDER + session_queries(),
    }


def test_adding_again_to_a_basket_keeps_its_budget_with_more_lines(products):
    client = Client()
    first, second = products
    url = reverse("basket:add", kwargs={"pk": first.pk})
    counted(client, "post", url, {"quantity": 1}, 302)
    _, again = counted(client, "post", url, {"quantity": 1}, 302)
    assert again == ADD_AGAIN + basket_addition_queries()
    for product in [second, *ProductFactory.create_batch(4, cooperative=second.cooperative)]:
        add = reverse("basket:add", kwargs={"pk": product.pk})
        counted(client, "post", add, {"quantity": 1}, 302)
    _, with_six_lines = counted(client, "post", url, {"quantity": 1}, 302)
    assert with_six_lines == ADD_AGAIN + basket_addition_queries()  # flat in the lines
    basket = client.get(reverse("basket:summary")).context["basket"]
    assert [line.quantity for line in basket.all_lines()] == [3, 1, 1, 1, 1, 1]


def test_the_lines_kept_after_adding_give_the_totals_a_fresh_read_gives(products):
    """With lines read (reordering, a phone order), offers are worked out on those kept
    in step: no discount lost or counted twice."""
    from oscar.apps.offer.applicator import Applicator
    from oscar.apps.offer.models import Benefit
    from oscar.apps.partner.strategy import Selector

    from basket.models import Basket

    site_offer(name="Giảm 10%", benefit_type=Benefit.PERCENTAGE, value=10)
    first, second = products  # 125.000 ₫ each
    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()
    Applicator().apply(basket)  # as the middleware does: the (no) lines are read

    def added(product):
        basket.add_product(product)
        assert basket.lines_loaded()  # kept in step, not dropped
        with CaptureQueriesContext(connection) as queries:
            Applicator().apply(basket)
        assert not [q for q in queries if "basket_line" in q["sql"]]  # not read again
        return basket.total_incl_tax

    assert added(first) == 112500
    assert added(first) == 225000  # 2 × 125.000 less 10%
    assert added(second) == 337500
    fresh = Basket.objects.get(pk=basket.pk)
    fresh.strategy = Selector().strategy()
    Applicator().apply(fresh)
    assert fresh.total_incl_tax == 337500
    assert [line.quantity for line in fresh.all_lines()] == [2, 1]


def test_adding_says_what_was_added_and_the_basket_page_works_out_the_offers(products):
    from django.contrib.messages import get_messages
    from oscar.apps.offer.models import Benefit

    site_offer(name="Giảm 10%", benefit_type=Benefit.PERCENTAGE, value=10)
    client = Client()
    first, second = products  # 125.000 ₫ each
    for product in (first, first, second):
        response = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
        assert response.status_code == 302
        told = " ".join(str(message) for message in get_messages(response.wsgi_request))
        assert f"<strong>{product.title}</strong>" in told
        assert f'href="{reverse("basket:summary")}"' in told
    assert client.cookies["basket_count"].value == "3"
    page = client.get(reverse("basket:summary"))
    assert page.context["basket"].total_incl_tax == 337500  # 3 × 125.000 less 10%
    assert "337.500" in page.content.decode()
