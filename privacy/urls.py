from django.urls import path

from privacy import views

app_name = "privacy"
# Mounted under /shop/accounts/: "profile/delete/" takes over oscar's own view, which
# deletes the user outright.
urlpatterns = [
    path("profile/delete/", views.account_erase, name="erase"),
    path("profile/du-lieu/", views.data_export, name="export"),
]
