from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from cooperatives import selectors


class CooperativeListView(ListView):
    template_name = "cooperatives/cooperative_list.html"
    context_object_name = "cooperatives"
    paginate_by = 24

    def get_queryset(self):
        return selectors.cooperatives_public()


class CooperativeDetailView(DetailView):
    """A cooperative's public profile and its products."""

    template_name = "cooperatives/cooperative_detail.html"
    context_object_name = "cooperative"

    def get_object(self, queryset=None):
        return get_object_or_404(selectors.cooperatives_public(), slug=self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        products = selectors.cooperative_products(cooperative=self.object)
        ctx["page_obj"] = Paginator(products, settings.OSCAR_PRODUCTS_PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        ctx["paginator"] = ctx["page_obj"].paginator
        ctx["products"] = ctx["page_obj"].object_list
        return ctx
