"""Password guessing: five wrong passwords for one account from one address lock it out.

Every way in is tried: oscar's shop sign-in (also where the manager console sends
managers), Wagtail's /cms/login/ and Django's admin. Each of those forms must hand the
request to ``authenticate()``, or django-axes could not tell who is guessing.
"""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse

from tests.factories import CooperativeFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "secret-password"  # UserFactory's


def shop_login(client, username, password, ip="203.0.113.7"):
    return client.post(
        reverse("customer:login"),
        {
            "login-username": username,
            "login-password": password,
            "login_submit": "1",
        },
        REMOTE_ADDR=ip,
    )


def cms_login(client, username, password, ip="203.0.113.7"):
    return client.post(
        reverse("wagtailadmin_login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


def admin_login(client, username, password, ip="203.0.113.7"):
    return client.post(
        reverse("admin:login"),
        {"username": username, "password": password, "next": "/django-admin/"},
        REMOTE_ADDR=ip,
    )


LOGINS = {
    "shop": (shop_login, "email"),
    "cms": (cms_login, "username"),
    "django-admin": (admin_login, "username"),
}


@pytest.fixture
def staff():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.mark.parametrize("entrance", LOGINS)
def test_fifth_wrong_password_locks_out_even_the_right_one(client, staff, entrance):
    login, field = LOGINS[entrance]
    name = getattr(staff, field)
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = login(client, name, f"guess-{attempt}")
        assert response.status_code == 200, "a wrong password shows the form again"
    response = login(client, name, "guess-last")
    assert response.status_code == 429
    assert response["Retry-After"] == str(15 * 60)
    assert 'type="password"' not in response.content.decode()  # the lock-out page

    # The right password no longer helps from this address.
    response = login(client, name, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    attempt = AccessAttempt.objects.get()
    assert attempt.ip_address == "203.0.113.7"


def test_lockout_page_is_translated_and_says_when_to_retry(client, staff):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        response = shop_login(client, staff.email, f"guess-{attempt}")
    assert response.status_code == 429
    page = response.content.decode()
    assert '<html lang="vi"' in page
    assert 'role="alert"' in page
    assert "15" in page  # minutes to wait


def test_manager_elsewhere_still_signs_in_while_an_attacker_is_locked_out(client, staff):
    manager = UserFactory()
    CooperativeFactory(managers=[manager])
    for attempt in range(settings.AXES_FAILURE_LIMIT + 2):
        shop_login(client, manager.email, f"guess-{attempt}", ip="198.51.100.66")
    assert shop_login(client, manager.email, PASSWORD, ip="198.51.100.66").status_code == 429

    response = shop_login(client, manager.email, PASSWORD, ip="203.0.113.7")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(manager.pk)
    # And from the attacker's address, other accounts are not locked either.
    client.logout()
    assert shop_login(client, staff.email, PASSWORD, ip="198.51.100.66").status_code == 302


def test_a_success_forgets_earlier_mistakes(client, staff):
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        shop_login(client, staff.email, f"guess-{attempt}")
    assert shop_login(client, staff.email, PASSWORD).status_code == 302
    client.logout()
    shop_login(client, staff.email, "one-more-typo")
    assert shop_login(client, staff.email, PASSWORD).status_code == 302


def test_console_sends_managers_to_the_guarded_sign_in(client):
    response = client.get(reverse("manager:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("customer:login"))


def test_cool_off_ends_the_lockout(client, staff, settings):
    from datetime import timedelta

    for attempt in range(settings.AXES_FAILURE_LIMIT):
        shop_login(client, staff.email, f"guess-{attempt}")
    assert shop_login(client, staff.email, PASSWORD).status_code == 429
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )
    assert shop_login(client, staff.email, PASSWORD).status_code == 302


@pytest.mark.parametrize(
    "forwarded, proxies, expected",
    [
        ("198.51.100.9", 0, "10.0.0.2"),  # no proxy configured: the header is ignored
        ("198.51.100.9", 1, "198.51.100.9"),
        ("6.6.6.6, 198.51.100.9", 1, "198.51.100.9"),  # the client wrote 6.6.6.6
        ("198.51.100.9, 10.0.0.1", 2, "198.51.100.9"),
        ("", 1, "10.0.0.2"),
        ("not-an-address", 1, "10.0.0.2"),
    ],
)
def test_client_address_trusts_only_our_own_proxies(rf, settings, forwarded, proxies, expected):
    from shop.security import client_ip

    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


def test_forged_forwarded_for_does_not_dodge_the_lockout(client, staff, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("customer:login"),
            {"login-username": staff.email, "login-password": f"x{attempt}", "login_submit": "1"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"6.6.6.{attempt}, 198.51.100.9",
        )
    response = client.post(
        reverse("customer:login"),
        {"login-username": staff.email, "login-password": PASSWORD, "login_submit": "1"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="7.7.7.7, 198.51.100.9",
    )
    assert response.status_code == 429


def test_other_spellings_of_the_account_share_one_count(client, staff):
    # The shop signs in by e-mail in any case; the admin sites by username.
    emails = [staff.email.upper(), staff.email, f" {staff.email.title()} "]
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        shop_login(client, emails[attempt % len(emails)], f"guess-{attempt}")
    cms_login(client, staff.username, "guess-last")
    for email in emails:
        assert shop_login(client, email, PASSWORD).status_code == 429, email
    assert cms_login(client, staff.username, PASSWORD).status_code == 429
    assert admin_login(client, staff.username, PASSWORD).status_code == 429


def test_registration_still_signs_the_new_customer_in(client):
    response = client.post(
        reverse("customer:register"),
        {
            "email": "lan@example.vn",
            "password1": "a-Long-pass-phrase-9",
            "password2": "a-Long-pass-phrase-9",
        },
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session
