"""VietQR (NAPAS 247) bank transfers: the QR payload, the transfer note and the QR image.

A shopper who pays by transfer scans a QR with any Vietnamese banking app; the app fills
in the cooperative's bank, account, the amount and the transfer note. The payload follows
EMVCo's merchant-presented QR format as NAPAS specifies it ("Technical Specifications on
NAPAS QR Switching, Part IV: QR Code Format"): each field is a two-digit ID, a two-digit
length and the value, closed by a CRC. It is built here rather than by a third-party
package because it is forty lines that the tests pin against the published samples.

Everything we build is ASCII, so a length counts characters and bytes alike.
"""

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import segno
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from payment.banks import Bank, banks
from shop.text import fold

NAPAS_GUID = "A000000727"  # AID of NAPAS: marks the merchant account template as VietQR
SERVICE_TO_ACCOUNT = "QRIBFTTA"  # interbank fast transfer to an account (…TTC: to a card)
CURRENCY_VND = "704"  # ISO 4217 numeric
COUNTRY_VN = "VN"
INITIATION_STATIC = "11"  # reusable QR: the shopper types the amount
INITIATION_DYNAMIC = "12"  # one payment: the amount is in the QR

NOTE_MAX_LENGTH = 25  # field 62-08 ("purpose of transaction") is at most 25 characters
AMOUNT_MAX_DIGITS = 13  # field 54 is at most 13 characters; VND has no decimals
AMOUNT_MAX = 10**AMOUNT_MAX_DIGITS - 1

# Transfer notes: letters, digits and spaces. Banking apps and bank statements may drop
# punctuation and upper-case the text, so a note made of these survives the round trip
# (compare notes case-insensitively when matching statements).
_NOTE_CHARACTERS = re.compile(r"[A-Za-z0-9 ]*")
_ACCOUNT_NUMBER = re.compile(r"[A-Za-z0-9]{4,19}")  # as Cooperative.bank_account_number
_BIN = re.compile(r"[0-9]{6}")
_CODE = re.compile(r"[0-9A-Z]+")
_TLV_HEADER = re.compile(r"[0-9]{4}")
_AMOUNT = re.compile(r"[0-9]+(\.[0-9]+)?")

# The transfer note of one cooperative's part of an order, see transfer_note().
DEFAULT_NOTE_PREFIX = "CP"  # Chợ Phiên
COOPERATIVE_MARK = "HTX"  # hợp tác xã
_NOTE_PREFIX = re.compile(r"[A-Z]{1,5}")


def crc16_ccitt_false(data: bytes) -> int:
    """CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF, no reflection, no xor-out."""
    crc = 0xFFFF
    for byte in data:
        crc ^= byte << 8
        for _bit in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def _crc(text: str) -> str:
    return f"{crc16_ccitt_false(text.encode('utf-8')):04X}"


def _field(field_id: str, value: str) -> str:
    if len(value) > 99:  # the length has two digits; validation keeps every value shorter
        raise ValueError(f"Field {field_id} is longer than 99 characters.")
    return f"{field_id}{len(value):02d}{value}"


def _whole_dong(amount) -> int:
    """``amount`` as whole đồng, or a ValidationError saying what is wrong with it."""
    if isinstance(amount, bool) or not isinstance(amount, int | Decimal):
        raise ValidationError(_("Give the amount as a whole number of đồng."), code="amount_type")
    if isinstance(amount, Decimal):
        if not amount.is_finite() or amount != amount.to_integral_value():
            raise ValidationError(
                _("Amounts in đồng have no decimals: %(amount)s."),
                code="amount_decimals",
                params={"amount": amount},
            )
        amount = int(amount)
    if amount <= 0:
        raise ValidationError(_("The amount must be more than 0 ₫."), code="amount_not_positive")
    if amount > AMOUNT_MAX:
        raise ValidationError(
            _("A VietQR amount has at most %(digits)d digits."),
            code="amount_too_large",
            params={"digits": AMOUNT_MAX_DIGITS},
        )
    return amount


def clean_note(note: str) -> str:
    """The transfer note as it goes into the QR: ASCII letters, digits and spaces, ≤ 25.

    Vietnamese marks are folded away ("Chuyển khoản đơn 123" -> "Chuyen khoan don 123")
    and runs of white space become one space; case is kept. Anything else (punctuation,
    other scripts) is refused rather than silently dropped, so the note the shopper sees
    next to the QR is exactly the one the bank receives.
    """
    folded = " ".join(fold(note or "").split())
    if not _NOTE_CHARACTERS.fullmatch(folded):
        raise ValidationError(
            _("A transfer note has only letters, digits and spaces: %(note)s"),
            code="note_characters",
            params={"note": note},
        )
    if len(folded) > NOTE_MAX_LENGTH:
        raise ValidationError(
            _("A transfer note has at most %(max)d characters; this one has %(length)d."),
            code="note_too_long",
            params={"max": NOTE_MAX_LENGTH, "length": len(folded)},
        )
    return folded


