"""Shopper-facing catalogue views: oscar's product page, ORM-backed lists."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import InvalidPage
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView
from oscar.apps.catalogue.views import ProductDetailView as CoreProductDetailView

from catalogue import selectors
from catalogue.forms import ProductBrowseForm
from catalogue.models import Category
from catalogue.view_counts import product_view_record


class ProductDetailView(CoreProductDetailView):
    """Oscar's product page, with the cooperative, certifications and related products."""

    def get_queryset(self):
        return selectors.products_for_detail()

    def is_viewable(self, product, request):
        # A paused cooperative sells nothing, even to a shopper with an old link.
        if product.cooperative_id and not product.cooperative.is_active:
            return request.user.is_staff
        return super().is_viewable(product, request)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["related_products"] = selectors.products_related(product=self.object)
        return ctx

    def send_signal(self, request, response, product):
        # Instead of oscar's ``product_viewed``: its analytics receiver UPDATEs a counter
        # row on every view, and its history receiver sets a "recently viewed" cookie
        # on every product page, which makes the page differ per visitor and so
        # uncacheable (shop/page_cache.py). The view is counted in Redis instead; the
        # cached page counts it too (``product_page_hit``).
        product_page_hit(request, product_id=product.pk)


def product_page_hit(request, *, product_id: int) -> None:
    """Count a view of a product page, rendered or served from the page cache."""
    user = request.user
    product_view_record(product_id=product_id, user_id=user.pk if user.is_authenticated else None)


class CatalogueView(ListView):
    """All products, or those matching the shopper's words; replaces oscar's haystack view."""

    template_name = "oscar/catalogue/browse.html"
    context_object_name = "products"

    def get_paginate_by(self, queryset):
        return settings.OSCAR_PRODUCTS_PER_PAGE  # read per request: tests override it

    def get(self, request, *args, **kwargs):
        self.form = ProductBrowseForm(request.GET, **selectors.browse_choices())
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            messages.error(request, _("The given page number was invalid."))
            return redirect(self.first_page_url())

    def paginate_queryset(self, queryset, page_size):
        try:
            return super().paginate_queryset(queryset, page_size)
        except InvalidPage as error:
            raise Http404(str(error)) from error

    def first_page_url(self) -> str:
        params = self.request.GET.copy()
        params.pop("page", None)
        return f"{self.request.path}?{params.urlencode()}" if params else self.request.path

    def get_queryset(self):
        return selectors.products_for_browse(filters=self.filters())

    def filters(self) -> selectors.BrowseFilters:
        return self.form.filters()

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        query = self.filters().query
        ctx["form"] = self.form
        ctx["query"] = query
        ctx["summary"] = (
            _("Products matching “%(query)s”") % {"query": query} if query else _("All products")
        )
        return ctx


class ProductCategoryView(CatalogueView):
    """Products of one category and its subcategories."""

    template_name = "oscar/catalogue/category.html"

    def get(self, request, *args, **kwargs):
        self.category = get_object_or_404(Category, pk=kwargs["pk"])
        if not (self.category.is_public or request.user.is_staff):
            raise Http404()
        if self.category.get_absolute_url() != request.path:
            # Categories are found by primary key so that renamed ones keep their links.
            return HttpResponsePermanentRedirect(self.category.get_absolute_url())
        return super().get(request, *args, **kwargs)

    def filters(self) -> selectors.BrowseFilters:
        return self.form.filters(category=self.category)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["category"] = self.category
        ctx["summary"] = self.category.name
        return ctx
