"""Delivery rates and site offers, held by a web process between checkout pages.

Both price an order, so they are held under the page cache's generation read live
(``shop.page_cache.held(..., live=True)``): a change is charged as soon as it commits.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from oscar.apps.offer.models import Benefit, ConditionalOffer
from oscar.apps.partner.strategy import Selector

from address.models import Province
from address.selectors import commune_choices, province_choices
from basket.models import Basket
from basket.offers import Applicator
from cooperatives.basket import basket_parts
from shipping.models import WeightBand
from shop import page_cache
from tests.factories import (
    CooperativeFactory,
    ProductFactory,
    WeightBasedFactory,
    basket_with,
    site_offer,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on", "held")]


@pytest.fixture
def held(settings):
    """A process may hold what it read (the suite's settings turn it off)."""
    settings.PAGE_CACHE_LOCAL_SECONDS = 1


@pytest.fixture
def basket():
    tea, rice = CooperativeFactory(), CooperativeFactory()
    WeightBasedFactory(cooperative=tea, bands=[(1, 30000), (5, 45000)])
    WeightBasedFactory(cooperative=rice, bands=[(5, 40000)])
    return basket_with(
        (ProductFactory(cooperative=tea, net_weight_grams=500), 1),
        (ProductFactory(cooperative=rice, net_weight_grams=2000), 1),
    )


def as_a_new_request_reads(saved) -> Basket:
    basket = Basket.objects.get(pk=saved.pk)
    basket.strategy = Selector().strategy()
    return basket


def charges(basket) -> list[Decimal]:
    return [part.options[0].charge for part in basket_parts(as_a_new_request_reads(basket))]


def tables_read(queries) -> str:
    return " ".join(query["sql"] for query in queries.captured_queries)


def test_delivery_rates_are_read_once_then_held(basket):
    assert charges(basket) == [Decimal("30000"), Decimal("40000")]
    with CaptureQueriesContext(connection) as queries:
        assert charges(basket) == [Decimal("30000"), Decimal("40000")]
    assert "shipping_" not in tables_read(queries)


def test_a_new_delivery_rate_is_charged_once_it_commits(basket, django_capture_on_commit_callbacks):
    charges(basket)
    band = WeightBand.objects.get(charge=Decimal("30000"))
    with django_capture_on_commit_callbacks(execute=True):
        band.charge = Decimal("32000")
        band.save()
    assert charges(basket) == [Decimal("32000"), Decimal("40000")]


def test_a_rate_changed_through_another_process_is_charged_at_once(basket):
    """Not a second later, as a page this process holds: the generation is read live."""
    charges(basket)
    WeightBand.objects.filter(charge=Decimal("40000")).update(charge=Decimal("41000"))
    page_cache.cache.incr(page_cache.GENERATION_KEY)  # the other process's invalidation
    assert charges(basket) == [Decimal("30000"), Decimal("41000")]


def test_a_saved_site_offer_applies_at_once(django_capture_on_commit_callbacks):
    assert Applicator().get_site_offers() == []
    with django_capture_on_commit_callbacks(execute=True):
        offer = site_offer(name="Giảm 10%", benefit_type=Benefit.PERCENTAGE, value=10)
    assert Applicator().get_site_offers() == [offer]
    with CaptureQueriesContext(connection) as queries:
        assert Applicator().get_site_offers() == [offer]
    assert "offer_" not in tables_read(queries)


def test_a_held_offer_starts_and_ends_on_time(monkeypatch):
    """Reaching an offer's dates saves nothing: each request checks them itself."""
    offer = site_offer(name="Giảm 10%", benefit_type=Benefit.PERCENTAGE, value=10)
    now = timezone.now()
    ConditionalOffer.objects.filter(pk=offer.pk).update(
        start_datetime=now + datetime.timedelta(hours=1),
        end_datetime=now + datetime.timedelta(hours=2),
    )
    assert Applicator().get_site_offers() == []  # read, and held from here on

    for hours, expected in [(1.5, [offer]), (2.5, [])]:
        moment = now + datetime.timedelta(hours=hours)
        monkeypatch.setattr("basket.offers.timezone", SimpleNamespace(now=lambda m=moment: m))
        with CaptureQueriesContext(connection) as queries:
            assert Applicator().get_site_offers() == expected
        assert "offer_" not in tables_read(queries)


def test_the_delivery_forms_places_are_held_until_they_change(
    django_capture_on_commit_callbacks,
):
    assert ("19", "Thái Nguyên") in province_choices()
    assert ("01906", "Xã Ba Bể") in commune_choices("19")
    with CaptureQueriesContext(connection) as queries:
        province_choices()
        commune_choices("19")
    assert not queries
    with django_capture_on_commit_callbacks(execute=True):
        Province.objects.filter(code="19").first().save()  # as the admin saves it
        Province.objects.filter(code="19").update(name="Thái Nguyên mới")
    # The save moved the generation on; the update (no signal) stands for the new name.
    assert ("19", "Thái Nguyên mới") in province_choices()


def test_an_order_rolled_back_leaves_no_use_on_the_held_offer(
    django_capture_on_commit_callbacks,
):
    """Placing an order counts the offer's use on the offer it applied; when the order
    then rolls back (the last jar went meanwhile), the offer held for the next shopper
    must not keep that count, or an offer with a limit runs out early."""
    from cooperatives.services.checkout import CheckoutError, order_place
    from tests.factories import delivery_address

    def placed(*items):
        basket = as_a_new_request_reads(basket_with(*items))
        Applicator().apply(basket)  # as the basket middleware does
        return order_place(
            basket=basket,
            user=None,
            address=delivery_address(),
            shipping_choices={},
            payment_method="cod",
        )

    cooperative = CooperativeFactory()
    WeightBasedFactory(cooperative=cooperative, bands=[(50, 30000)])
    honey, tea = (
        ProductFactory(cooperative=cooperative, stockrecords__num_in_stock=stock)
        for stock in (1, 50)
    )
    offer = site_offer(name="Giảm 10%, 2 đơn", benefit_type=Benefit.PERCENTAGE, value=10)
    ConditionalOffer.objects.filter(pk=offer.pk).update(max_global_applications=2)
    honey.stockrecords.update(num_allocated=1)  # the last jar went meanwhile

    with pytest.raises(CheckoutError):
        placed((honey, 1), (tea, 1))
    (held,) = Applicator().get_site_offers()
    assert held.num_applications == 0

    with django_capture_on_commit_callbacks(execute=True):
        order = placed((tea, 1))
    assert order.total_discount_incl_tax == Decimal("12500")
    offer.refresh_from_db()
    assert (offer.num_applications, offer.status) == (1, ConditionalOffer.OPEN)
