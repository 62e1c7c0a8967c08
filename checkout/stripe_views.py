"""Card payment by Stripe Checkout: start it, come back from it, and hear from Stripe.

Thin on purpose: the services in ``cooperatives/services/payments.py`` decide; these
views parse the request, call one of them and answer. The webhook is the source of
truth; the return page only lets the shopper see the result sooner.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from cooperatives import selectors, statuses
from cooperatives.order_views import ShopperOrderMixin
from cooperatives.services import payments
from payment import stripe_gateway


@method_decorator(csrf_exempt, name="dispatch")  # Stripe signs its requests instead
class StripeWebhookView(View):
    """Stripe's events: verified on the raw body, stored once, processed after commit."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        if not stripe_gateway.is_configured():
            return HttpResponseBadRequest("Stripe is not configured.")
        try:
            event = stripe_gateway.webhook_event_construct(
                payload=request.body, signature=request.headers.get("Stripe-Signature", "")
            )
        except stripe_gateway.WebhookInvalid:
            return HttpResponseBadRequest("Invalid Stripe signature.")
        _stored, created = payments.stripe_event_record(event=event)
        # 200 for a redelivery too: Stripe stops retrying an event we already hold.
        return JsonResponse({"received": True, "duplicate": not created})


class CardPaymentStartView(ShopperOrderMixin, View):
    """The order page's "pay by card" button: off to Stripe's hosted page."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        order = self.get_order()  # 404 unless the token in the address matches
        try:
            url = payments.card_checkout_start(order=order)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(selectors.order_page_path(order))
        return HttpResponseRedirect(url)


class CardPaymentReturnView(View):
    """Where Stripe sends the shopper back (``?session_id=``): settle now if paid."""

    http_method_names = ["get"]

    def get(self, request, *args, **kwargs):
        session_id = request.GET.get("session_id", "")
        order = payments.order_for_card_session(session_id=session_id) if session_id else None
        if order is None or not stripe_gateway.is_configured():
            raise Http404
        try:
            session = stripe_gateway.checkout_session_retrieve(session_id)
        except stripe_gateway.GatewayError:
            messages.warning(
                request,
                _(
                    "We could not check your card payment just now. This page shows it as "
                    "soon as Stripe confirms it."
                ),
            )
            return redirect(selectors.order_page_path(order))
        if (session.get("metadata") or {}).get("order_number") != order.number:
            raise Http404
        if session.get("payment_status") == "paid":
            payments.card_session_settle(session=session)
            if order.fulfilments.filter(payment_status=statuses.PAYMENT_PAID).exists():
                messages.success(request, _("Thank you: your card payment is received."))
            else:  # Stripe's amount or currency did not match: staff look before it ships
                messages.warning(
                    request,
                    _(
                        "Stripe took a payment we could not match to this order; we are "
                        "checking it and will contact you."
                    ),
                )
        elif session.get("status") == "expired":
            payments.card_session_expire(session=session)
            messages.error(
                request, _("The time to pay by card ran out, so this order was cancelled.")
            )
        else:
            messages.info(
                request,
                _(
                    "Your card payment is not confirmed yet. This page shows it as soon as "
                    "Stripe confirms it."
                ),
            )
        return redirect(selectors.order_page_path(order))
