"""VietQR payloads, transfer notes and QR images (payment/vietqr.py)."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from payment.vietqr import (
    AMOUNT_MAX,
    NOTE_MAX_LENGTH,
    clean_note,
    crc16_ccitt_false,
    transfer_note,
    vietqr_parse,
    vietqr_payload,
    vietqr_qrcode,
    vietqr_svg,
    vietqr_transfer,
)

# The two valid samples of the subiz/vietqr README (reference/vietnam-domain.md, 1.4).
STATIC_SAMPLE = (
    "00020101021138540010A00000072701240006970423011000999999990208QRIBFTTA53037045802VN6304CBB4"
)
DYNAMIC_SAMPLE = (
    "00020101021238630010A0000007270133000697042201190023457923442ASDFLJ0208QRIBFTTA"
    "53037045405401235802VN62290825chuyen khoan alsdkf laksj6304E5DB"
)
SAMPLES = {
    STATIC_SAMPLE: {
        "bank_bin": "970423",  # TPBank
        "account_number": "0099999999",
        "amount": None,
        "note": "",
    },
    DYNAMIC_SAMPLE: {
        "bank_bin": "970422",  # MB Bank
        "account_number": "0023457923442ASDFLJ",
        "amount": 40123,
        "note": "chuyen khoan alsdkf laksj",
    },
}
AGRIBANK = "970405"


@pytest.fixture
def english():
    """Messages checked word for word are read in English (tests default to Vietnamese)."""
    with translation.override("en"):
        yield


def error_codes(excinfo) -> dict[str, list[str]]:
    return {
        field: [error.code for error in errors]
        for field, errors in excinfo.value.error_dict.items()
    }


def with_crc(body: str) -> str:
    """``body`` (ending in "6304") closed with its correct CRC."""
    return body + f"{crc16_ccitt_false(body.encode()):04X}"


def split(data: str) -> dict[str, str]:
    """ID-length-value fields, asserting that every declared length is the value's length."""
    fields, position = {}, 0
    while position < len(data):
        field_id, length = data[position : position + 2], int(data[position + 2 : position + 4])
        value = data[position + 4 : position + 4 + length]
        assert len(value) == length, f"field {field_id} declares {length}, has {len(value)}"
        fields[field_id] = value
        position += 4 + length
    return fields


def tlv_lengths_match(payload: str) -> bool:
    """Every length prefix is right, down through the templates 38, 38-01 and 62."""
    fields = split(payload)
    merchant_account = split(fields["38"])
    split(merchant_account["01"])
    split(fields.get("62", ""))
    return True


# --- the published samples -------------------------------------------------------------


def test_crc_is_ccitt_false():
    assert crc16_ccitt_false(b"123456789") == 0x29B1  # the catalogued check value


@pytest.mark.parametrize("sample", SAMPLES)
def test_published_samples_verify_and_parse(sample):
    fields = vietqr_parse(sample)
    assert {key: fields[key] for key in SAMPLES[sample]} == SAMPLES[sample]
    assert fields["guid"] == "A000000727"
    assert fields["service"] == "QRIBFTTA"
    assert fields["currency"] == "704"
    assert fields["country"] == "VN"
    assert fields["crc"] == sample[-4:]


@pytest.mark.parametrize("sample", SAMPLES)
def test_building_the_samples_fields_reproduces_the_sample(sample):
    assert vietqr_payload(**SAMPLES[sample]) == sample


def test_a_lowercase_ascii_note_goes_in_unchanged():
    """Sample 2 writes its note in lower case: the builder keeps case, so it round-trips."""
    payload = vietqr_payload(**SAMPLES[DYNAMIC_SAMPLE])
    assert "0825chuyen khoan alsdkf laksj" in payload
    assert vietqr_parse(payload)["note"] == "chuyen khoan alsdkf laksj"


