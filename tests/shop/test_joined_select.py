"""``shop.joined_select.JoinedSelect`` makes what ``select_related`` makes, in one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.apps.catalogue.models import ProductClass

from basket.models import Basket, Line
from catalogue.models import Product
from shop.joined_select import JoinedSelect
from tests.factories import ProductFactory, basket_with

pytestmark = pytest.mark.django_db

PRICED = ["basket", *Basket.PRICED]


def fields(instance) -> dict:
    return {
        field.attname: getattr(instance, field.attname)
        for field in type(instance)._meta.concrete_fields
    }


def related(line) -> dict:
    product = line.product
    return {
        "line": fields(line),
        "basket": fields(line.basket),
        "product": fields(product),
        "product class": fields(product.product_class) if product.product_class else None,
        "parent": fields(product.parent) if product.parent else None,
        "parent class": fields(product.parent.product_class) if product.parent else None,
        "cooperative": fields(product.cooperative),
        "stock record": fields(line.stockrecord),
        "partner": fields(line.stockrecord.partner),
    }


def test_rows_and_their_related_rows_are_those_select_related_reads():
    basket = basket_with((ProductFactory(), 2), (ProductFactory(), 1))
    read = JoinedSelect(Line, PRICED, "{}.basket_id = %s")

    with CaptureQueriesContext(connection) as queries:
        lines = sorted(read([basket.pk]), key=lambda line: line.pk)
        got = [related(line) for line in lines]
    assert len(queries) == 1  # every related object came with its line

    expected = Line.objects.filter(basket=basket).select_related(*PRICED).order_by("pk")
    assert got == [related(line) for line in expected]
    # Values converted as Django converts them (SQLite's decimals, aware datetimes).
    assert str(lines[0].price_incl_tax) == str(expected[0].price_incl_tax)
    assert lines[0].date_created.tzinfo is not None
    assert not lines[0]._state.adding and lines[0]._state.db == "default"


def test_a_null_foreign_key_reads_as_none_and_one_present_is_followed():
    clothing = ProductClass.objects.create(name="Quần áo", track_stock=True)
    parent = ProductFactory(structure=Product.PARENT, product_class=clothing, stockrecords=None)
    child = ProductFactory(structure=Product.CHILD, parent=parent, product_class=None)
    plain = ProductFactory()
    basket = basket_with((child, 1), (plain, 1))
    read = JoinedSelect(Line, PRICED, "{}.basket_id = %s")

    with CaptureQueriesContext(connection) as queries:
        lines = {line.product_id: line for line in read([basket.pk])}
        assert lines[plain.pk].product.parent is None
        assert lines[child.pk].product.parent == parent
        assert lines[child.pk].product.parent.product_class == clothing
        assert lines[child.pk].product.product_class is None
    assert len(queries) == 1


def test_where_names_related_tables_and_extra_sets_attributes():
    mine = basket_with((ProductFactory(), 3))
    basket_with((ProductFactory(), 1))  # someone else's
    read = JoinedSelect(
        Line,
        ["basket"],
        "{}.basket_id = %s AND {basket}.status = %s",
        extra={"twice": "{}.quantity * 2"},
    )

    [line] = read([mine.pk, Basket.OPEN])
    assert (line.basket, line.twice) == (mine, 6)
    assert read([mine.pk, Basket.FROZEN]) == []


def test_only_forward_foreign_keys_can_be_followed():
    with pytest.raises(ValueError, match="not a forward foreign key"):
        JoinedSelect(Basket, ["lines"], "1 = 1")


def test_a_shared_relation_is_one_instance_for_the_rows_that_hold_it():
    first = basket_with((ProductFactory(), 1), (ProductFactory(), 2))
    second = basket_with((ProductFactory(), 1))
    read = JoinedSelect(Line, PRICED, "{}.basket_id IN (%s, %s)", shared=["basket"])

    lines = read([first.pk, second.pk])
    baskets = {}
    for line in lines:
        baskets.setdefault(line.basket_id, set()).add(id(line.basket))
    assert {pk: len(made) for pk, made in baskets.items()} == {first.pk: 1, second.pk: 1}
    assert {fields(line.basket)["id"] for line in lines} == {first.pk, second.pk}
    # What is not shared is still one instance per row, as select_related makes them.
    assert len({id(line.product) for line in lines}) == 3
    # And a fresh read makes fresh instances.
    assert {id(line.basket) for line in read([first.pk, second.pk])}.isdisjoint(
        id(line.basket) for line in lines
    )


def test_only_relations_read_can_be_shared():
    with pytest.raises(ValueError, match="must be among"):
        JoinedSelect(Line, ["product"], "1 = 1", shared=["basket"])
