"""Form widgets written out in Python, for the form a shopper fills in on every order.

Django renders each widget, each of its attributes and each option of a select through a
template. On the checkout's delivery form (34 provinces, then the province's communes)
that was a quarter of the page's time. These write the same HTML as Django's templates
(``tests/shop/test_widgets.py`` compares them), from the same ``get_context``, escaped as
the templates escape: attribute values always, labels unless marked safe.
"""

from django import forms
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe


def _attributes(attrs: dict) -> str:
    # django/forms/widgets/attrs.html: False leaves the attribute out, True writes its name.
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class Select(forms.Select):
    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        html = [f'<select name="{escape(widget["name"])}"{_attributes(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                html.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
            for option in options:
                # Each option ends in a new line, as select_option.html does.
                html.append(
                    f'\n  <option value="{escape(option["value"])}"'
                    f"{_attributes(option['attrs'])}>{conditional_escape(option['label'])}</option>\n"
                )
            if group_name:
                html.append("\n  </optgroup>")
        html.append("\n</select>")
        return mark_safe("".join(html))  # noqa: S308 (every value above is escaped)


class _Input:
    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else f' value="{escape(widget["value"])}"'
        return mark_safe(  # noqa: S308 (every value is escaped)
            f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"'
            f"{shown}{_attributes(widget['attrs'])}>"
        )


class TextInput(_Input, forms.TextInput):
    pass


class EmailInput(_Input, forms.EmailInput):
    pass


class Textarea(forms.Textarea):
    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        # textarea.html starts the text on a line of its own.
        return mark_safe(  # noqa: S308 (every value is escaped)
            f'<textarea name="{escape(widget["name"])}"{_attributes(widget["attrs"])}>\n'
            f"{conditional_escape(widget['value'] or '')}</textarea>"
        )