def test_the_samples_initiation_follows_the_amount():
    assert vietqr_parse(STATIC_SAMPLE)["point_of_initiation"] == "11"
    assert vietqr_parse(DYNAMIC_SAMPLE)["point_of_initiation"] == "12"


# --- damaged payloads ------------------------------------------------------------------


@pytest.mark.parametrize(
    "damaged",
    [
        STATIC_SAMPLE.replace("0099999999", "0099999998"),  # one digit of the account
        DYNAMIC_SAMPLE.replace("540540123", "540540124"),  # the amount
        DYNAMIC_SAMPLE[:-4] + "E5DC",  # the CRC itself
    ],
)
@pytest.mark.usefixtures("english")
def test_a_corrupted_payload_fails_the_crc(damaged):
    with pytest.raises(ValidationError) as excinfo:
        vietqr_parse(damaged)
    assert excinfo.value.code == "crc_mismatch"
    assert "damaged" in excinfo.value.messages[0]


def test_a_payload_without_crc_field_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        vietqr_parse(STATIC_SAMPLE[:-8])
    assert excinfo.value.code == "no_crc"


def test_a_payload_whose_fields_do_not_frame_is_refused():
    body = STATIC_SAMPLE[:-8].replace("5802VN", "5803VN") + "6304"  # a wrong length
    with pytest.raises(ValidationError) as excinfo:
        vietqr_parse(with_crc(body))
    assert excinfo.value.code == "malformed"


def test_an_emvco_code_of_another_network_is_not_vietqr():
    body = STATIC_SAMPLE[:-4].replace("A000000727", "A000000999")
    with pytest.raises(ValidationError) as excinfo:
        vietqr_parse(with_crc(body))
    assert excinfo.value.code == "not_vietqr"


# --- building payloads -----------------------------------------------------------------


def test_a_payload_with_amount_and_note():
    payload = vietqr_payload(
        bank_bin=AGRIBANK, account_number="3600205123456", amount=125000, note="CP100123 HTX7"
    )
    assert payload == with_crc(
        "000201"
        "010212"
        "3857"
        "0010A000000727"
        "0127" + "0006970405" + "01133600205123456"
        "0208QRIBFTTA"
        "5303704"
        "5406125000"
        "5802VN"
        "6217" + "0813CP100123 HTX7"
        "6304"
    )
    assert re.fullmatch(r".*6304[0-9A-F]{4}", payload)
    assert tlv_lengths_match(payload)


@pytest.mark.parametrize(
    ("amount", "field"),
    [(1, "54011"), (40123, "540540123"), (AMOUNT_MAX, "5413" + "9" * 13)],
)
def test_length_prefixes_count_the_amount_digits(amount, field):
    payload = vietqr_payload(bank_bin=AGRIBANK, account_number="1234", amount=amount)
    assert field + "5802VN" in payload
    assert tlv_lengths_match(payload)


def test_without_amount_the_code_is_static_and_has_no_amount_field():
    payload = vietqr_payload(bank_bin=AGRIBANK, account_number="3600205123456", note="Ung ho")
    fields = vietqr_parse(payload)
    assert fields["point_of_initiation"] == "11"
    assert "54" not in fields["fields"]
    assert fields["amount"] is None


def test_without_note_there_is_no_additional_data_field():
    payload = vietqr_payload(bank_bin=AGRIBANK, account_number="3600205123456", amount=5000)
    assert "62" not in vietqr_parse(payload)["fields"]


def test_whole_decimal_amounts_from_oscar_are_accepted():
    payload = vietqr_payload(bank_bin=AGRIBANK, account_number="1234", amount=Decimal("125000.00"))
    assert vietqr_parse(payload)["amount"] == 125000


def test_a_vietnamese_note_becomes_ascii():
    payload = vietqr_payload(
        bank_bin=AGRIBANK, account_number="1234", amount=50000, note="Chuyển khoản đơn 123"
    )
    assert vietqr_parse(payload)["note"] == "Chuyen khoan don 123"
    assert payload.isascii()
    assert tlv_lengths_match(payload)


