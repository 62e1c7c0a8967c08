import oscar.apps.checkout.apps as apps
from django.urls import path


class CheckoutConfig(apps.CheckoutConfig):
    """Oscar's checkout, forked for one phone-first delivery step and per-cooperative parts."""

    name = "checkout"

    def get_urls(self):
        from checkout import views

        urls = [
            path("", views.DeliveryView.as_view(), name="index"),
            path("xem-lai/", views.PreviewView.as_view(), name="preview"),
            path("thank-you/", views.ThankYouView.as_view(), name="thank-you"),
            path("shipping-address/", views.StepRedirectView.as_view(), name="shipping-address"),
            path("shipping-method/", views.StepRedirectView.as_view(), name="shipping-method"),
            path("payment-method/", views.StepRedirectView.as_view(), name="payment-method"),
            path("payment-details/", views.StepRedirectView.as_view(), name="payment-details"),
            path(
                "user-address/edit/<int:pk>/",
                views.UserAddressUpdateView.as_view(),
                name="user-address-update",
            ),
            path(
                "user-address/delete/<int:pk>/",
                views.UserAddressDeleteView.as_view(),
                name="user-address-delete",
            ),
        ]
        return self.post_process_urls(urls)
