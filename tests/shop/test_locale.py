"""Vietnamese money, numbers, dates and slugs (shop/formats, OSCAR_* settings)."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.utils import formats, translation
from oscar.core.utils import slugify

NBSP = "\xa0"


def render(template: str, **context) -> str:
    return Template(template).render(Context(context))


@pytest.mark.parametrize("language", ["vi", "en"])
def test_vnd_prices_read_the_vietnamese_way_in_every_language(language):
    with translation.override(language):
        price = render("{% load currency_filters %}{{ price|currency }}", price=Decimal("125000"))
    assert price == f"125.000{NBSP}₫"


def test_vnd_prices_have_no_decimals():
    with translation.override("vi"):
        price = render(
            "{% load currency_filters %}{{ price|currency }}", price=Decimal("1250000.00")
        )
    assert price == f"1.250.000{NBSP}₫"


def test_vietnamese_numbers_group_thousands_with_dots():
    with translation.override("vi"):
        assert formats.number_format(1234567, force_grouping=True) == "1.234.567"


def test_vietnamese_dates_show_day_first():
    with translation.override("vi"):
        assert formats.date_format(datetime.date(2026, 3, 5), "SHORT_DATE_FORMAT") == "05/03/2026"
        assert formats.date_format(datetime.date(2026, 3, 5)) == "05/03/2026"


class DateForm(forms.Form):
    day = forms.DateField()


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("typed", ["05/03/2026", "05-03-2026", "2026-03-05"])
def test_typed_dates_are_read_day_first(language, typed):
    with translation.override(language):
        form = DateForm({"day": typed})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == datetime.date(2026, 3, 5)


def test_a_day_above_twelve_is_accepted_not_read_as_a_month():
    with translation.override("vi"):
        form = DateForm({"day": "25/10/2026"})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == datetime.date(2026, 10, 25)


def test_impossible_date_is_refused_with_a_vietnamese_message():
    with translation.override("vi"):
        form = DateForm({"day": "31/02/2026"})
        assert not form.is_valid()
        assert form.errors["day"] == ["Nhập một ngày hợp lệ."]


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Đặc sản Đà Lạt", "dac-san-da-lat"),
        ("Miến dong Bạch Thông", "mien-dong-bach-thong"),
        ("Chè Shan tuyết Chợ Đồn", "che-shan-tuyet-cho-don"),
    ],
)
def test_slugs_spell_vietnamese_letters_in_ascii(title, slug):
    assert slugify(title) == slug


def test_time_zone_is_vietnams(settings):
    assert settings.TIME_ZONE == "Asia/Ho_Chi_Minh"