def vietqr_payload(
    *, bank_bin: str, account_number: str, amount: int | Decimal | None = None, note: str = ""
) -> str:
    """The VietQR payload that asks to transfer ``amount`` đồng to an account.

    Without an amount the QR is static (the shopper types the amount); with one it is
    dynamic. ``amount`` may be an ``int`` or a whole ``Decimal`` (oscar's order totals).
    Raises ``ValidationError`` keyed by argument name, listing every problem at once.
    """
    errors: dict[str, list[ValidationError]] = {}
    if not _BIN.fullmatch(bank_bin or ""):
        errors["bank_bin"] = [
            ValidationError(
                _("A bank BIN has 6 digits: %(bin)s"), code="bin_format", params={"bin": bank_bin}
            )
        ]
    elif bank_bin not in banks():
        errors["bank_bin"] = [
            ValidationError(
                _("No bank that receives VietQR transfers has the BIN %(bin)s."),
                code="bin_unknown",
                params={"bin": bank_bin},
            )
        ]
    if not _ACCOUNT_NUMBER.fullmatch(account_number or ""):
        errors["account_number"] = [
            ValidationError(
                _("An account number has 4 to 19 letters and digits only: %(account)s"),
                code="account_format",
                params={"account": account_number},
            )
        ]
    if amount is not None:
        try:
            amount = _whole_dong(amount)
        except ValidationError as error:
            errors["amount"] = [error]
    try:
        note = clean_note(note)
    except ValidationError as error:
        errors["note"] = [error]
    if errors:
        raise ValidationError(errors)

    beneficiary = _field("00", bank_bin) + _field("01", account_number)
    merchant_account = (
        _field("00", NAPAS_GUID) + _field("01", beneficiary) + _field("02", SERVICE_TO_ACCOUNT)
    )
    payload = (
        _field("00", "01")  # payload format indicator
        + _field("01", INITIATION_STATIC if amount is None else INITIATION_DYNAMIC)
        + _field("38", merchant_account)
        + _field("53", CURRENCY_VND)
        + (_field("54", str(amount)) if amount is not None else "")
        + _field("58", COUNTRY_VN)
        + (_field("62", _field("08", note)) if note else "")
        + "6304"  # the CRC covers its own ID and length
    )
    return payload + _crc(payload)


def _split_fields(data: str) -> dict[str, str]:
    """ID-length-value fields of ``data``, in order; a ValidationError if it does not frame."""
    fields: dict[str, str] = {}
    position = 0
    while position < len(data):
        header = data[position : position + 4]
        if not _TLV_HEADER.fullmatch(header):
            raise ValidationError(
                _("Not a VietQR code: no field ID and length at character %(position)d."),
                code="malformed",
                params={"position": position},
            )
        field_id, length = header[:2], int(header[2:])
        value = data[position + 4 : position + 4 + length]
        if len(value) != length or field_id in fields:
            raise ValidationError(
                _("Not a VietQR code: field %(id)s is cut short or repeated."),
                code="malformed",
                params={"id": field_id},
            )
        fields[field_id] = value
        position += 4 + length
    return fields


def vietqr_parse(payload: str) -> dict:
    """The fields of a VietQR payload, after checking its CRC; for tests and staff.

    Returns ``bank_bin``, ``account_number``, ``amount`` (int or None) and ``note``
    (the arguments of :func:`vietqr_payload`), the other VietQR fields by name, and
    ``fields``: every top-level field by ID, as found. Raises ``ValidationError`` if the
    CRC does not match, the framing is broken or it is not a NAPAS (VietQR) transfer code.
    """
    payload = (payload or "").strip()
    if len(payload) < 8 or payload[-8:-4] != "6304":
        raise ValidationError(
            _("Not a VietQR code: it does not end with a CRC field."), code="no_crc"
        )
    expected, found = _crc(payload[:-4]), payload[-4:].upper()
    if found != expected:
        raise ValidationError(
            _("The VietQR code is damaged: its CRC is %(found)s, the content gives %(expected)s."),
            code="crc_mismatch",
            params={"found": found, "expected": expected},
        )
    fields = _split_fields(payload)
    merchant_account = _split_fields(fields.get("38", ""))
    beneficiary = _split_fields(merchant_account.get("01", ""))
    additional_data = _split_fields(fields.get("62", ""))
    if (
        fields.get("00") != "01"
        or merchant_account.get("00") != NAPAS_GUID
        or "00" not in beneficiary
        or "01" not in beneficiary
    ):
        raise ValidationError(
            _("Not a VietQR transfer code: no NAPAS beneficiary bank and account."),
            code="not_vietqr",
        )
    amount = fields.get("54")
    if amount is not None:
        try:
            if not _AMOUNT.fullmatch(amount):
                raise InvalidOperation
            amount = _whole_dong(Decimal(amount))
        except (InvalidOperation, ValidationError) as error:
            raise ValidationError(
                _("The VietQR amount is not whole đồng: %(amount)s"),
                code="amount",
                params={"amount": amount},
            ) from error
    return {
        "bank_bin": beneficiary["00"],
        "account_number": beneficiary["01"],
        "amount": amount,
        "note": additional_data.get("08", ""),
        "payload_format": fields["00"],
        "point_of_initiation": fields.get("01", ""),
        "guid": merchant_account["00"],
        "service": merchant_account.get("02", ""),
        "currency": fields.get("53", ""),
        "country": fields.get("58", ""),
        "additional_data": additional_data,
        "crc": found,
        "fields": fields,
    }


