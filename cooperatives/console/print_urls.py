"""Console URLs (see cooperatives/console/__init__.py): packing slips and the pick list."""

from django.urls import path

from cooperatives.console import printing

urlpatterns: list = [
    path("phieu-giao/<int:pk>/", printing.PackingSlipView.as_view(), name="packing-slip"),
    path("soan-hang/", printing.PickListView.as_view(), name="pick-list"),
]
