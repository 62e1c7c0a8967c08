"""One JSON log line per request (shop/observability.py) with the fields operators filter on."""

import json
import logging
import logging.config

import pytest
from django.conf import settings

from cooperatives.selectors import order_page_path
from tests.factories import (
    CooperativeFactory,
    ProductFactory,
    UserFactory,
    WeightBasedFactory,
    place_order,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_lines(caplog):
    """The ``shop.requests`` records, as the JSON lines production writes."""
    caplog.set_level(logging.INFO, logger="shop.requests")
    from shop.settings.base import LOGGING  # the JSON formatter as configured

    spec = LOGGING["formatters"]["json"]
    formatter = logging.config.DictConfigurator({}).configure_custom(dict(spec))

    def lines() -> list[dict]:
        records = [r for r in caplog.records if r.name == "shop.requests"]
        return [json.loads(formatter.format(record)) for record in records]

    return lines


def test_a_page_gives_one_json_line_with_the_request_fields(client, request_lines):
    response = client.get("/shop/catalogue/", HTTP_X_REQUEST_ID="lb-1234.abc")
    [line] = request_lines()
    assert line["method"] == "GET"
    assert line["path"] == "/shop/catalogue/"
    assert line["status"] == response.status_code == 200
    assert isinstance(line["duration_ms"], float)
    assert line["request_id"] == "lb-1234.abc" == response["X-Request-ID"]
    assert line["user_id"] is None
    assert line["order_number"] is None
    assert line["levelname"] == "INFO"
    assert line["name"] == "shop.requests"


def test_a_request_id_that_is_not_one_is_replaced(client, request_lines):
    response = client.get("/health/", HTTP_X_REQUEST_ID='evil"\n{"forged": true}')
    [line] = request_lines()
    assert len(line["request_id"]) == 32  # a fresh uuid4 hex
    assert response["X-Request-ID"] == line["request_id"]
    assert "forged" not in line


def test_a_signed_in_user_is_logged_by_id_only(client, request_lines):
    user = UserFactory(email="lan@example.vn")
    client.force_login(user)
    client.get("/shop/basket/")
    [line] = request_lines()
    assert line["user_id"] == user.pk
    assert "lan@example.vn" not in json.dumps(line)


def test_the_order_page_is_logged_with_its_order_number(client, request_lines):
    farm = CooperativeFactory()
    WeightBasedFactory(cooperative=farm)
    order = place_order((ProductFactory(cooperative=farm), 1))
    response = client.get(order_page_path(order))
    assert response.status_code == 200
    [line] = request_lines()
    assert line["order_number"] == str(order.number)


def test_a_server_error_is_logged_at_error_level(client, request_lines, settings):
    settings.ROOT_URLCONF = "tests.production.failing_urls"
    client.raise_request_exception = False
    assert client.get("/boom/").status_code == 500
    [line] = request_lines()
    assert line["status"] == 500
    assert line["levelname"] == "ERROR"


def test_the_request_log_middleware_comes_first():
    assert settings.MIDDLEWARE[0] == "shop.observability.RequestLogMiddleware"


def test_the_guest_order_links_token_is_not_logged(client, request_lines):
    farm = CooperativeFactory()
    WeightBasedFactory(cooperative=farm)
    order = place_order((ProductFactory(cooperative=farm), 1))
    path = order_page_path(order)
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert client.get(path).status_code == 200
    [line] = request_lines()
    assert token not in json.dumps(line)
    assert line["path"] == f"/don-hang/{order.number}/[redacted]/"
    assert line["message"].startswith(f"GET /don-hang/{order.number}/[redacted]/ 200 ")
    assert line["order_number"] == str(order.number)


def test_a_password_reset_links_token_is_not_logged(client, request_lines):
    client.get("/shop/password-reset/confirm/MTIz/cz7xyz-0123456789abcdef0123456789abcdef/")
    [line] = request_lines()
    assert "cz7xyz-0123456789abcdef" not in json.dumps(line)
    assert "MTIz" not in json.dumps(line)
    assert line["path"] == "/shop/password-reset/confirm/[redacted]/[redacted]/"


def test_an_error_report_sent_to_sentry_has_no_link_token():
    from shop.observability import sentry_event_scrub

    event = {
        "request": {
            "url": "https://chophien.vn/don-hang/100001/100001:KJSyVqZsk0fRj7ZOCDTC58c/",
            "query_string": "",
        },
        "transaction": "/don-hang/{number}/{token}/",
    }
    scrubbed = sentry_event_scrub(event, {})
    assert scrubbed["request"]["url"] == "https://chophien.vn/don-hang/100001/[redacted]/"
    assert scrubbed["transaction"] == "/don-hang/{number}/{token}/"
