"""privacy.services.user_erase and privacy.selectors.user_data."""

import json

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Count, Sum

from cooperatives.models import Fulfilment, FulfilmentEvent, Notification
from order.models import Line, Order
from privacy.selectors import user_data
from privacy.services import erasure_blockers, user_erase
from tests.privacy.conftest import make_shopper

pytestmark = pytest.mark.django_db

TEXT_FIELDS = (models.CharField, models.TextField)


def _export_text(user) -> str:
    return json.dumps(user_data(user=user), cls=DjangoJSONEncoder, ensure_ascii=False)


def _traces(secrets: list[str]) -> list[str]:
    """Every row of every table whose text mentions one of ``secrets``: model.field=value."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        manager = model._base_manager
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, models.JSONField):
                # Stored with \\u escapes: compare the decoded values, not the column text.
                for value in manager.exclude(**{model_field.attname: None}).values_list(
                    model_field.attname, flat=True
                ):
                    text = json.dumps(value, ensure_ascii=False).lower()
                    found += [
                        f"{model._meta.label}.{model_field.name}: {secret}"
                        for secret in secrets
                        if secret.lower() in text
                    ]
            elif isinstance(model_field, TEXT_FIELDS):
                for secret in secrets:
                    hits = manager.filter(**{f"{model_field.attname}__icontains": secret})
                    found += [
                        f"{model._meta.label}.{model_field.name}: {value!r}"
                        for value in hits.values_list(model_field.attname, flat=True)
                    ]
    return found


def _order_records() -> dict:
    """What the law keeps: numbers, totals, lines, parts and their amounts, dates."""
    return {
        "orders": list(
            Order.objects.order_by("number").values_list(
                "number", "total_incl_tax", "total_excl_tax", "shipping_incl_tax", "date_placed"
            )
        ),
        "lines": list(
            Line.objects.order_by("pk").values_list(
                "order__number", "title", "quantity", "line_price_incl_tax", "partner_name"
            )
        ),
        "parts": list(
            Fulfilment.objects.order_by("pk").values_list(
                "order__number", "cooperative__name", "status", "goods_total", "shipping_charge"
            )
        ),
        "events": FulfilmentEvent.objects.count(),
        "notifications": Notification.objects.count(),
        "sum": Order.objects.aggregate(total=Sum("total_incl_tax"), n=Count("pk")),
    }


# --- Export -------------------------------------------------------------------------------


def test_export_holds_the_shoppers_orders_messages_review_and_profile(shoppers):
    mai, hung = shoppers
    data = user_data(user=mai.user)

    assert data["profile"]["email"] == mai.email
    assert [order["number"] for order in data["orders"]] == [o.number for o in mai.orders]
    delivered = data["orders"][0]
    assert delivered["shipping_address"]["phone"] == mai.phone
    assert delivered["shipping_address"]["line1"] == mai.street
    assert delivered["lines"][0]["quantity"] == 2
    assert delivered["fulfilments"][0]["status"] == "delivered"
    assert [event["to_state"] for event in delivered["fulfilments"][0]["events"]][-1] == (
        "delivered"
    )
    assert mai.name in delivered["notes"][0]["message"]
    assert {message["recipient"] for message in delivered["notifications"]} >= {mai.email}
    assert data["addresses"][0]["phone"] == mai.phone
    assert data["reviews"][0]["title"].startswith("Ngon")
    assert data["emails"][0]["email"] == mai.email
    assert data["baskets"]  # the baskets the orders were placed from


def test_export_holds_nothing_of_another_shopper(shoppers):
    mai, hung = shoppers
    text = _export_text(mai.user)
    for secret in [*hung.secrets, *(order.number for order in hung.orders)]:
        assert secret not in text
    # Messages to the cooperative about Mai's order are the cooperative's, not hers.
    assert "quanly.che@example.vn" not in text


def test_export_query_count_stays_flat_as_orders_grow(
    farm, django_capture_on_commit_callbacks, django_assert_num_queries
):
    shopper = make_shopper(
        farm,
        django_capture_on_commit_callbacks,
        first="Lan",
        last="Hoàng Thị",
        email="lan.hoang@example.vn",
        phone="+84912000111",
        street="Thôn Pác Ngòi",
    )
    with django_assert_num_queries(15):
        user_data(user=shopper.user)
    for _ in range(3):  # three more orders, each with lines, parts, events and messages
        with django_capture_on_commit_callbacks(execute=True):
            from tests.factories import place_order

            place_order((farm["product"], 1), user=shopper.user)
    with django_assert_num_queries(15):
        assert len(user_data(user=shopper.user)["orders"]) == 5


# --- Erasure ------------------------------------------------------------------------------


def test_erasure_leaves_no_trace_of_name_phone_email_and_keeps_the_order_records(shoppers):
    mai, hung = shoppers
    assert _traces(mai.secrets)  # the search finds them before
    before = _order_records()

    counts = user_erase(user=mai.user)

    assert _traces(mai.secrets) == []
    assert _order_records() == before
    assert counts["orders"] == 2
    mai.user.refresh_from_db()
    assert not mai.user.is_active
    assert not mai.user.has_usable_password()
    assert Order.objects.filter(user=mai.user).count() == 2  # still hers, anonymously
    # Hùng is untouched.
    assert len(_traces([hung.name, hung.email, hung.street])) >= 5
    assert user_data(user=hung.user)["orders"][0]["shipping_address"]["line1"] == hung.street


def test_a_part_still_on_its_way_blocks_erasure(farm, django_capture_on_commit_callbacks):
    shopper = make_shopper(
        farm,
        django_capture_on_commit_callbacks,
        first="Lan",
        last="Hoàng Thị",
        email="lan.hoang@example.vn",
        phone="+84912000111",
        street="Thôn Pác Ngòi",
        finished=False,  # the first order is still new
    )
    waiting = shopper.orders[0]
    assert erasure_blockers(user=shopper.user) == [waiting]

    with pytest.raises(ValidationError) as refused:
        user_erase(user=shopper.user)

    assert waiting.number in refused.value.messages[0]
    shopper.user.refresh_from_db()
    assert shopper.user.is_active
    assert _traces([shopper.name, shopper.street])  # nothing was erased


def test_cooperative_managers_are_not_erased_by_themselves(farm):
    with pytest.raises(ValidationError):
        user_erase(user=farm["manager"])
    farm["manager"].refresh_from_db()
    assert farm["manager"].is_active


def test_pending_messages_about_erased_orders_are_given_up(shoppers):
    mai, _hung = shoppers
    Notification.objects.filter(order__in=mai.orders).update(status=Notification.PENDING)

    user_erase(user=mai.user)

    statuses = set(
        Notification.objects.filter(order__in=mai.orders).values_list("status", flat=True)
    )
    assert statuses == {Notification.FAILED}
