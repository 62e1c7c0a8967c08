"""Orders are never hard-deleted: not by code, not by the admins, not by a cascade."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.db.models import ProtectedError
from django.urls import reverse
from oscar.apps.communication.models import CommunicationEventType
from oscar.apps.partner.models import Partner

from cooperatives.models import Fulfilment, FulfilmentEvent, Notification
from cooperatives.services.fulfillment import fulfilment_transition
from order.admin import KEPT_RECORDS
from order.models import (
    CommunicationEvent,
    Line,
    Order,
    OrderNote,
    PaymentEvent,
    PaymentEventType,
    ShippingEvent,
    ShippingEventType,
)
from tests.factories import (
    CooperativeFactory,
    ProductFactory,
    UserFactory,
    WeightBasedFactory,
    place_order,
)

pytestmark = pytest.mark.django_db

# The rows that make up the record of a sale.
RECORD_MODELS = [
    *apps.get_app_config("order").get_models(),
    Fulfilment,
    FulfilmentEvent,
    Notification,
]


@pytest.fixture
def sale():
    manager = UserFactory()
    shopper = UserFactory()
    cooperative = CooperativeFactory(managers=[manager])
    WeightBasedFactory(cooperative=cooperative)
    product = ProductFactory(cooperative=cooperative, net_weight_grams=500)
    order = place_order((product, 1), user=shopper)
    part = order.fulfilments.get()
    fulfilment_transition(fulfilment=part, to_status="confirmed", actor=manager)
    return {
        "order": order,
        "part": part,
        "shopper": shopper,
        "manager": manager,
        "cooperative": cooperative,
        "product": product,
    }


@pytest.mark.parametrize("model", [Order, Fulfilment, FulfilmentEvent])
def test_a_record_refuses_delete_one_by_one_and_in_bulk(sale, model):
    row = model.objects.first()
    with pytest.raises(ProtectedError):
        row.delete()
    with pytest.raises(ProtectedError):
        model.objects.all().delete()
    with pytest.raises(ProtectedError):
        model.objects.filter(pk=row.pk).delete()
    assert model.objects.filter(pk=row.pk).exists()


def test_no_record_model_cascades_from_a_model_outside_the_records():
    """Deleting a user, product, partner, event type… never deletes part of a sale."""
    inside = set(RECORD_MODELS)
    cascading = [
        f"{model._meta.label}.{field.name} → {field.related_model._meta.label}"
        for model in RECORD_MODELS
        for field in model._meta.concrete_fields
        if field.is_relation
        and field.related_model not in inside
        and field.remote_field.on_delete is models.CASCADE
    ]
    assert cascading == []


def test_deleting_the_shopper_keeps_their_orders_and_the_notes_they_wrote(sale):
    order, shopper = sale["order"], sale["shopper"]
    OrderNote.objects.create(order=order, user=shopper, message="Giao giờ hành chính")

    shopper.delete()

    order.refresh_from_db()
    assert order.user is None
    assert order.notes.get().message == "Giao giờ hành chính"


def test_deleting_the_manager_keeps_the_events_they_wrote(sale):
    sale["manager"].delete()
    assert sale["part"].events.filter(actor=None, to_state="confirmed").exists()


def test_deleting_a_product_keeps_the_order_line(sale):
    line = Line.objects.get(order=sale["order"])
    title = line.title

    sale["product"].stockrecords.all().delete()
    sale["product"].delete()

    line.refresh_from_db()
    assert line.product is None and line.stockrecord is None
    assert line.title == title


def test_a_cooperative_or_partner_with_orders_cannot_be_deleted(sale):
    with pytest.raises(ProtectedError):
        sale["cooperative"].delete()
    with pytest.raises(ProtectedError):
        Partner.objects.get(pk=sale["cooperative"].partner_id).delete()
    assert Fulfilment.objects.filter(pk=sale["part"].pk).exists()


def test_an_event_type_in_use_cannot_be_deleted(sale):
    order = sale["order"]
    shipped = ShippingEventType.objects.create(name="Đã gửi", code="shipped")
    paid = PaymentEventType.objects.create(name="Đã trả", code="paid")
    mailed = CommunicationEventType.objects.create(code="ORDER_MAILED", name="Đã gửi thư")
    ShippingEvent.objects.create(order=order, event_type=shipped)
    PaymentEvent.objects.create(order=order, event_type=paid, amount=order.total_incl_tax)
    CommunicationEvent.objects.create(order=order, event_type=mailed)
    for event_type in (shipped, paid, mailed):
        with pytest.raises(ProtectedError):
            event_type.delete()


@pytest.mark.parametrize("model", [*KEPT_RECORDS, Fulfilment])
def test_the_django_admin_offers_no_delete(admin_client, rf, admin_user, model, sale):
    model_admin = admin.site.get_model_admin(model)
    request = rf.get("/")
    request.user = admin_user
    assert not model_admin.has_delete_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)
    row = model.objects.first()
    if row is not None:
        url = reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_delete", args=[row.pk]
        )
        assert admin_client.post(url, {"post": "yes"}).status_code == 403
        assert model.objects.filter(pk=row.pk).exists()


def test_the_admin_order_page_has_no_delete_box_for_lines(admin_client, sale):
    order = sale["order"]
    page = admin_client.get(reverse("admin:order_order_change", args=[order.pk]))
    assert page.status_code == 200
    assert "lines-0-DELETE" not in page.content.decode()


def test_the_oscar_dashboard_has_no_order_delete(admin_client, sale):
    order = sale["order"]
    names = [pattern.name or "" for pattern in apps.get_app_config("orders_dashboard").urls[0]]
    assert names and not [name for name in names if "delete" in name]
    response = admin_client.post(
        reverse("dashboard:order-detail", kwargs={"number": order.number}),
        {"order_action": "delete_order"},
    )
    assert response.status_code in (200, 302)
    assert Order.objects.filter(pk=order.pk).exists()


def test_wagtail_manages_no_order_records():
    from wagtail.snippets.models import get_snippet_models

    assert not set(get_snippet_models()) & set(RECORD_MODELS)
