from django.urls import path

from cooperatives import order_views

app_name = "orders"
urlpatterns = [
    path("<str:number>/<str:token>/", order_views.OrderDetailView.as_view(), name="detail"),
    path(
        "<str:number>/<str:token>/huy/<int:fulfilment_id>/",
        order_views.FulfilmentCancelView.as_view(),
        name="cancel-part",
    ),
]
