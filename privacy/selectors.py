"""What Chợ Phiên holds about one shopper, as plain data for them to download.

``user_data`` is the copy a signed-in shopper asks for from their account page;
``order_data`` is one order's part of it, for the guest who holds the order's signed link.
Both return JSON-ready dicts (dates and decimals left to ``DjangoJSONEncoder``).
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from oscar.apps.catalogue.reviews.models import ProductReview
from oscar.apps.communication.models import Email
from oscar.apps.communication.models import Notification as SiteMessage
from oscar.apps.customer.models import ProductAlert
from oscar.apps.wishlists.models import WishList

from address.models import UserAddress
from basket.models import Basket
from cooperatives.models import Fulfilment, FulfilmentEvent, Notification
from order.models import Line, Order

SHOPPER_KEY = ":shopper:"  # notification keys name their audience (services/notifications.py)
FORMAT_VERSION = 1


def user_data(*, user) -> dict:
    """Everything kept about ``user``: profile, address book, orders, messages, reviews…

    Only rows tied to this account; a fixed number of queries however many orders.
    """
    orders = list(_orders().filter(user=user))
    return {
        "format_version": FORMAT_VERSION,
        "shop": settings.OSCAR_SHOP_NAME,
        "exported_at": timezone.now(),
        "profile": {
            "username": user.get_username(),
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
        },
        "addresses": [
            _address(address) | {"is_default_for_shipping": address.is_default_for_shipping}
            for address in UserAddress.objects.filter(user=user).order_by("pk")
        ],
        "orders": [_order(order) for order in orders],
        "reviews": [
            {
                "product": review.product.get_title() if review.product else "",
                "score": review.score,
                "title": review.title,
                "body": review.body,
                "name": review.name,
                "email": review.email,
                "status": review.get_status_display(),
                "date_created": review.date_created,
            }
            for review in ProductReview.objects.filter(user=user).select_related("product")
        ],
        "baskets": [
            {
                "status": basket.status,
                "date_created": basket.date_created,
                "date_submitted": basket.date_submitted,
                "lines": [
                    {
                        "product": line.product.get_title() if line.product else "",
                        "quantity": line.quantity,
                        "price_incl_tax": line.price_incl_tax,
                        "date_created": line.date_created,
                    }
                    for line in basket.lines.all()
                ],
            }
            for basket in Basket.objects.filter(owner=user)
            .prefetch_related("lines__product")
            .order_by("pk")
        ],
        "wishlists": [
            {
                "name": wishlist.name,
                "products": [line.get_title() for line in wishlist.lines.all()],
            }
            for wishlist in WishList.objects.filter(owner=user).prefetch_related("lines__product")
        ],
        "product_alerts": [
            {
                "product": alert.product.get_title(),
                "email": alert.email,
                "status": alert.status,
                "date_created": alert.date_created,
            }
            for alert in ProductAlert.objects.filter(user=user).select_related("product")
        ],
        "site_messages": [
            {"subject": message.subject, "body": message.body, "date_sent": message.date_sent}
            for message in SiteMessage.objects.filter(recipient=user)
        ],
        "emails": [
            {
                "email": email.email,
                "subject": email.subject,
                "body": email.body_text,
                "date_sent": email.date_sent,
            }
            for email in Email.objects.filter(user=user)
        ],
    }


def order_data(*, order: Order) -> dict:
    """One order as ``user_data`` lists it: for a guest, whose only key is the order's link."""
    return {
        "format_version": FORMAT_VERSION,
        "shop": settings.OSCAR_SHOP_NAME,
        "exported_at": timezone.now(),
        "orders": [_order(_orders().get(pk=order.pk))],
    }


def _orders():
    return (
        Order.objects.select_related("shipping_address", "billing_address")
        .prefetch_related(
            Prefetch("lines", queryset=Line.objects.order_by("pk")),
            Prefetch(
                "fulfilments",
                queryset=Fulfilment.objects.select_related("cooperative")
                .prefetch_related(
                    Prefetch("events", queryset=FulfilmentEvent.objects.order_by("pk"))
                )
                .order_by("pk"),
            ),
            "notes",
            Prefetch(
                "notifications",
                # What the shop sent *to them*; messages to cooperatives are the cooperatives'.
                queryset=Notification.objects.filter(key__contains=SHOPPER_KEY).order_by("pk"),
            ),
        )
        .order_by("date_placed", "pk")
    )


def _order(order: Order) -> dict:
    return {
        "number": order.number,
        "date_placed": order.date_placed,
        "status": order.status,
        "payment_method": order.payment_method,
        "currency": order.currency,
        "total_incl_tax": order.total_incl_tax,
        "total_excl_tax": order.total_excl_tax,
        "shipping_incl_tax": order.shipping_incl_tax,
        "guest_email": order.guest_email,
        "shipping_address": _address(order.shipping_address) if order.shipping_address else None,
        "billing_address": _address(order.billing_address) if order.billing_address else None,
        "lines": [
            {
                "title": line.title,
                "upc": line.upc,
                "cooperative": line.partner_name,
                "quantity": line.quantity,
                "unit_price_incl_tax": line.unit_price_incl_tax,
                "line_price_incl_tax": line.line_price_incl_tax,
                "line_price_excl_tax": line.line_price_excl_tax,
                "status": line.status,
            }
            for line in order.lines.all()
        ],
        "fulfilments": [
            {
                "cooperative": part.cooperative.name,
                "status": part.status,
                "payment_status": part.payment_status,
                "goods_total": part.goods_total,
                "shipping_charge": part.shipping_charge,
                "total": part.total,
                "shipping_method": part.shipping_method_name,
                "is_pickup": part.is_pickup,
                "carrier": part.carrier,
                "tracking_number": part.tracking_number,
                "transfer_note": part.transfer_note,
                "created_at": part.created_at,
                "events": [
                    {
                        "created_at": event.created_at,
                        "kind": event.kind,
                        "from_state": event.from_state,
                        "to_state": event.to_state,
                        "channel": event.channel,
                        "note": event.note,
                    }
                    for event in part.events.all()
                ],
            }
            for part in order.fulfilments.all()
        ],
        "notes": [
            {"date_created": note.date_created, "type": note.note_type, "message": note.message}
            for note in order.notes.all()
        ],
        "notifications": [
            {
                "created_at": message.created_at,
                "channel": message.channel,
                "recipient": message.recipient,
                "subject": message.subject,
                "body": message.body,
                "status": message.status,
                "sent_at": message.sent_at,
            }
            for message in order.notifications.all()
        ],
    }


def _address(address) -> dict:
    return {
        "name": address.name,
        "phone": str(getattr(address, "phone_number", "") or ""),
        "line1": address.line1,
        "line2": address.line2,
        "line3": address.line3,
        "commune": address.commune_name,
        "province": address.province_name,
        "postcode": address.postcode,
        "country": address.country_id,
        "notes": getattr(address, "notes", ""),
    }
