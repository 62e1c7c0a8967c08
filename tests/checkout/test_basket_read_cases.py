"""Cases the basket's hand-built read (``shop.joined_select``) must handle as oscar's ORM
read did: quantities changed on the basket page, a guest basket merged on signing in,
variants and a product without a cooperative, values typed as the ORM types them, another
thread's connection; and an eager task keeping its caller's connection (shop/celery.py).
"""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.signing import Signer
from django.db import connection, transaction
from django.urls import reverse
from oscar.apps.catalogue.models import ProductClass

from basket.models import Basket, Line
from catalogue.models import Product
from shop.joined_select import JoinedSelect
from tests.checkout.test_checkout_flow import add, two_cooperatives
from tests.factories import (
    CooperativeFactory,
    PartnerFactory,
    ProductFactory,
    StockRecordFactory,
    UserFactory,
    basket_with,
)

pytestmark = pytest.mark.django_db

__all__ = ["two_cooperatives"]


def as_guest(client, basket) -> None:
    client.cookies[settings.OSCAR_BASKET_COOKIE_OPEN] = Signer().sign(basket.pk)


def formset_data(formset, **quantities) -> dict:
    data = {
        f"{formset.prefix}-TOTAL_FORMS": str(len(formset.forms)),
        f"{formset.prefix}-INITIAL_FORMS": str(len(formset.forms)),
        f"{formset.prefix}-MIN_NUM_FORMS": "0",
        f"{formset.prefix}-MAX_NUM_FORMS": "1000",
    }
    for form in formset.forms:
        data[form.add_prefix("id")] = str(form.instance.pk)
        data[form.add_prefix("quantity")] = str(
            quantities.get(str(form.instance.product_id), form.instance.quantity)
        )
    return data


def test_guest_changing_a_quantity_on_the_basket_page_keeps_lines_in_order(
    client, two_cooperatives
):
    honey, noodles = two_cooperatives
    add(client, honey)
    add(client, noodles)
    page = client.get(reverse("basket:summary"))
    data = formset_data(page.context["formset"], **{str(honey.pk): 3})
    response = client.post(reverse("basket:summary"), data)
    assert response.status_code == 302

    page = client.get(reverse("basket:summary"))
    forms = page.context["formset"].forms
    assert [(f.instance.product, f.instance.quantity) for f in forms] == [(honey, 3), (noodles, 1)]
    assert page.context["basket"].total_incl_tax == Decimal("500000")


def test_signing_in_merges_the_guest_basket_and_keeps_its_order(client, two_cooperatives):
    honey, noodles = two_cooperatives
    user = UserFactory()
    basket_with((noodles, 1), user=user)
    add(client, honey, 2)
    client.force_login(user)
    page = client.get(reverse("basket:summary"))
    lines = list(page.context["basket"].all_lines())
    assert [(line.product, line.quantity) for line in lines] == [(noodles, 1), (honey, 2)]


def test_a_guests_variant_and_cooperativeless_lines_are_read_as_oscar_reads_them(client):
    clothing = ProductClass.objects.create(name="Quần áo", track_stock=True)
    farm = CooperativeFactory()
    parent = ProductFactory(
        structure=Product.PARENT, product_class=clothing, stockrecords=None, cooperative=farm
    )
    child = ProductFactory(
        structure=Product.CHILD, parent=parent, product_class=None, cooperative=farm, title=""
    )
    orphan = ProductFactory(cooperative=None, stockrecords=None)
    StockRecordFactory(product=orphan, partner=PartnerFactory())
    basket = basket_with((child, 2), (orphan, 1))
    as_guest(client, basket)

    page = client.get(reverse("basket:summary"))
    assert page.status_code == 200
    lines = list(page.context["basket"].all_lines())
    assert [line.product for line in lines] == [child, orphan]
    assert lines[0].product.get_product_class() == clothing
    assert lines[0].product.cooperative == farm and lines[1].product.cooperative is None
    assert [line.unit_price_incl_tax for line in lines] == [Decimal("125000")] * 2
    assert page.context["basket"].total_incl_tax == Decimal("375000")


def test_joined_select_values_have_the_types_and_text_of_the_orms(two_cooperatives):
    honey, noodles = two_cooperatives
    farm = honey.cooperative
    farm.phone = "+84912345678"
    farm.min_order_value = Decimal("150000.5")
    farm.save()
    basket = basket_with((honey, 2), (noodles, 1))
    read = JoinedSelect(Line, ["basket", *Basket.PRICED], "{}.basket_id = %s")

    def described(line):
        objects = [
            line,
            line.basket,
            line.product,
            line.product.product_class,
            line.product.cooperative,
            line.stockrecord,
            line.stockrecord.partner,
        ]
        return [
            [
                (f.attname, type(getattr(o, f.attname)), str(getattr(o, f.attname)))
                for f in type(o)._meta.concrete_fields
            ]
            for o in objects
        ]

    got = [described(line) for line in sorted(read([basket.pk]), key=lambda line: line.pk)]
    expected = Line.objects.filter(basket=basket).select_related("basket", *Basket.PRICED)
    assert got == [described(line) for line in expected.order_by("pk")]


def test_an_eager_task_inside_a_transaction_keeps_its_callers_connection():
    from shop.celery import _connections_as_around_a_request

    eager = SimpleNamespace(request=SimpleNamespace(is_eager=True))
    with transaction.atomic():
        connection.ensure_connection()
        raw = connection.connection
        _connections_as_around_a_request(task=eager)
        assert connection.connection is raw and not connection.needs_rollback


def test_basket_read_from_another_thread_uses_that_threads_connection():
    """The per-process SQL (and converters) built in one thread serve another."""
    import threading

    basket = basket_with((ProductFactory(), 1))
    from basket.models import _lines_of_basket

    _lines_of_basket()([basket.pk])  # built here
    errors = []

    def other():
        from django.db import connections

        try:
            _lines_of_basket()([basket.pk])
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert errors == []
