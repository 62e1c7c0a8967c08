"""Two shoppers with orders, messages and a review: one asks for their data or its erasure."""

from dataclasses import dataclass, field

import pytest
from oscar.apps.catalogue.reviews.models import ProductReview
from oscar.apps.communication.models import Email

from cooperatives import statuses
from cooperatives.services.fulfillment import fulfilment_cancel_by_shopper, fulfilment_transition
from order.models import Order, OrderNote
from payment.models import StripeEvent
from tests.factories import (
    CooperativeFactory,
    ProductFactory,
    UserFactory,
    WeightBasedFactory,
    delivery_address,
    place_order,
)

DELIVERED_PATH = (statuses.CONFIRMED, statuses.PACKED, statuses.SHIPPED, statuses.DELIVERED)


@dataclass
class Shopper:
    user: object
    name: str
    email: str
    phone: str  # E.164
    street: str
    orders: list[Order] = field(default_factory=list)

    @property
    def secrets(self) -> list[str]:
        """What must not be found anywhere once they are erased."""
        national = self.phone.removeprefix("+84")
        spaced = f"{national[:3]} {national[3:6]} {national[6:]}"
        return [self.name, self.email, self.user.username, national, spaced, self.street]


@pytest.fixture
def farm():
    manager = UserFactory(email="quanly.che@example.vn", first_name="Bình", last_name="Lý")
    cooperative = CooperativeFactory(name="HTX Chè Tân Cương", managers=[manager])
    WeightBasedFactory(cooperative=cooperative)
    product = ProductFactory(cooperative=cooperative, title="Chè búp", net_weight_grams=500)
    return {"manager": manager, "cooperative": cooperative, "product": product}


def _deliver(order, manager, *, note=""):
    for part in order.fulfilments.all():
        for step in DELIVERED_PATH:
            fulfilment_transition(
                fulfilment=part,
                to_status=step,
                actor=manager,
                note=note if step == statuses.SHIPPED else "",
            )


def make_shopper(farm, capture, *, first, last, email, phone, street, finished=True) -> Shopper:
    """A shopper with a delivered and a cancelled order, a review, an e-mail, a Stripe event."""
    user = UserFactory(username=email.split("@")[0], email=email, first_name=first, last_name=last)
    name = f"{last} {first}"
    shopper = Shopper(user=user, name=name, email=email, phone=phone, street=street)
    address = delivery_address(
        full_name=name, phone=phone, line1=street, notes=f"Gọi {phone} trước khi giao"
    )
    product = farm["product"]
    for _ in range(2):
        with capture(execute=True):  # the notifications to shopper and cooperative
            order = place_order((product, 2), user=user, address=address)
        shopper.orders.append(Order.objects.get(pk=order.pk))  # number as stored: a string
    delivered, cancelled = shopper.orders
    if finished:
        _deliver(delivered, farm["manager"], note=f"Chị {name} hẹn nhận buổi chiều")
    fulfilment_cancel_by_shopper(
        fulfilment=cancelled.fulfilments.get(), user=user, note=f"Đổi ý, liên hệ {phone}"
    )
    OrderNote.objects.create(order=delivered, message=f"Khách {name} ({email}) gọi hỏi giờ giao")
    ProductReview.objects.create(
        product=product, user=user, score=5, title=f"Ngon, {name} sẽ mua lại", body="Chè thơm."
    )
    Email.objects.create(user=user, email=email, subject="Chào mừng", body_text=f"Chào {name}")
    StripeEvent.objects.create(
        event_id=f"evt_{user.pk}",
        event_type="checkout.session.completed",
        payload={
            "data": {
                "object": {
                    "object": "checkout.session",
                    "client_reference_id": delivered.number,
                    "metadata": {"order_number": delivered.number},
                    "customer_details": {"email": email, "name": name, "phone": phone},
                }
            }
        },
    )
    return shopper


@pytest.fixture
def shoppers(farm, django_capture_on_commit_callbacks):
    mai = make_shopper(
        farm,
        django_capture_on_commit_callbacks,
        first="Mai",
        last="Trịnh Thị",
        email="mai.trinh@example.vn",
        phone="+84987654321",
        street="Xóm Nà Hang số 7",
    )
    hung = make_shopper(
        farm,
        django_capture_on_commit_callbacks,
        first="Hùng",
        last="Đặng Văn",
        email="hung.dang@example.vn",
        phone="+84911222333",
        street="Bản Khuổi Luông",
    )
    return mai, hung
