"""The manager console's spreadsheet import and export of products: thin views.

Every view goes through CooperativeManagerMixin, and imports are looked up among
the cooperative's own, so another cooperative's import is a 404.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import DetailView, FormView

from cooperatives.manager import CooperativeManagerMixin
from cooperatives.models import ProductImport
from cooperatives.services import product_import as import_services


class ProductImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Spreadsheet"),
        help_text=gettext_lazy("An Excel workbook (.xlsx) or a CSV file saved as “CSV UTF-8”."),
        widget=forms.FileInput(
            attrs={
                "class": "form-control-file",
                "accept": ".xlsx,.csv,text/csv,"
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            }
        ),
    )


class ImportScopeMixin(CooperativeManagerMixin):
    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["console_section"] = "import"
        return ctx

    def get_import(self) -> ProductImport:
        return get_object_or_404(
            ProductImport.objects.filter(cooperative=self.cooperative), pk=self.kwargs["import_pk"]
        )


class ProductImportView(ImportScopeMixin, FormView):
    """Upload a spreadsheet; it is checked in full (a dry run) before anything is written."""

    template_name = "cooperatives/manager/product_import.html"
    form_class = ProductImportForm

    def form_valid(self, form):
        try:
            product_import = import_services.product_import_prepare(
                cooperative=self.cooperative,
                user=self.request.user,
                uploaded_file=form.cleaned_data["file"],
            )
        except ValidationError as error:
            form.add_error("file", error)
            return self.form_invalid(form)
        return redirect(
            "manager:product-import-detail",
            cooperative_slug=self.cooperative.slug,
            import_pk=product_import.pk,
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        limits = import_services.import_limits()
        ctx.update(
            columns=import_services.COLUMNS,
            max_size=filesizeformat(limits["max_bytes"]),
            max_rows=limits["max_rows"],
            recent_imports=ProductImport.objects.filter(cooperative=self.cooperative)[:10],
        )
        return ctx


class ProductImportDetailView(ImportScopeMixin, DetailView):
    """The dry-run report, the progress while applying, and the result."""

    template_name = "cooperatives/manager/product_import_detail.html"
    context_object_name = "product_import"

    def get_object(self, queryset=None):
        return self.get_import()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        product_import = self.object
        processed = import_services.product_import_progress(product_import=product_import)
        total = product_import.total_rows
        report = product_import.report or {}
        ctx.update(
            report=report,
            processed_rows=processed,
            percent=int(processed * 100 / total) if total else 0,
            more_creates=max(report.get("create_count", 0) - len(report.get("create", [])), 0),
            more_updates=max(report.get("update_count", 0) - len(report.get("update", [])), 0),
            more_errors=max(report.get("error_count", 0) - len(report.get("errors", [])), 0),
        )
        return ctx


class ProductImportApplyView(ImportScopeMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        product_import = self.get_import()
        if import_services.product_import_start(product_import=product_import):
            product_import.refresh_from_db()
            if product_import.status == ProductImport.DONE:
                messages.success(request, _("The import is applied."))
            elif product_import.status == ProductImport.INVALID:
                messages.error(
                    request, _("The products changed since the check; see the errors below.")
                )
            elif product_import.status == ProductImport.FAILED:
                messages.error(request, _("The import failed and nothing was changed."))
            else:
                messages.info(request, _("The import has started; this page shows its progress."))
        else:
            messages.warning(request, _("This import cannot be applied (again)."))
        return redirect(
            "manager:product-import-detail",
            cooperative_slug=self.cooperative.slug,
            import_pk=product_import.pk,
        )


class ProductExportView(CooperativeManagerMixin, View):
    """The cooperative's products in the import's columns (``?format=csv`` or ``xlsx``)."""

    http_method_names = ["get", "head"]

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("format", ProductImport.CSV)
        if fmt not in import_services.CONTENT_TYPES:
            return HttpResponseBadRequest(_("Choose CSV or XLSX."))
        content, content_type, filename = import_services.product_export(
            cooperative=self.cooperative, fmt=fmt
        )
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response
