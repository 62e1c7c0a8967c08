"""Console URLs (see cooperatives/console/__init__.py): the cooperative's numbers."""

from django.urls import path

from cooperatives.console import reports

urlpatterns: list = [
    path("", reports.ReportsView.as_view(), name="reports"),
    path("don-hang.csv", reports.OrdersCsvView.as_view(), name="orders-csv"),
]