def transfer_note(
    *, order_number: str, cooperative_code: int | str, prefix: str | None = None
) -> str:
    """The transfer note for one cooperative's part of an order: ``CP100123 HTX7``.

    Format: ``<prefix><order number> HTX<cooperative code>``, upper-case ASCII, at most
    25 characters. The prefix (``settings.VIETQR_NOTE_PREFIX``, default ``CP``: 1 to 5
    letters) lets bank-statement services pick our transfers out of all the others;
    the order number is oscar's ``Order.number``; the cooperative code is normally the
    cooperative's id. Order numbers and cooperative ids are unique, so the note is unique
    per order part (order × cooperative), which is what each cooperative's account
    receives. With oscar's all-digit order numbers the note still reads unambiguously if
    a bank drops the space or changes the case. Capitals also keep the whole payload in
    the QR alphanumeric mode, which makes a smaller, easier-to-scan symbol.
    """
    if prefix is None:
        prefix = getattr(settings, "VIETQR_NOTE_PREFIX", DEFAULT_NOTE_PREFIX)
    if not _NOTE_PREFIX.fullmatch(prefix or ""):
        raise ValidationError(
            _("A transfer note prefix has 1 to 5 capital letters: %(prefix)s"),
            code="prefix_format",
            params={"prefix": prefix},
        )
    order_number = str(order_number)
    if not _CODE.fullmatch(order_number):
        raise ValidationError(
            _("An order number in a transfer note has only digits and capital letters: %(n)s"),
            code="order_number_format",
            params={"n": order_number},
        )
    if isinstance(cooperative_code, bool) or (
        isinstance(cooperative_code, int) and cooperative_code <= 0
    ):
        raise ValidationError(
            _("A cooperative code is a positive id: %(code)s"),
            code="cooperative_code_format",
            params={"code": cooperative_code},
        )
    cooperative_code = str(cooperative_code)
    if not _CODE.fullmatch(cooperative_code):
        raise ValidationError(
            _("A cooperative code has only digits and capital letters: %(code)s"),
            code="cooperative_code_format",
            params={"code": cooperative_code},
        )
    note = f"{prefix}{order_number} {COOPERATIVE_MARK}{cooperative_code}"
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            _("The transfer note %(note)s is longer than %(max)d characters."),
            code="note_too_long",
            params={"note": note, "max": NOTE_MAX_LENGTH},
        )
    return note


def vietqr_qrcode(payload: str) -> segno.QRCode:
    """The QR symbol of ``payload``: error correction level M, never boosted.

    M (15 % recovery) is what banking apps read well on a phone screen, and keeping
    it fixed keeps the symbol the same for the same payload.
    """
    return segno.make_qr(payload, error="m", boost_error=False)


def vietqr_svg(
    payload: str, *, scale: int = 5, title: str | None = None, css_class: str = "vietqr-code"
) -> str:
    """The QR of ``payload`` as an inline ``<svg>`` element for HTML pages.

    Black on an explicit white background (a dark theme must not make the code
    unreadable), with the 4-module quiet zone, a ``<title>`` for screen readers and a
    ``viewBox`` so CSS can scale it down on narrow phones. It references nothing
    outside itself: no namespace URL, no links, no scripts.
    """
    if title is None:
        title = gettext("VietQR code for a bank transfer")
    svg = vietqr_qrcode(payload).svg_inline(
        scale=scale, unit="px", title=title, svgclass=css_class, dark="#000", light="#fff"
    )
    return svg.replace("<svg ", '<svg role="img" ', 1)


@dataclass(frozen=True)
class VietQRTransfer:
    """What a shopper needs to pay one cooperative by transfer: the QR and the same as text.

    The context of ``templates/payment/partials/vietqr.html`` (as ``transfer``).
    """

    bank: Bank
    account_number: str
    account_holder: str
    amount: int
    note: str
    payload: str


def vietqr_transfer(
    *,
    bank_bin: str,
    account_number: str,
    account_holder: str,
    amount: int | Decimal,
    note: str,
) -> VietQRTransfer:
    """A dynamic VietQR transfer of ``amount`` đồng to the account, with its payload.

    The holder is not part of the payload (banking apps look it up and show it before
    the shopper confirms); it is shown next to the QR so the shopper can compare.
    """
    account_holder = " ".join((account_holder or "").split())
    if not account_holder:
        raise ValidationError(
            {"account_holder": _("Give the account holder as the bank writes it.")}
        )
    payload = vietqr_payload(
        bank_bin=bank_bin, account_number=account_number, amount=amount, note=note
    )
    fields = vietqr_parse(payload)
    return VietQRTransfer(
        bank=banks()[bank_bin],
        account_number=account_number,
        account_holder=account_holder,
        amount=fields["amount"],
        note=fields["note"],
        payload=payload,
    )
