from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from cooperatives import selectors


class CooperativeListView(ListView):
    """All active cooperatives, optionally those of one province."""

    template_name = "cooperatives/cooperative_list.html"
    context_object_name = "cooperatives"
    paginate_by = 24

    def get_queryset(self):
        self.provinces = selectors.cooperative_provinces()
        wanted = self.request.GET.get("province", "")
        self.province_code = wanted if wanted in dict(self.provinces) else ""
        return selectors.cooperatives_public(province_code=self.province_code)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["provinces"] = self.provinces
        ctx["province_code"] = self.province_code
        return ctx


class CooperativeDetailView(DetailView):
    """A cooperative's public profile: its story, how to reach it, its products."""

    template_name = "cooperatives/cooperative_detail.html"
    context_object_name = "cooperative"

    def get_object(self, queryset=None):
        return get_object_or_404(selectors.cooperatives_public(), slug=self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        products = selectors.cooperative_products(cooperative=self.object)
        page = Paginator(products, settings.OSCAR_PRODUCTS_PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        ctx.update(page_obj=page, paginator=page.paginator, products=page.object_list)
        ctx["json_ld"] = selectors.cooperative_json_ld(
            cooperative=self.object,
            url=self.request.build_absolute_uri(self.object.get_absolute_url()),
        )
        return ctx
