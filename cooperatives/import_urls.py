"""Spreadsheet import and export of products in the manager console.

Included by ``cooperatives/manager_urls.py`` at ``<cooperative_slug>/san-pham/``, inside
the ``manager`` namespace, so there is no ``app_name`` here.
"""

from django.urls import path

from cooperatives import import_views

urlpatterns = [
    path("nhap/", import_views.ProductImportView.as_view(), name="product-import"),
    path(
        "nhap/<int:import_pk>/",
        import_views.ProductImportDetailView.as_view(),
        name="product-import-detail",
    ),
    path(
        "nhap/<int:import_pk>/ap-dung/",
        import_views.ProductImportApplyView.as_view(),
        name="product-import-apply",
    ),
    path("xuat/", import_views.ProductExportView.as_view(), name="product-export"),
]
