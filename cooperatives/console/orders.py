"""The console's order work: the inbox, the order card and its one-tap actions.

Thin views: each reads through a selector scoped to the cooperative in the URL (so a
part of another cooperative is a 404) and calls one service from
``cooperatives/services/fulfillment.py``, which checks the manager again, locks the part
and compares it with the status the manager saw (``expected_status``, posted by every
form). Every action redirects back with a message (post/redirect/get: a reload never
posts twice).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView, TemplateView

from cooperatives import statuses
from cooperatives.manager import CooperativeManagerMixin
from cooperatives.selectors import (
    fulfilment_actions,
    fulfilment_card,
    fulfilment_status_counts,
    fulfilments_for_cooperative,
    fulfilments_inbox,
)
from cooperatives.services import fulfillment as services
from payment import methods as payment_methods

CONFIRM_CHANNEL_CHOICES = [
    (code, label) for code, label in statuses.CHANNEL_CHOICES if code in services.CONFIRM_CHANNELS
]


class ActionForm(forms.Form):
    expected_status = forms.ChoiceField(
        choices=statuses.FULFILMENT_CHOICES, required=False, widget=forms.HiddenInput
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=500)


class ConfirmForm(ActionForm):
    channel = forms.ChoiceField(label=gettext_lazy("Confirmed by"), choices=CONFIRM_CHANNEL_CHOICES)


class ShipForm(ActionForm):
    carrier = forms.CharField(label=gettext_lazy("Carrier"), required=False, max_length=64)
    tracking_number = forms.CharField(
        label=gettext_lazy("Tracking number"), required=False, max_length=64
    )


class CancelForm(ActionForm):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=500)


class LineChangeForm(ActionForm):
    line = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=gettext_lazy("Quantity"), min_value=0)


class BulkForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            ("confirm", gettext_lazy("Confirm")),
            ("pack", gettext_lazy("Packed")),
            ("ship", gettext_lazy("Shipped")),
        ]
    )
    channel = forms.ChoiceField(choices=CONFIRM_CHANNEL_CHOICES, required=False)
    carrier = forms.CharField(required=False, max_length=64)
    note = forms.CharField(required=False, max_length=500)


def _success(action: str, number: str) -> str:
    texts = {
        "confirm": _("Order %(number)s confirmed."),
        "pack": _("Order %(number)s packed."),
        "ship": _("Order %(number)s shipped."),
        "deliver": _("Order %(number)s delivered."),
        "return": _("Order %(number)s returned."),
        "cancel": _("Order %(number)s cancelled; its stock is back on the shelf."),
        "cod-collected": _("Cash for order %(number)s recorded as collected."),
        "line": _("Order %(number)s changed; the shopper will be told."),
    }
    return texts[action] % {"number": number}


def _do(action: str, *, fulfilment, actor, data: dict):
    """Call the service for ``action`` with the form's cleaned ``data``."""
    common = {"fulfilment": fulfilment, "actor": actor}
    expected = data.get("expected_status") or None
    note = data.get("note", "")
    if action == "confirm":
        return services.fulfilment_confirm(
            **common, channel=data["channel"], note=note, expected_status=expected
        )
    if action == "pack":
        return services.fulfilment_pack(**common, note=note, expected_status=expected)
    if action == "ship":
        return services.fulfilment_ship(
            **common,
            carrier=data["carrier"],
            tracking_number=data["tracking_number"],
            note=note,
            expected_status=expected,
        )
    if action == "deliver":
        return services.fulfilment_deliver(**common, note=note, expected_status=expected)
    if action == "return":
        return services.fulfilment_return(**common, note=note, expected_status=expected)
    if action == "cancel":
        return services.fulfilment_manager_cancel(
            **common, reason=data["reason"], expected_status=expected
        )
    if action == "cod-collected":
        return services.fulfilment_cod_collected(**common, note=note)
    if action == "line":
        line = fulfilment.order.lines.filter(
            pk=data["line"], partner_id=fulfilment.cooperative.partner_id
        ).first()
        if line is None:
            raise Http404
        return services.fulfilment_line_change(
            **common,
            line=line,
            quantity=data["quantity"],
            note=note,
            expected_status=expected,
        )
    raise Http404


ACTION_FORMS = {
    "confirm": ConfirmForm,
    "pack": ActionForm,
    "ship": ShipForm,
    "deliver": ActionForm,
    "return": ActionForm,
    "cancel": CancelForm,
    "cod-collected": ActionForm,
    "line": LineChangeForm,
}


