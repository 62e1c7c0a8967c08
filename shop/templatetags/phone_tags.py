"""``{{ phone|phone_national }}``: a stored E.164 number the way Vietnamese write it."""

import phonenumbers
from django import template

register = template.Library()


@register.filter
def phone_national(value) -> str:
    """``+84912345678`` → ``0912 345 678``; anything unreadable is shown as it came."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(str(value), "VN")
    except phonenumbers.NumberParseException:
        return str(value)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
