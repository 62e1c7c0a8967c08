"""Console URLs (see cooperatives/console/__init__.py): the inbox, the order card, actions.

Included by ``manager_urls`` at ``/quan-ly/<cooperative_slug>/don-hang/`` inside the
``manager`` namespace, so no ``app_name`` here.
"""

from django.urls import path

from cooperatives.console import orders

urlpatterns: list = [
    path("", orders.OrderListView.as_view(), name="orders"),
    path("nhieu-don/", orders.OrdersBulkView.as_view(), name="orders-bulk"),
    path("<int:pk>/", orders.OrderDetailView.as_view(), name="order-detail"),
    path("<int:pk>/da-nhan-tien/", orders.PaymentReceivedView.as_view(), name="payment-received"),
    path("<int:pk>/<slug:action>/", orders.OrderActionView.as_view(), name="order-action"),
]
