"""Two managers acting on the same part at once: one wins, the other is told (PostgreSQL)."""

import threading
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from cooperatives import statuses
from cooperatives.models import FulfilmentEvent
from cooperatives.services.fulfillment import fulfilment_confirm
from tests.factories import (
    CooperativeFactory,
    ProductFactory,
    UserFactory,
    WeightBasedFactory,
    place_order,
)

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="two managers at once need PostgreSQL (set DATABASE_URL=postgres://…); "
        "SQLite serialises every write, so it cannot show the race",
    ),
]


def test_two_managers_confirming_at_once_confirm_once():
    lan, minh = UserFactory(), UserFactory()
    farm = CooperativeFactory(managers=[lan, minh])
    WeightBasedFactory(cooperative=farm)
    with mock.patch("cooperatives.tasks.order_placed_notify_task"):
        part = place_order((ProductFactory(cooperative=farm), 1)).fulfilments.get()
    start = threading.Barrier(2)
    results: dict[str, object] = {}

    def confirm(manager, name):
        try:
            start.wait(timeout=10)
            with mock.patch("cooperatives.tasks.fulfilment_event_notify_task"):
                fulfilment_confirm(
                    fulfilment=part,
                    actor=manager,
                    channel=statuses.CHANNEL_PHONE,
                    expected_status=statuses.NEW,
                )
            results[name] = "confirmed"
        except ValidationError as error:
            results[name] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=confirm, args=(lan, "lan")),
        threading.Thread(target=confirm, args=(minh, "minh")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(str(type(r).__name__) for r in results.values()) == ["ValidationError", "str"]
    [refused] = [r for r in results.values() if isinstance(r, ValidationError)]
    assert refused.code == "stale"  # told who confirmed it and when
    assert FulfilmentEvent.objects.filter(fulfilment=part, to_state=statuses.CONFIRMED).count() == 1
