"""How a notification leaves the shop: one interface, one class per channel.

A ``Channel`` sends one ``Notification`` and returns the provider's reference for it.
E-mail goes through Django's ``EMAIL_BACKEND``; SMS and Zalo ZNS go through a backend
named in settings (``SMS_BACKEND``, ``ZNS_BACKEND``), which prints to the console in
development and speaks HTTP in production.

A send fails in one of two ways, and the caller treats them differently:
``ChannelError`` is worth trying again (a timeout, a provider's 5xx, an expired token),
``PermanentChannelError`` is not (a malformed address or phone number, a template the
provider refuses): the same message would fail the same way.
"""

from __future__ import annotations

import hashlib
import json
import smtplib
import sys
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from email.utils import parseaddr

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.utils.module_loading import import_string

EMAIL = "email"
SMS = "sms"
ZNS = "zns"

# Seconds an HTTP provider may take; a worker stuck longer holds the notification's row lock.
HTTP_TIMEOUT = 10

# ZNS answers HTTP 200 with an ``error`` code (https://zalo.cloud/zns/guidelines/handle-error-code).
# These mean "this message, as written, will never go": a bad phone number (-108), an unknown
# template (-109), template data missing or refused (-111, -112). Every other code is retried,
# since losing an order message is worse than a few refused attempts: -100 "unknown error, try
# again later", an expired access token refreshed meanwhile, quota topped up.
ZNS_PERMANENT_ERRORS = frozenset({-108, -109, -111, -112})


class ChannelError(Exception):
    """The message did not go, and trying again later may work."""


class PermanentChannelError(Exception):
    """The message did not go, and trying again will not help.

    Deliberately not a ``ChannelError``: a task that retries on ``ChannelError`` must
    not retry this.
    """


def zns_phone(phone) -> str:
    """A phone number as Zalo and Vietnamese SMS gateways take it: ``84912345678``.

    Accepts E.164 (``+84912345678``), the national form (``0912 345 678``), the same
    without the plus (``84912345678``) or a ``PhoneNumber``. Raises ``ValueError`` for
    anything that is not a valid number.
    """
    if isinstance(phone, phonenumbers.PhoneNumber):
        number = phone
    else:
        try:
            number = phonenumbers.parse(str(phone or ""), "VN")
        except phonenumbers.NumberParseException as error:
            raise ValueError(f"Not a phone number: {phone!r}") from error
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"Not a valid phone number: {phone!r}")
    return f"{number.country_code}{number.national_number}"


def _recipient_phone(notification) -> str:
    try:
        return zns_phone(notification.recipient)
    except ValueError as error:
        raise PermanentChannelError(str(error)) from error


def _post_json(url: str, payload: dict, *, headers: dict[str, str] | None = None) -> dict:
    """POST ``payload`` as JSON and return the JSON reply; failures become channel errors."""
    if not url.startswith(("https://", "http://")):
        # Unset in settings: an operator can configure it before the retries run out.
        raise ChannelError(f"No HTTP(S) address configured for this provider: {url!r}")
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        url,
        data=json.dumps(payload).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Accept": "application/json",
            **(headers or {}),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310
            body = response.read()
    except urllib.error.HTTPError as error:
        detail = f"HTTP {error.code}: {error.read()[:500].decode(errors='replace')}"
        # 401/403: a wrong or expired key is fixed on our side, after which the send works.
        if error.code in (401, 403, 408, 429) or error.code >= 500:
            raise ChannelError(detail) from error
        raise PermanentChannelError(detail) from error
    except (urllib.error.URLError, OSError) as error:  # refused, reset, DNS, timeout
        raise ChannelError(f"{url}: {error}") from error
    try:
        reply = json.loads(body)
    except ValueError as error:
        raise ChannelError(f"Not a JSON reply: {body[:200]!r}") from error
    if not isinstance(reply, dict):
        raise ChannelError(f"Unexpected reply: {reply!r}"[:300])
    return reply


# --- SMS backends: send(*, phone, text, reference) -> provider reference -------------------


class ConsoleSMSBackend:
    """Development: print the SMS instead of sending it."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, *, phone: str, text: str, reference: str) -> str:
        self.stream.write(f"SMS to {phone} [{reference}]: {text}\n")
        self.stream.flush()
        return f"console:{reference}"


class HttpSMSBackend:
    """A brandname SMS gateway that takes one JSON POST per message.

    Sends ``{"api_key", "brandname", "phone": "84…", "message", "request_id"}`` to
    ``SMS_API_URL``; any 2xx reply is an acceptance, its ``id`` (or ``message_id``) the
    reference. ``request_id`` is the notification's key: gateways that refuse a repeated
    request id (eSMS does) make a resend after a crash harmless. Another gateway's shape
    is a subclass overriding ``payload``.
    """

    def payload(self, *, phone: str, text: str, reference: str) -> dict:
        return {
            "api_key": settings.SMS_API_KEY,
            "brandname": settings.SMS_BRANDNAME,
            "phone": phone,
            "message": text,
            "request_id": reference,
        }

    def send(self, *, phone: str, text: str, reference: str) -> str:
        try:
            msisdn = zns_phone(phone)
        except ValueError as error:
            raise PermanentChannelError(str(error)) from error
        reply = _post_json(
            settings.SMS_API_URL, self.payload(phone=msisdn, text=text, reference=reference)
        )
        return str(reply.get("id") or reply.get("message_id") or reference)


# --- ZNS backends: send(*, phone, template_id, template_data, tracking_id) -> reference -----


class ConsoleZNSBackend:
    """Development: print the Zalo message instead of sending it."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, *, phone: str, template_id: str, template_data: dict, tracking_id: str) -> str:
        data = json.dumps(template_data, ensure_ascii=False, sort_keys=True)
        self.stream.write(f"ZNS to {phone} [{tracking_id}] template {template_id}: {data}\n")
        self.stream.flush()
        return f"console:{tracking_id}"


