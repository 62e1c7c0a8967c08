"""Printouts for the packing table: a slip per parcel and the day's pick list.

Print-ready HTML (``static/css/print.css`` sets A5 pages and hides the buttons): any
phone or computer can print it or save it as PDF, no PDF library on the server.
"""

import datetime

from django.http import Http404
from django.utils import timezone
from django.views.generic import TemplateView

from cooperatives.console.print_selectors import packing_slip, pick_list, waiting_for_confirmation
from cooperatives.manager import CooperativeManagerMixin


class PackingSlipView(CooperativeManagerMixin, TemplateView):
    """The slip that goes in (or on) one parcel: who, where, what, and cash to collect."""

    template_name = "cooperatives/manager/print/packing_slip.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        slip = packing_slip(cooperative=self.cooperative, pk=self.kwargs["pk"])
        if slip is None:
            raise Http404
        ctx.update(slip)
        return ctx


class PickListView(CooperativeManagerMixin, TemplateView):
    """Everything to take off the shelves for the confirmed orders, added up by product."""

    template_name = "cooperatives/manager/print/pick_list.html"

    def day(self) -> datetime.date:
        """``?date=YYYY-MM-DD``, or today in the shop's time zone (also for a bad date)."""
        try:
            return datetime.date.fromisoformat(self.request.GET.get("date", ""))
        except ValueError:
            return timezone.localdate()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["pick_list"] = pick_list(cooperative=self.cooperative, day=self.day())
        ctx["waiting"] = waiting_for_confirmation(cooperative=self.cooperative)
        return ctx
