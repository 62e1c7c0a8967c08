"""Production settings pass Django's deployment checks and send the hardening headers."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]


def production_env(**extra) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_", "SECURE_"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "shop.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            # Only read, never connected to: the checks below need no database.
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/chophien_deploy_check",
            "REDIS_URL": "redis://127.0.0.1:6379/12",
            "ALLOWED_HOSTS": "chophien.vn",
        }
    )
    env.update(extra)
    return env


def run(*args: str, **extra) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=production_env(**extra),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean():
    result = run("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_would_catch_a_weakened_setting():
    """The check above can fail: HSTS switched off is reported."""
    result = run(
        "manage.py", "check", "--deploy", "--fail-level", "WARNING", SECURE_HSTS_SECONDS="0"
    )
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


HARDENING = [
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SECURE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "X_FRAME_OPTIONS",
    "DEBUG",
]


@pytest.fixture(scope="module")
def production_values() -> dict:
    script = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {HARDENING!r}}}))"
    )
    result = run("-c", f"import django; django.setup(); {script}")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_values(production_values):
    assert production_values["DEBUG"] is False
    assert production_values["SESSION_COOKIE_SECURE"] is True
    assert production_values["SESSION_COOKIE_HTTPONLY"] is True
    assert production_values["CSRF_COOKIE_SECURE"] is True
    assert production_values["SECURE_SSL_REDIRECT"] is True
    assert production_values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert production_values["X_FRAME_OPTIONS"] == "DENY"


@pytest.mark.django_db
def test_responses_under_production_values_are_hardened(client, production_values):
    with override_settings(**production_values):
        redirected = client.get("/shop/accounts/login/")
        assert redirected.status_code == 301
        assert redirected["Location"].startswith("https://")

        response = client.get("/shop/accounts/login/", secure=True)
        assert response.status_code == 200
        assert response["Strict-Transport-Security"].startswith("max-age=31536000")
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
        csrf_cookie = response.cookies["csrftoken"]
        assert csrf_cookie["secure"] is True
        assert csrf_cookie["samesite"] == "Lax"

        user = UserFactory()
        response = client.post(
            "/shop/accounts/login/",
            {
                "login-username": user.email,
                "login-password": "secret-password",
                "login_submit": "1",
            },
            secure=True,
        )
        assert response.status_code == 302
        session_cookie = response.cookies["sessionid"]
        assert session_cookie["secure"] is True
        assert session_cookie["httponly"] is True