class HttpZNSBackend:
    """Zalo Notification Service: a pre-approved template filled with data, sent by phone.

    ``tracking_id`` (the notification's key) comes back in Zalo's delivery callbacks, so a
    message sent twice after a crash can be traced to its notification; Zalo does not
    refuse a repeated one.
    """

    def send(self, *, phone: str, template_id: str, template_data: dict, tracking_id: str) -> str:
        reply = _post_json(
            settings.ZNS_API_URL,
            {
                "phone": phone,
                "template_id": template_id,
                "template_data": template_data,
                "tracking_id": tracking_id,
            },
            headers={"access_token": settings.ZNS_ACCESS_TOKEN},
        )
        error = reply.get("error")
        if error == 0:
            return str((reply.get("data") or {}).get("msg_id") or tracking_id)
        detail = f"ZNS error {error}: {reply.get('message', '')}"
        if error in ZNS_PERMANENT_ERRORS:
            raise PermanentChannelError(detail)
        raise ChannelError(detail)


# --- Channels --------------------------------------------------------------------------------


class Channel(ABC):
    """Sends one notification; returns the provider's reference or raises a channel error."""

    name = ""

    @abstractmethod
    def send(self, *, notification) -> str: ...


def _mail_domain() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"


def _message_id(notification) -> str:
    """The same Message-ID each time this notification is sent.

    A worker killed after the mail server took the message, but before the row was
    marked sent, sends it again on redelivery; with the same Message-ID, mail systems
    that drop duplicates (Gmail among them) show it once. The shop's address is part of
    the hash so that a staging copy of the database never reuses production's ids.
    """
    seed = f"{settings.SHOP_BASE_URL}|{notification.key}"
    return f"<{hashlib.sha256(seed.encode()).hexdigest()[:40]}.notification@{_mail_domain()}>"


class EmailChannel(Channel):
    name = EMAIL

    def send(self, *, notification) -> str:
        try:
            validate_email(notification.recipient)
        except ValidationError as error:
            raise PermanentChannelError(
                f"Not an e-mail address: {notification.recipient!r}"
            ) from error
        # Our own Message-ID is the reference; it also spares Django a DNS look-up of this host.
        message_id = _message_id(notification)
        message = EmailMessage(
            subject=notification.subject,
            body=notification.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[notification.recipient],
            headers={"Message-ID": message_id},
        )
        try:
            sent = message.send()
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _message in error.recipients.values()]
            if codes and all(500 <= code < 600 for code in codes):  # 5xx: the mailbox is refused
                raise PermanentChannelError(str(error.recipients)) from error
            raise ChannelError(str(error.recipients)) from error
        except (smtplib.SMTPException, OSError) as error:  # the server is down or said 4xx
            raise ChannelError(f"{type(error).__name__}: {error}") from error
        if not sent:
            raise ChannelError("The e-mail backend sent nothing.")
        return message_id


class SMSChannel(Channel):
    name = SMS

    def __init__(self, backend=None):
        self.backend = backend or import_string(settings.SMS_BACKEND)()

    def send(self, *, notification) -> str:
        phone = _recipient_phone(notification)  # refuse a bad number before the provider does
        return self.backend.send(
            phone="+" + phone, text=notification.body, reference=notification.key
        )


class ZNSChannel(Channel):
    name = ZNS

    def __init__(self, backend=None):
        self.backend = backend or import_string(settings.ZNS_BACKEND)()

    def send(self, *, notification) -> str:
        if not notification.template_id:
            raise PermanentChannelError("A Zalo message needs an approved template id.")
        return self.backend.send(
            phone=_recipient_phone(notification),
            template_id=notification.template_id,
            template_data=notification.data,
            tracking_id=notification.key,
        )


CHANNELS: dict[str, type[Channel]] = {EMAIL: EmailChannel, SMS: SMSChannel, ZNS: ZNSChannel}


def channel_for(name: str) -> Channel:
    """The channel a notification names, with its backend loaded from today's settings."""
    try:
        channel_class = CHANNELS[name]
    except KeyError:
        raise PermanentChannelError(f"No channel called {name!r}.") from None
    return channel_class()
