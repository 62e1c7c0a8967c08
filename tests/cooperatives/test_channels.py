"""Notification channels: e-mail, SMS and Zalo ZNS behind one ``send`` (cooperatives/channels).

HTTP backends talk to a tiny server on 127.0.0.1; ``loopback_only`` fails any test that
tries to reach further.
"""

import json
import smtplib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from phonenumber_field.phonenumber import PhoneNumber

from cooperatives import channels
from cooperatives.channels import (
    ChannelError,
    ConsoleSMSBackend,
    EmailChannel,
    HttpSMSBackend,
    HttpZNSBackend,
    PermanentChannelError,
    SMSChannel,
    ZNSChannel,
    channel_for,
    zns_phone,
)
from cooperatives.models import Notification
from tests.fakes.fixtures import loopback_only  # noqa: F401


def notification(**fields) -> Notification:
    values = {
        "key": "order-placed:100123:shopper:email",
        "channel": channels.EMAIL,
        "recipient": "lan@example.vn",
        "subject": "Đơn hàng 100123",
        "body": "Cảm ơn bạn đã đặt hàng.",
    }
    values.update(fields)
    return Notification(**values)


# --- zns_phone ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    [
        "+84912345678",
        "0912345678",
        "0912 345 678",
        "84912345678",
        "912345678",
        PhoneNumber.from_string("+84912345678"),
    ],
)
def test_zns_phone_is_84_and_the_national_number_without_plus_or_zero(phone):
    assert zns_phone(phone) == "84912345678"


def test_zns_phone_of_a_hanoi_landline():
    assert zns_phone("024 3826 2626") == "842438262626"


@pytest.mark.parametrize("phone", ["", "12345", "abc", None, "+8491234"])
def test_zns_phone_refuses_what_is_not_a_phone_number(phone):
    with pytest.raises(ValueError):
        zns_phone(phone)


# --- E-mail --------------------------------------------------------------------------------


def test_email_goes_through_the_email_backend_with_its_message_id_as_reference():
    reference = EmailChannel().send(notification=notification())

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["lan@example.vn"]
    assert sent.subject == "Đơn hàng 100123"
    assert sent.body == "Cảm ơn bạn đã đặt hàng."
    assert sent.from_email == "Chợ Phiên <no-reply@chophien.vn>"
    assert sent.extra_headers["Message-ID"] == reference
    assert reference.startswith("<") and reference.endswith("@chophien.vn>")


def test_email_to_a_malformed_address_is_a_permanent_failure():
    with pytest.raises(PermanentChannelError):
        EmailChannel().send(notification=notification(recipient="lan@"))
    assert mail.outbox == []


class DisconnectedBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class MailboxUnknownBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({"lan@example.vn": (550, b"No such user")})


class GreylistingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({"lan@example.vn": (450, b"Try again later")})


@pytest.mark.parametrize(
    ("backend", "error"),
    [
        ("DisconnectedBackend", ChannelError),
        ("GreylistingBackend", ChannelError),
        ("MailboxUnknownBackend", PermanentChannelError),
    ],
)
def test_smtp_failures_are_retryable_unless_the_mailbox_is_refused(settings, backend, error):
    settings.EMAIL_BACKEND = f"{__name__}.{backend}"
    with pytest.raises(error):
        EmailChannel().send(notification=notification())


# --- SMS -----------------------------------------------------------------------------------


def test_sms_prints_to_the_console_by_default(capsys):
    reference = channel_for(channels.SMS).send(
        notification=notification(
            channel=channels.SMS, recipient="+84912345678", body="Cho Phien: don 100123"
        )
    )
    out = capsys.readouterr().out
    assert "SMS to +84912345678" in out
    assert "Cho Phien: don 100123" in out
    assert reference == "console:order-placed:100123:shopper:email"


def test_sms_to_a_number_that_is_not_one_fails_before_the_backend_is_called():
    class Refusing(ConsoleSMSBackend):
        def send(self, **kwargs):
            raise AssertionError("the backend must not be called")

    with pytest.raises(PermanentChannelError):
        SMSChannel(backend=Refusing()).send(
            notification=notification(channel=channels.SMS, recipient="12345")
        )


def test_an_unknown_channel_is_a_permanent_failure():
    with pytest.raises(PermanentChannelError):
        channel_for("pigeon")


def test_zns_without_a_template_is_a_permanent_failure():
    with pytest.raises(PermanentChannelError):
        ZNSChannel().send(notification=notification(channel=channels.ZNS, recipient="+84912345678"))


# --- HTTP backends against a local server --------------------------------------------------


class FakeProvider:
    """An HTTP server on 127.0.0.1 that records each POST and answers from ``replies``."""

    def __init__(self):
        self.requests: list[dict] = []
        self.replies: list[tuple[int, bytes, float]] = []
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                provider.requests.append(
                    {
                        "path": self.path,
                        # Header names are case-insensitive (urllib sends "Access_token").
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "json": json.loads(self.rfile.read(length)),
                    }
                )
                status, body, delay = (
                    provider.replies.pop(0) if provider.replies else (200, b"{}", 0)
                )
                time.sleep(delay)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    def reply(self, payload, *, status: int = 200, delay: float = 0) -> None:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.replies.append((status, body, delay))