def test_note_white_space_is_tidied():
    assert clean_note("  Đơn   hàng\t12 ") == "Don hang 12"


@pytest.mark.parametrize(
    ("arguments", "field", "code"),
    [
        ({"bank_bin": "97040"}, "bank_bin", "bin_format"),
        ({"bank_bin": "97040A"}, "bank_bin", "bin_format"),
        ({"bank_bin": "123456"}, "bank_bin", "bin_unknown"),
        ({"account_number": "123"}, "account_number", "account_format"),
        ({"account_number": "1" * 20}, "account_number", "account_format"),
        ({"account_number": "3600-2051"}, "account_number", "account_format"),
        ({"account_number": "36002051Đ"}, "account_number", "account_format"),
        ({"amount": 0}, "amount", "amount_not_positive"),
        ({"amount": -5000}, "amount", "amount_not_positive"),
        ({"amount": AMOUNT_MAX + 1}, "amount", "amount_too_large"),
        ({"amount": Decimal("40123.50")}, "amount", "amount_decimals"),
        ({"amount": Decimal("NaN")}, "amount", "amount_decimals"),
        ({"amount": 40123.0}, "amount", "amount_type"),
        ({"amount": "40123"}, "amount", "amount_type"),
        ({"amount": True}, "amount", "amount_type"),
        ({"note": "Đơn #123"}, "note", "note_characters"),
        ({"note": "订单 123"}, "note", "note_characters"),
        ({"note": "x" * (NOTE_MAX_LENGTH + 1)}, "note", "note_too_long"),
    ],
)
def test_invalid_inputs_are_refused_with_a_message(arguments, field, code):
    valid = {"bank_bin": AGRIBANK, "account_number": "3600205123456", "amount": 5000}
    with pytest.raises(ValidationError) as excinfo:
        vietqr_payload(**(valid | arguments))
    assert error_codes(excinfo) == {field: [code]}
    assert excinfo.value.message_dict[field][0]  # a sentence for the person who typed it


@pytest.mark.usefixtures("english")
def test_every_problem_is_reported_at_once():
    with pytest.raises(ValidationError) as excinfo:
        vietqr_payload(bank_bin="1", account_number="", amount=0, note="a;b")
    assert set(excinfo.value.message_dict) == {"bank_bin", "account_number", "amount", "note"}
    assert "6 digits" in excinfo.value.message_dict["bank_bin"][0]


def test_the_builder_is_keyword_only():
    with pytest.raises(TypeError):
        vietqr_payload(AGRIBANK, "3600205123456")  # type: ignore[misc]


# --- transfer notes --------------------------------------------------------------------


def test_transfer_note_format():
    assert transfer_note(order_number="100123", cooperative_code=7) == "CP100123 HTX7"


def test_transfer_notes_are_unique_per_order_part_and_fit_the_qr():
    notes = {
        transfer_note(order_number=str(number), cooperative_code=cooperative)
        for number in (100001, 100012, 1000123, 9999999999)
        for cooperative in (1, 12, 123, 99999)
    }
    assert len(notes) == 16
    for note in notes:
        assert len(note) <= NOTE_MAX_LENGTH
        assert clean_note(note) == note  # goes into the payload unchanged
    # Still distinct if a bank drops the space and changes the case.
    assert len({note.replace(" ", "").lower() for note in notes}) == 16


def test_transfer_note_may_use_all_25_characters():
    note = transfer_note(order_number="1" * 18, cooperative_code=7)
    assert len(note) == NOTE_MAX_LENGTH
    assert (
        vietqr_parse(vietqr_payload(bank_bin=AGRIBANK, account_number="1234", note=note))["note"]
        == note
    )


def test_transfer_note_prefix_comes_from_settings(settings):
    settings.VIETQR_NOTE_PREFIX = "BK"
    assert transfer_note(order_number="100123", cooperative_code=7) == "BK100123 HTX7"
    assert transfer_note(order_number="1", cooperative_code="AB", prefix="X") == "X1 HTXAB"


