"""The account pages: download my data, delete my account (POST, CSRF, signed in)."""

import json

import pytest
from django.urls import reverse

from cooperatives.models import Fulfilment
from order.models import Order
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_profile_page_offers_download_and_erasure(client, shoppers):
    mai, _hung = shoppers
    client.force_login(mai.user)
    page = client.get(reverse("customer:profile-view")).content.decode()
    assert f'action="{reverse("privacy:export")}"' in page
    # oscar's own "delete profile" address now leads to erasure, not to a hard delete.
    assert reverse("privacy:erase") == reverse("customer:profile-delete")
    assert f'href="{reverse("privacy:erase")}"' in page


def test_download_is_a_json_file_of_their_own_data(client, shoppers):
    mai, hung = shoppers
    client.force_login(mai.user)
    response = client.post(reverse("privacy:export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert {order["number"] for order in data["orders"]} == {o.number for o in mai.orders}
    assert hung.email not in response.content.decode()


def test_download_needs_a_post(client, shoppers):
    client.force_login(shoppers[0].user)
    assert client.get(reverse("privacy:export")).status_code == 405


def test_download_and_erasure_need_csrf(shoppers):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(shoppers[0].user)
    assert client.post(reverse("privacy:export")).status_code == 403
    assert client.post(reverse("privacy:erase"), {"password": "secret-password"}).status_code == 403
    shoppers[0].user.refresh_from_db()
    assert shoppers[0].user.is_active


@pytest.mark.parametrize("method, name", [("post", "privacy:export"), ("get", "privacy:erase")])
def test_anonymous_visitors_are_sent_to_sign_in(client, method, name):
    response = getattr(client, method)(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("customer:login"))


def test_a_wrong_password_erases_nothing(client, shoppers):
    mai, _hung = shoppers
    client.force_login(mai.user)
    response = client.post(reverse("privacy:erase"), {"password": "not-my-password"})
    assert response.status_code == 200
    assert response.context["form"].errors
    mai.user.refresh_from_db()
    assert mai.user.is_active and mai.user.email == mai.email


def test_erasure_with_the_password_closes_the_account_and_signs_out(client, shoppers):
    mai, _hung = shoppers
    client.force_login(mai.user)
    response = client.post(reverse("privacy:erase"), {"password": "secret-password"})
    assert response.status_code == 302
    mai.user.refresh_from_db()
    assert not mai.user.is_active and mai.user.email == ""
    assert Order.objects.filter(user=mai.user).count() == 2
    # Signed out: the account pages now ask to sign in.
    assert client.get(reverse("customer:profile-view")).status_code == 302
    assert not client.login(username=mai.email, password="secret-password")


def test_an_order_on_its_way_is_named_and_blocks_erasure(client, shoppers):
    mai, _hung = shoppers
    waiting = mai.orders[0]
    Fulfilment.objects.filter(order=waiting).update(status="shipped")
    client.force_login(mai.user)

    page = client.get(reverse("privacy:erase"))
    assert waiting.number in page.content.decode()
    assert 'id="erase_account_form"' not in page.content.decode()

    response = client.post(reverse("privacy:erase"), {"password": "secret-password"})
    assert response.status_code == 200
    assert waiting.number in str(response.context["form"].non_field_errors())
    mai.user.refresh_from_db()
    assert mai.user.is_active


def test_a_new_account_with_nothing_can_be_erased(client):
    user = UserFactory()
    client.force_login(user)
    page = client.get(reverse("privacy:erase"))
    assert page.status_code == 200
    assert 'id="erase_account_form"' in page.content.decode()
    assert client.post(reverse("privacy:erase"), {"password": "secret-password"}).status_code == 302
    user.refresh_from_db()
    assert not user.is_active