@pytest.fixture
def provider(loopback_only, monkeypatch) -> Iterator[FakeProvider]:  # noqa: F811
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # a proxy in the environment must not step in
    fake = FakeProvider()
    fake.thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()
    fake.thread.join(timeout=5)


@pytest.fixture
def zns(settings, provider) -> FakeProvider:
    settings.ZNS_BACKEND = "cooperatives.channels.HttpZNSBackend"
    settings.ZNS_API_URL = provider.url + "/message/template"
    settings.ZNS_ACCESS_TOKEN = "zalo-token-123"
    return provider


def zns_notification() -> Notification:
    return notification(
        key="order-placed:100123:shopper:phone",
        channel=channels.ZNS,
        recipient="+84912345678",
        template_id="231234",
        data={"customer_name": "Hoàng Thị Lan", "order_code": "100123", "total": 155000},
    )


def test_zns_posts_the_template_to_zalo_with_the_key_as_tracking_id(zns):
    zns.reply({"error": 0, "message": "Success", "data": {"msg_id": "a1b2c3", "sent_time": "1"}})

    reference = channel_for(channels.ZNS).send(notification=zns_notification())

    assert reference == "a1b2c3"
    (request,) = zns.requests
    assert request["path"] == "/message/template"
    assert request["headers"]["access_token"] == "zalo-token-123"
    assert request["headers"]["content-type"] == "application/json"
    assert request["json"] == {
        "phone": "84912345678",
        "template_id": "231234",
        "template_data": {
            "customer_name": "Hoàng Thị Lan",
            "order_code": "100123",
            "total": 155000,
        },
        "tracking_id": "order-placed:100123:shopper:phone",
    }


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        ({"error": -108, "message": "Phone number invalid"}, PermanentChannelError),
        ({"error": -109, "message": "Template ID invalid"}, PermanentChannelError),
        ({"error": -100, "message": "Unknown error"}, ChannelError),
        ({"error": -124, "message": "Access token invalid"}, ChannelError),
        ({"message": "no error field"}, ChannelError),
    ],
)
def test_zns_error_codes_other_than_zero_fail(zns, reply, error):
    zns.reply(reply)
    with pytest.raises(error, match=str(reply.get("error", "None"))):
        channel_for(channels.ZNS).send(notification=zns_notification())


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (500, b'{"error": -1}', ChannelError),
        (503, b"Service Unavailable", ChannelError),
        (429, b"{}", ChannelError),
        (400, b'{"error": "bad request"}', PermanentChannelError),
        (200, b"<html>not json</html>", ChannelError),
    ],
)
def test_zns_http_failures(zns, status, body, error):
    zns.reply(body, status=status)
    with pytest.raises(error):
        channel_for(channels.ZNS).send(notification=zns_notification())


def test_a_provider_that_does_not_answer_in_time_is_retried_later(zns, monkeypatch):
    monkeypatch.setattr(channels, "HTTP_TIMEOUT", 0.2)
    zns.reply({"error": 0}, delay=1)
    started = time.monotonic()
    with pytest.raises(ChannelError):
        channel_for(channels.ZNS).send(notification=zns_notification())
    assert time.monotonic() - started < 1


def test_http_backends_time_out_after_ten_seconds():
    assert channels.HTTP_TIMEOUT == 10


def test_a_provider_that_is_down_is_retried_later(settings, loopback_only):  # noqa: F811
    settings.ZNS_API_URL = "http://127.0.0.1:9/message/template"  # the discard port: refused
    with pytest.raises(ChannelError):
        HttpZNSBackend().send(
            phone="84912345678", template_id="1", template_data={}, tracking_id="t"
        )


def test_zns_without_an_address_configured_is_retried_later(settings):
    settings.ZNS_API_URL = ""
    with pytest.raises(ChannelError, match="No HTTP"):
        HttpZNSBackend().send(
            phone="84912345678", template_id="1", template_data={}, tracking_id="t"
        )


def test_http_sms_posts_json_with_key_brandname_and_request_id(settings, provider):
    settings.SMS_BACKEND = "cooperatives.channels.HttpSMSBackend"
    settings.SMS_API_URL = provider.url + "/sms/send"
    settings.SMS_API_KEY = "sms-key"
    settings.SMS_BRANDNAME = "CHOPHIEN"
    provider.reply({"id": "sms-42"})

    reference = channel_for(channels.SMS).send(
        notification=notification(
            key="order-placed:100123:shopper:phone",
            channel=channels.SMS,
            recipient="+84912345678",
            body="Cho Phien: don 100123",
        )
    )

    assert reference == "sms-42"
    (request,) = provider.requests
    assert request["path"] == "/sms/send"
    assert request["json"] == {
        "api_key": "sms-key",
        "brandname": "CHOPHIEN",
        "phone": "84912345678",
        "message": "Cho Phien: don 100123",
        "request_id": "order-placed:100123:shopper:phone",
    }


def test_http_sms_refused_as_bad_request_is_permanent(settings, provider):
    settings.SMS_API_URL = provider.url + "/sms/send"
    provider.reply({"error": "invalid phone"}, status=422)
    with pytest.raises(PermanentChannelError, match="422"):
        HttpSMSBackend().send(phone="+84912345678", text="x", reference="r")
