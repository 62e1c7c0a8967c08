"""Card payment by Stripe Checkout; included at ``payments/stripe/`` in ``shop/urls.py``."""

from django.urls import path

from checkout import stripe_views

app_name = "stripe"
urlpatterns = [
    path("webhook/", stripe_views.StripeWebhookView.as_view(), name="webhook"),
    path("return/", stripe_views.CardPaymentReturnView.as_view(), name="return"),
    path(
        "pay/<str:number>/<str:token>/",
        stripe_views.CardPaymentStartView.as_view(),
        name="pay",
    ),
]
