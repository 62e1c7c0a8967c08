"""``{% vietqr_svg payload %}``: a VietQR payload drawn as an inline SVG QR code."""

from django import template
from django.utils.safestring import mark_safe

from payment import vietqr

register = template.Library()


@register.simple_tag
def vietqr_svg(payload: str, scale: int = 5, css_class: str = "vietqr-code img-fluid"):
    """The QR of ``payload`` as an ``<svg>`` element, sized by ``scale`` px per module."""
    svg = vietqr.vietqr_svg(payload, scale=int(scale), css_class=css_class)
    # Safe to output unescaped: segno writes the payload only as path coordinates (numbers),
    # never as text; the title is escaped by segno and the class attribute is quoted with
    # xml.sax.saxutils.quoteattr. So no character of the payload reaches the markup.
    return mark_safe(svg)  # noqa: S308  (see above)
