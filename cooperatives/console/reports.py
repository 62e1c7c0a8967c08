"""The cooperative's numbers in the console (``/quan-ly/<slug>/so-lieu/``).

Sales per day for the last 30 days as a bar chart drawn on the server (an SVG, with the
same numbers as a table for screen readers), the best sellers, parts by state, and a CSV
of the cooperative's parts for a date range. Managers see their own cooperative only:
``CooperativeManagerMixin`` answers 404 for any other.
"""

from __future__ import annotations

import csv
import datetime

from django import forms
from django.http import HttpResponse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from cooperatives import reports
from cooperatives.manager import CooperativeManagerMixin
from payment import methods as payment_methods

REPORT_DAYS = 30
# The longest range one export may cover, so one click cannot read years of orders at once.
EXPORT_MAX_DAYS = 366
# The chart's drawing box (SVG user units); it scales to the screen's width.
CHART_WIDTH, CHART_HEIGHT, CHART_TOP = 600, 200, 10


class ExportPeriodForm(forms.Form):
    """The dates of a CSV export: from and to (local days, both included)."""

    start = forms.DateField(
        label=gettext_lazy("From"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Enter a date like 2025-03-31.")},
    )
    end = forms.DateField(
        label=gettext_lazy("To"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Enter a date like 2025-03-31.")},
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError(
                    _("The end date is before the start date."), code="end_before_start"
                )
            if (end - start).days + 1 > EXPORT_MAX_DAYS:
                raise forms.ValidationError(
                    _("Export at most %(days)s days at a time.") % {"days": EXPORT_MAX_DAYS},
                    code="too_long",
                )
        return cleaned


def export_form(data=None) -> ExportPeriodForm:
    """The export form: bound to the query string when it names dates, else the last 30 days."""
    if data and ("start" in data or "end" in data):
        return ExportPeriodForm(data)
    start, end = reports.report_period(days=REPORT_DAYS)
    return ExportPeriodForm(initial={"start": start, "end": end})


def sales_chart(days: list[tuple[datetime.date, object]]) -> dict:
    """Bars of an SVG chart for (day, amount) pairs, scaled to the highest day."""
    highest = max((amount for _day, amount in days), default=0) or 1
    slot = CHART_WIDTH / max(len(days), 1)
    drawable = CHART_HEIGHT - CHART_TOP
    bars = []
    for index, (day, amount) in enumerate(days):
        height = round(float(amount) / float(highest) * drawable, 1)
        bars.append(
            {
                "day": day,
                "amount": amount,
                "x": round(index * slot + slot * 0.1, 1),
                "width": round(slot * 0.8, 1),
                "y": round(CHART_HEIGHT - height, 1),
                "height": height,
            }
        )
    return {"bars": bars, "width": CHART_WIDTH, "height": CHART_HEIGHT, "highest": highest}


class ReportsView(CooperativeManagerMixin, TemplateView):
    """The cooperative's numbers: three reads and the export form, whatever the sales."""

    template_name = "cooperatives/manager/reports.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        start, end = reports.report_period(days=REPORT_DAYS)
        days = reports.sales_by_day(cooperative=self.cooperative, start=start, end=end)
        ctx.update(
            {
                "console_section": "reports",
                "period_start": start,
                "period_end": end,
                "sales_days": days,
                "sales_total": sum(amount for _day, amount in days),
                "chart": sales_chart(days),
                "top_products": reports.top_products(
                    cooperative=self.cooperative, start=start, end=end
                ),
                "states": reports.orders_by_state(cooperative=self.cooperative),
            }
        )
        ctx.setdefault("form", export_form())
        return ctx


class OrdersCsvView(ReportsView):
    """The cooperative's parts for a date range as CSV that Excel opens with Vietnamese intact.

    Bad dates show the numbers page again with the form's message and what was typed.
    """

    def get(self, request, *args, **kwargs):
        form = export_form(request.GET)
        if not form.is_bound or not form.is_valid():
            if not form.is_bound:  # no dates: the default period
                start, end = reports.report_period(days=REPORT_DAYS)
                return self.csv_response(start=start, end=end)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        return self.csv_response(start=form.cleaned_data["start"], end=form.cleaned_data["end"])

    def csv_response(self, *, start: datetime.date, end: datetime.date) -> HttpResponse:
        filename = f"don-hang-{self.cooperative.slug}-{start:%Y%m%d}-{end:%Y%m%d}.csv"
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response.write("\ufeff")  # the BOM: Excel reads the file as UTF-8, not Windows-1258
        writer = csv.writer(response)
        writer.writerow(csv_header())
        parts = reports.fulfilments_for_export(cooperative=self.cooperative, start=start, end=end)
        for fulfilment in parts.iterator(chunk_size=500):
            writer.writerow(csv_row(fulfilment))
        return response


def csv_header() -> list[str]:
    return [
        _("Order number"),
        _("Date"),
        _("Shopper"),
        _("Phone number"),
        _("Commune"),
        _("Province"),
        _("Status"),
        _("Payment method"),
        _("Payment status"),
        _("Goods"),
        _("Shipping"),
        _("Total"),
        _("Cash on delivery"),
        _("Carrier"),
        _("Tracking number"),
    ]


def csv_row(fulfilment) -> list:
    order = fulfilment.order
    address = order.shipping_address
    try:
        method = str(payment_methods.payment_method(order.payment_method).label)
    except KeyError:
        method = order.payment_method
    phone = address.phone_number if address else None
    return [
        order.number,
        formats.date_format(timezone.localtime(order.date_placed), "Y-m-d H:i"),
        _cell(address.first_name if address else ""),
        (phone.as_national if phone.country_code == 84 else phone.as_international)
        if phone
        else "",
        _cell(address.commune_name if address else ""),
        _cell(address.province_name if address else ""),
        str(fulfilment.get_status_display()),
        method,
        str(fulfilment.get_payment_status_display()),
        int(fulfilment.goods_total),
        int(fulfilment.shipping_charge),
        int(fulfilment.total),
        int(fulfilment.cod_amount),
        _cell(fulfilment.carrier),
        _cell(fulfilment.tracking_number),
    ]


def _cell(text: str) -> str:
    """Text a shopper or manager typed, made harmless for spreadsheets.

    A cell starting with ``=``, ``+``, ``-`` or ``@`` is a formula to Excel (CSV
    injection); a leading apostrophe makes it plain text again.
    """
    text = text or ""
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text
