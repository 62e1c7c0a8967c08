"""Every console order URL and action, walked as the wrong people; and oscar's dashboard
kept closed to cooperative managers (django-oscar #2240).

The URLs are read from ``cooperatives/console/order_urls.py`` and the actions from the
view's table, so a page or action added later is walked too.
"""

from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.urls import URLPattern, reverse

from cooperatives import statuses
from cooperatives.console import order_urls
from cooperatives.console.orders import ACTION_FORMS
from cooperatives.models import Fulfilment, FulfilmentEvent
from tests.factories import (
    CooperativeFactory,
    ProductFactory,
    UserFactory,
    WeightBasedFactory,
    place_order,
)

pytestmark = pytest.mark.django_db

# Everything a hostile form could post to any action.
HOSTILE = {
    "expected_status": "",
    "channel": "phone",
    "reason": "x",
    "carrier": "X",
    "tracking_number": "X",
    "quantity": 9,
    "action": "confirm",
    "fulfilment": [],
}


@pytest.fixture(autouse=True)
def notify():
    with mock.patch("cooperatives.tasks.fulfilment_event_notify_task") as task:
        yield task


@pytest.fixture
def owned():
    manager = UserFactory()
    farm = CooperativeFactory(
        managers=[manager],
        bank_bin="970405",
        bank_account_number="1234567890",
        bank_account_holder="HTX THU NGHIEM",
    )
    WeightBasedFactory(cooperative=farm)
    product = ProductFactory(cooperative=farm, net_weight_grams=500)
    part = place_order((product, 2), payment_method="transfer").fulfilments.get()
    return {"manager": manager, "farm": farm, "part": part, "line": part.order.lines.get()}


def order_urls_for(part) -> list[str]:
    """Every console order URL of ``part``, each action spelled out."""
    urls = []
    for entry in order_urls.urlpatterns:
        assert isinstance(entry, URLPattern)
        kwargs = {"cooperative_slug": part.cooperative.slug}
        if "<int:pk>" in str(entry.pattern):
            kwargs["pk"] = part.pk
        if "<slug:action>" in str(entry.pattern):
            for action in ACTION_FORMS:
                urls.append(reverse(f"manager:{entry.name}", kwargs={**kwargs, "action": action}))
            continue
        urls.append(reverse(f"manager:{entry.name}", kwargs=kwargs))
    return urls


def snapshot(owned):
    part = Fulfilment.objects.get(pk=owned["part"].pk)
    owned["line"].refresh_from_db()
    return (
        part.status,
        part.payment_status,
        part.goods_total,
        owned["line"].quantity,
        FulfilmentEvent.objects.count(),
    )


def test_the_walk_covers_every_order_page_and_action(owned):
    urls = order_urls_for(owned["part"])
    assert len(urls) == 4 + len(ACTION_FORMS)
    assert {"confirm", "line", "cancel", "pack", "ship", "deliver", "return", "cod-collected"} <= (
        set(ACTION_FORMS)
    )


@pytest.mark.parametrize("who", ["other_manager", "shopper"])
def test_outsiders_get_404_everywhere_and_change_nothing(client, owned, who):
    outsider = UserFactory()
    if who == "other_manager":
        CooperativeFactory(managers=[outsider])
    client.force_login(outsider)
    hostile = {**HOSTILE, "line": owned["line"].pk, "fulfilment": [f"{owned['part'].pk}:new"]}
    before = snapshot(owned)
    for url in order_urls_for(owned["part"]):
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, hostile).status_code == 404, url
    assert snapshot(owned) == before


def test_another_manager_cannot_reach_a_foreign_part_through_their_own_urls(client, owned):
    outsider = UserFactory()
    theirs = CooperativeFactory(managers=[outsider])
    client.force_login(outsider)
    hostile = {**HOSTILE, "line": owned["line"].pk, "fulfilment": [f"{owned['part'].pk}:new"]}
    before = snapshot(owned)
    for url in order_urls_for(owned["part"]):
        own_url = url.replace(owned["farm"].slug, theirs.slug)
        got = client.get(own_url).status_code
        posted = client.post(own_url, hostile).status_code
        if own_url.endswith("/don-hang/") or own_url.endswith("/nhieu-don/"):
            assert got in (200, 405) and posted in (302, 405), own_url  # their own inbox
        else:
            assert got in (404, 405) and posted in (404, 405), own_url
    assert snapshot(owned) == before


def test_anonymous_visitors_are_sent_to_log_in(client, owned):
    before = snapshot(owned)
    for url in order_urls_for(owned["part"]):
        for response in (client.get(url), client.post(url, HOSTILE)):
            assert response.status_code == 302, url
            assert response["Location"].startswith("/shop/accounts/login/"), url
    assert snapshot(owned) == before


def test_staff_switch_to_any_cooperative_and_act(client, owned):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    part = owned["part"]
    card = reverse(
        "manager:order-detail", kwargs={"cooperative_slug": owned["farm"].slug, "pk": part.pk}
    )
    assert client.get(card).status_code == 200
    client.post(
        reverse(
            "manager:order-action",
            kwargs={"cooperative_slug": owned["farm"].slug, "pk": part.pk, "action": "confirm"},
        ),
        {"expected_status": "new", "channel": "phone"},
    )
    part.refresh_from_db()
    assert part.status == statuses.CONFIRMED
    # Staff without the platform team's permission are not managers anywhere.
    client.force_login(UserFactory(is_staff=True))
    assert client.get(card).status_code == 404


# oscar's dashboard


def _dashboard_manager(owned):
    manager = owned["manager"]
    manager.user_permissions.add(
        Permission.objects.get(codename="dashboard_access", content_type__app_label="partner")
    )
    return manager


def test_a_manager_with_oscars_dashboard_permission_still_gets_no_dashboard(client, owned):
    client.force_login(_dashboard_manager(owned))
    number = owned["part"].order.number
    for url in (
        "/dashboard/",
        reverse("dashboard:order-list"),
        reverse("dashboard:order-detail", kwargs={"number": number}),
        reverse("dashboard:catalogue-product-list"),
    ):
        assert client.get(url).status_code == 403, url
    order = owned["part"].order
    response = client.post(
        reverse("dashboard:order-detail", kwargs={"number": number}),
        {"order_action": "change_order_status", "new_status": "Cancelled"},
    )
    assert response.status_code == 403
    order.refresh_from_db()
    assert order.status != "Cancelled"


def test_staff_still_use_the_dashboard_and_visitors_are_sent_to_log_in(client, owned):
    assert client.get(reverse("dashboard:order-list")).status_code == 302
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get(reverse("dashboard:order-list")).status_code == 200
