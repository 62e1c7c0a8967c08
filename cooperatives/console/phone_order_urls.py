"""Console URLs (see cooperatives/console/__init__.py): orders taken by phone or Zalo."""

from django.urls import path

from cooperatives.console import phone_orders

urlpatterns: list = [
    path("", phone_orders.PhoneOrderView.as_view(), name="phone-order"),
]