class OrderMixin(CooperativeManagerMixin):
    def orders_url(self) -> str:
        return reverse("manager:orders", kwargs={"cooperative_slug": self.cooperative.slug})

    def detail_url(self, fulfilment) -> str:
        return reverse(
            "manager:order-detail",
            kwargs={"cooperative_slug": self.cooperative.slug, "pk": fulfilment.pk},
        )

    def safe_next(self, default: str) -> str:
        url = self.request.POST.get("next", "")
        if url and url_has_allowed_host_and_scheme(
            url, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return url
        return default


class OrderListView(OrderMixin, ListView):
    """The inbox: tabs by state with counts, search, filters, and bulk confirm/pack/ship."""

    template_name = "cooperatives/manager/order_list.html"
    context_object_name = "fulfilments"
    paginate_by = 25

    def filters(self) -> dict:
        get = self.request.GET
        status = get.get("status", "")
        payment = get.get("payment", "")
        return {
            "status": status if status in dict(statuses.FULFILMENT_CHOICES) else "",
            "payment_method": payment if payment in dict(payment_methods.CHOICES) else "",
            "query": get.get("q", "")[:100],
        }

    def get_queryset(self):
        return fulfilments_inbox(cooperative=self.cooperative, **self.filters())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        counts = fulfilment_status_counts(cooperative=self.cooperative)
        filters = self.filters()
        ctx.update(
            console_section="orders",
            filters=filters,
            tabs=[("", _("All"), counts["all"])]
            + [(code, label, counts[code]) for code, label in statuses.FULFILMENT_CHOICES],
            payment_choices=payment_methods.CHOICES,
            channel_choices=CONFIRM_CHANNEL_CHOICES,
            bulk_actions=BulkForm.base_fields["action"].choices,
        )
        return ctx


class OrderDetailView(OrderMixin, TemplateView):
    """The order card: what to send, to whom, for how much, what happened, what is next."""

    template_name = "cooperatives/manager/order_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        fulfilment = fulfilment_card(cooperative=self.cooperative, pk=self.kwargs["pk"])
        if fulfilment is None:
            raise Http404
        order = fulfilment.order
        address = order.shipping_address
        phone = address.phone_number if address else None
        ctx.update(
            console_section="orders",
            fulfilment=fulfilment,
            order=order,
            address=address,
            lines=fulfilment.own_lines,
            events=list(fulfilment.events.all()),
            actions=fulfilment_actions(fulfilment=fulfilment),
            can_change_lines=(
                fulfilment.status == statuses.NEW
                and order.payment_method != payment_methods.CARD
                and fulfilment.payment_status not in statuses.PAYMENT_SETTLED
            ),
            zalo_url=("https://zalo.me/0" + str(phone.national_number)) if phone else "",
            payment_method=payment_methods.payment_method(order.payment_method)
            if order.payment_method
            else None,
            channel_choices=CONFIRM_CHANNEL_CHOICES,
        )
        return ctx


class OrderActionView(OrderMixin, View):
    """One tap on the order card: confirm, change a line, cancel, pack, ship, deliver…"""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        action = self.kwargs["action"]
        form_class = ACTION_FORMS.get(action)
        if form_class is None:
            raise Http404
        fulfilment = get_object_or_404(
            fulfilments_for_cooperative(cooperative=self.cooperative).select_related(
                "cooperative__partner"
            ),
            pk=self.kwargs["pk"],
        )
        form = form_class(request.POST)
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else None
                for error in errors:
                    messages.error(request, f"{label}: {error}" if label else error)
            return redirect(self.detail_url(fulfilment))
        try:
            _do(action, fulfilment=fulfilment, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _success(action, fulfilment.order.number))
        return redirect(self.safe_next(self.detail_url(fulfilment)))


class OrdersBulkView(OrderMixin, View):
    """Confirm, pack or ship the ticked parts; each one succeeds or fails on its own."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = BulkForm(request.POST)
        back = self.safe_next(self.orders_url())
        if not form.is_valid():
            messages.error(request, _("Choose what to do with the ticked orders."))
            return redirect(back)
        data = form.cleaned_data
        expected, ids = {}, []
        for value in request.POST.getlist("fulfilment"):
            pk, _sep, status = value.partition(":")
            if pk.isdigit():
                ids.append(int(pk))
                if status:
                    expected[int(pk)] = status
        if not ids:
            messages.error(request, _("Tick at least one order."))
            return redirect(back)
        if data["action"] == "confirm" and not data["channel"]:
            messages.error(request, _("Say how you confirmed them: phone call, Zalo or in person."))
            return redirect(back)
        tracking = {
            pk: request.POST.get(f"tracking-{pk}", "").strip()[:64]
            for pk in ids
            if request.POST.get(f"tracking-{pk}")
        }
        results = services.fulfilments_bulk(
            cooperative=self.cooperative,
            ids=ids,
            action=data["action"],
            actor=request.user,
            expected=expected,
            channel=data["channel"] or statuses.CHANNEL_PHONE,
            carrier=data["carrier"],
            tracking_numbers=tracking,
            note=data["note"],
        )
        done = [result.order_number for result in results if result.ok]
        if done:
            messages.success(
                request,
                _("Done for %(count)s order(s): %(numbers)s.")
                % {"count": len(done), "numbers": ", ".join(done)},
            )
        for result in results:
            if not result.ok:
                messages.error(
                    request,
                    _("Order %(number)s: %(message)s")
                    % {
                        "number": result.order_number or result.fulfilment_id,
                        "message": result.message,
                    },
                )
        return redirect(back)


class PaymentReceivedView(OrderMixin, View):
    """A manager saw a bank transfer for one of the cooperative's parts arrive."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        fulfilment = get_object_or_404(
            fulfilments_for_cooperative(cooperative=self.cooperative),
            pk=self.kwargs["pk"],
        )
        try:
            services.fulfilment_payment_received(fulfilment=fulfilment, actor=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("Transfer for order %(number)s recorded as received.")
                % {"number": fulfilment.order.number},
            )
        return redirect(self.safe_next(self.orders_url()))
