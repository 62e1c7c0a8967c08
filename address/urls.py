from django.urls import path

from address import views

app_name = "address"
urlpatterns = [path("xa/", views.commune_options, name="communes")]
