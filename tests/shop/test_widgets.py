"""``shop.widgets`` writes what Django's widget templates write."""

import pytest
from django import forms
from django.utils.safestring import mark_safe

from shop import widgets


class Django(forms.Form):
    province = forms.ChoiceField(
        choices=[
            ("", "Chọn tỉnh"),
            ("19", "Thái Nguyên"),
            ("01", 'Hà Nội <"thủ đô">'),
            ("02", mark_safe("<b>Hà Giang</b>")),  # a label marked safe is not escaped
        ],
        help_text="Tỉnh",
    )
    grouped = forms.ChoiceField(
        choices=[("Miền Bắc", [("19", "Thái Nguyên")]), ("Miền Nam", [("79", "TP HCM")])],
        required=False,
    )
    name = forms.CharField(
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "name", "data-x": 'a "b" <c>'}),
    )
    email = forms.EmailField(required=False, widget=forms.EmailInput(attrs={"disabled": True}))
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class Ours(Django):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            mine = {
                forms.Select: widgets.Select,
                forms.TextInput: widgets.TextInput,
                forms.EmailInput: widgets.EmailInput,
                forms.Textarea: widgets.Textarea,
            }[type(field.widget)]
            widget = mine(attrs=field.widget.attrs)
            widget.choices = getattr(field.widget, "choices", [])
            widget.is_required = field.widget.is_required
            field.widget = widget


@pytest.mark.parametrize(
    "data",
    [
        None,  # unbound: no values
        {"province": "01", "grouped": "79", "name": 'Lan "<b>"', "notes": "Gọi trước\n<b>"},
        {"province": "99", "name": "x" * 30},  # errors: aria-invalid, aria-describedby
    ],
)
def test_each_widget_writes_what_djangos_template_writes(data):
    django_form, our_form = Django(data), Ours(data)
    if data:
        django_form.is_valid(), our_form.is_valid()
    for name in Django.base_fields:
        theirs, ours = str(django_form[name]).strip(), str(our_form[name]).strip()
        assert ours == theirs, name
