"""The manager console, mounted at ``/quan-ly/``; every page names its cooperative."""

from django.urls import include, path

from cooperatives import manager_views

app_name = "manager"
urlpatterns = [
    path("", manager_views.ConsoleHomeView.as_view(), name="home"),
    path(
        "<slug:cooperative_slug>/san-pham/",
        manager_views.ProductListView.as_view(),
        name="product-list",
    ),
    path(
        "<slug:cooperative_slug>/san-pham/them/",
        manager_views.ProductCreateView.as_view(),
        name="product-create",
    ),
    path(
        "<slug:cooperative_slug>/san-pham/<int:pk>/",
        manager_views.ProductUpdateView.as_view(),
        name="product-update",
    ),
    path(
        "<slug:cooperative_slug>/san-pham/<int:pk>/hien-thi/",
        manager_views.ProductVisibilityView.as_view(),
        name="product-visibility",
    ),
    path(
        "<slug:cooperative_slug>/san-pham/<int:pk>/anh/",
        manager_views.ProductImageAddView.as_view(),
        name="product-image-add",
    ),
    path(
        "<slug:cooperative_slug>/san-pham/<int:pk>/anh/<int:image_pk>/xoa/",
        manager_views.ProductImageDeleteView.as_view(),
        name="product-image-delete",
    ),
    path(
        "<slug:cooperative_slug>/san-pham/<int:pk>/anh/<int:image_pk>/chuyen/",
        manager_views.ProductImageMoveView.as_view(),
        name="product-image-move",
    ),
    # Order work, one URL module per area (cooperatives/console/).
    path("<slug:cooperative_slug>/don-hang/", include("cooperatives.console.order_urls")),
    path("<slug:cooperative_slug>/dat-hang-ho/", include("cooperatives.console.phone_order_urls")),
    path("<slug:cooperative_slug>/in/", include("cooperatives.console.print_urls")),
    path("<slug:cooperative_slug>/so-lieu/", include("cooperatives.console.report_urls")),
    # Spreadsheet import and export of products (cooperatives/import_urls.py).
    path("<slug:cooperative_slug>/san-pham/", include("cooperatives.import_urls")),
]
