"""The VietQR template tag and the partial that shows a transfer (payment/templatetags)."""

from django.contrib.staticfiles import finders
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import translation

from payment.vietqr import transfer_note, vietqr_qrcode, vietqr_transfer

NBSP = "\xa0"


def transfer(**overrides):
    arguments = {
        "bank_bin": "970405",
        "account_number": "3600205123456",
        "account_holder": "HTX NONG SAN BA BE",
        "amount": 125000,
        "note": transfer_note(order_number="100123", cooperative_code=7),
    } | overrides
    return vietqr_transfer(**arguments)


def test_the_tag_inlines_the_svg_unescaped():
    payment = transfer()
    html = Template("{% load vietqr_tags %}<div>{% vietqr_svg payload scale=3 %}</div>").render(
        Context({"payload": payment.payload})
    )
    assert html.startswith('<div><svg role="img" ')
    assert "&lt;" not in html
    size = (vietqr_qrcode(payment.payload).symbol_size(border=4)[0]) * 3
    assert f'width="{size}px"' in html


def test_the_partial_shows_every_detail_a_shopper_types():
    with translation.override("vi"):
        html = render_to_string("payment/partials/vietqr.html", {"transfer": transfer()})
    assert '<svg role="img"' in html
    assert "Agribank" in html
    assert "Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam" in html
    assert ">3600205123456</span>" in html
    assert "HTX NONG SAN BA BE" in html
    assert f">125.000{NBSP}₫</span>" in html
    assert ">CP100123 HTX7</span>" in html
    # Copy buttons copy the raw values: digits for the amount, not "125.000 ₫".
    for value in ("3600205123456", "125000", "CP100123 HTX7"):
        assert (
            f'<button type="button" class="btn btn-outline-primary btn-sm ml-2" data-copy="{value}"'
            in html
        )
    assert html.count("data-copy-text") == 3
    assert 'src="/static/js/copy.js"' in html
    assert "http://" not in html
    assert "https://" not in html


def test_the_partial_escapes_what_a_manager_typed():
    html = render_to_string(
        "payment/partials/vietqr.html", {"transfer": transfer(account_holder="HTX <b>A&B</b>")}
    )
    assert "HTX &lt;b&gt;A&amp;B&lt;/b&gt;" in html


def test_the_copy_script_is_bundled_and_asks_for_nothing():
    path = finders.find("js/copy.js")
    assert path
    with open(path, encoding="utf-8") as script:
        source = script.read()
    assert "navigator.clipboard" in source
    for request in ("http", "fetch(", "XMLHttpRequest", "import("):
        assert request not in source