@pytest.mark.parametrize(
    ("arguments", "code"),
    [
        ({"order_number": "10-0123"}, "order_number_format"),
        ({"order_number": "abc1"}, "order_number_format"),
        ({"order_number": ""}, "order_number_format"),
        ({"cooperative_code": 0}, "cooperative_code_format"),
        ({"cooperative_code": True}, "cooperative_code_format"),
        ({"cooperative_code": "htx 7"}, "cooperative_code_format"),
        ({"prefix": "cp"}, "prefix_format"),
        ({"prefix": "CHOPHIEN"}, "prefix_format"),
        ({"order_number": "1" * 19}, "note_too_long"),
    ],
)
def test_transfer_note_refuses_what_would_not_be_unique_or_fit(arguments, code):
    with pytest.raises(ValidationError) as excinfo:
        transfer_note(**({"order_number": "100123", "cooperative_code": 7} | arguments))
    assert excinfo.value.code == code
    assert excinfo.value.messages[0]


# --- the transfer as shown to the shopper ----------------------------------------------


def test_vietqr_transfer_carries_the_payload_and_the_same_details_as_text():
    transfer = vietqr_transfer(
        bank_bin=AGRIBANK,
        account_number="3600205123456",
        account_holder="HTX NONG SAN BA BE",
        amount=Decimal("125000.00"),
        note=transfer_note(order_number="100123", cooperative_code=7),
    )
    assert transfer.bank.short_name == "Agribank"
    assert transfer.amount == 125000
    assert transfer.note == "CP100123 HTX7"
    assert vietqr_parse(transfer.payload)["account_number"] == "3600205123456"


def test_vietqr_transfer_needs_the_account_holder():
    with pytest.raises(ValidationError) as excinfo:
        vietqr_transfer(
            bank_bin=AGRIBANK, account_number="1234", account_holder=" ", amount=1, note=""
        )
    assert set(excinfo.value.message_dict) == {"account_holder"}


# --- the QR image ----------------------------------------------------------------------


def test_the_qr_symbol_is_deterministic_with_error_correction_m():
    first, second = vietqr_qrcode(DYNAMIC_SAMPLE), vietqr_qrcode(DYNAMIC_SAMPLE)
    assert first.matrix == second.matrix
    assert first.error in {"M", "Q"}
    assert first.error == "M"
    assert not first.is_micro
    assert vietqr_svg(DYNAMIC_SAMPLE) == vietqr_svg(DYNAMIC_SAMPLE)


def test_an_all_capitals_payload_makes_a_smaller_symbol():
    """Our notes are capitals, so the whole payload fits QR's compact alphanumeric mode."""
    payload = vietqr_payload(
        bank_bin=AGRIBANK, account_number="3600205123456", amount=125000, note="CP100123 HTX7"
    )
    assert vietqr_qrcode(payload).mode == "alphanumeric"
    assert vietqr_qrcode(payload).version < vietqr_qrcode(DYNAMIC_SAMPLE).version


@pytest.mark.usefixtures("english")
def test_the_svg_is_self_contained_and_accessible():
    svg = vietqr_svg(DYNAMIC_SAMPLE, scale=4)
    assert svg.startswith('<svg role="img" ')
    assert svg.endswith("</svg>")
    assert "<title>VietQR code for a bank transfer</title>" in svg
    assert "viewBox=" in svg
    lowered = svg.lower()
    for forbidden in ("<script", "http://", "https://", "href", "<image", "url(", "<style"):
        assert forbidden not in lowered
    assert not re.search(r"\son\w+\s*=", lowered)  # no event handler attributes
    assert 'fill="#fff"' in svg  # a white background even on dark pages


def test_the_svg_title_is_escaped():
    svg = vietqr_svg(STATIC_SAMPLE, title='<script>alert("x")</script>')
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
