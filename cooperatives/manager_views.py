"""The manager console's product pages: thin views over catalogue services.

Every view goes through CooperativeManagerMixin, so it only ever sees the
cooperative named in the URL, and only for that cooperative's managers and staff.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from catalogue import services as catalogue_services
from catalogue.models import Product, ProductImage
from cooperatives.manager import CooperativeManagerMixin
from cooperatives.manager_forms import ProductImageForm, ProductManageForm
from cooperatives.selectors import (
    cooperatives_managed_by,
    product_form_initial,
    products_managed,
)


class ConsoleHomeView(LoginRequiredMixin, TemplateView):
    """Sends a manager to their cooperative; lets staff and multi-cooperative managers choose."""

    template_name = "cooperatives/manager/home.html"

    def get(self, request, *args, **kwargs):
        managed = list(cooperatives_managed_by(user=request.user))
        if not managed:
            raise PermissionDenied(_("You do not manage a cooperative."))
        if len(managed) == 1:
            return redirect("manager:product-list", cooperative_slug=managed[0].slug)
        return self.render_to_response({"cooperatives": managed})


class ProductListView(CooperativeManagerMixin, ListView):
    template_name = "cooperatives/manager/product_list.html"
    context_object_name = "products"
    paginate_by = 25

    def get_queryset(self):
        return products_managed(cooperative=self.cooperative, query=self.request.GET.get("q", ""))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(console_section="products", query=self.request.GET.get("q", ""))
        return ctx


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, beside the field it names if it has it."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def form_to_fields(data: dict, changed: list[str] | None = None) -> dict:
    """The service arguments of a ProductManageForm's cleaned data.

    With ``changed`` (an edit), the description and categories are passed only if
    the manager changed them: the plain-text form would flatten rich HTML written
    by staff, and an untouched list must not drop categories set elsewhere.
    """
    editable = catalogue_services.PRODUCT_FIELDS - {"description", "is_public"}
    fields = {key: data[key] for key in editable}
    for key in (
        "price",
        "num_in_stock",
        "harvest_months",
        "origin_province_code",
        "origin_commune_code",
    ):
        fields[key] = data[key]
    if changed is None or "description" in changed:
        fields["description"] = catalogue_services.description_html(data["description"])
    if changed is None or "categories" in changed:
        fields["categories"] = list(data["categories"])
    return fields


class ProductCreateView(CooperativeManagerMixin, FormView):
    template_name = "cooperatives/manager/product_form.html"

    def get_form(self, form_class=None):
        return ProductManageForm(cooperative=self.cooperative, **self.get_form_kwargs())

    def form_valid(self, form):
        data = form.cleaned_data
        fields = form_to_fields(data)
        try:
            product = catalogue_services.product_create(
                cooperative=self.cooperative,
                sku=data["sku"],
                image=data.get("photo"),
                **fields,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("“%(title)s” is listed.") % {"title": product.title})
        return redirect(
            "manager:product-update", cooperative_slug=self.cooperative.slug, pk=product.pk
        )

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["console_section"] = "products"
        return ctx


class ManagedProductMixin(CooperativeManagerMixin):
    """``self.product``: one of this cooperative's products, or 404."""

    @cached_property
    def product(self) -> Product:
        return get_object_or_404(
            Product.objects.filter(cooperative=self.cooperative), pk=self.kwargs["pk"]
        )

    def product_url(self, product: Product) -> str:
        return reverse(
            "manager:product-update",
            kwargs={"cooperative_slug": self.cooperative.slug, "pk": product.pk},
        )


class ProductUpdateView(ManagedProductMixin, FormView):
    template_name = "cooperatives/manager/product_form.html"

    def get_form(self, form_class=None):
        return ProductManageForm(
            cooperative=self.cooperative, with_photo=False, **self.get_form_kwargs()
        )

    def get_initial(self):
        return product_form_initial(cooperative=self.cooperative, product=self.product)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            catalogue_services.product_update(
                cooperative=self.cooperative,
                product=self.product,
                sku=data["sku"] or None,
                **form_to_fields(data, changed=form.changed_data),
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Saved."))
        return redirect(self.product_url(self.product))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(
            console_section="products",
            product=self.product,
            images=self.product.images.order_by("display_order", "pk"),
            image_form=ProductImageForm(),
        )
        return ctx


class ProductVisibilityView(ManagedProductMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        product = self.product
        is_public = request.POST.get("is_public") == "1"
        catalogue_services.product_visibility_set(
            cooperative=self.cooperative, product=product, is_public=is_public
        )
        if is_public:
            messages.success(request, _("“%(title)s” is on sale again.") % {"title": product.title})
        else:
            messages.success(
                request, _("“%(title)s” is hidden from the shop.") % {"title": product.title}
            )
        return redirect(self.product_url(product))


class ProductImageAddView(ManagedProductMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        product = self.product
        form = ProductImageForm(request.POST, request.FILES)
        if form.is_valid():
            catalogue_services.product_image_add(
                cooperative=self.cooperative, product=product, upload=form.cleaned_data["photo"]
            )
            messages.success(request, _("Photo added."))
        else:
            for error in form.errors.get("photo", []):
                messages.error(request, error)
        return redirect(self.product_url(product))


class ManagedImageMixin(ManagedProductMixin):
    def get_image(self) -> ProductImage:
        return get_object_or_404(
            ProductImage.objects.filter(
                product__cooperative=self.cooperative, product_id=self.kwargs["pk"]
            ),
            pk=self.kwargs["image_pk"],
        )


class ProductImageDeleteView(ManagedImageMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        image = self.get_image()
        catalogue_services.product_image_remove(cooperative=self.cooperative, image=image)
        messages.success(request, _("Photo removed."))
        return redirect(self.product_url(image.product))


class ProductImageMoveView(ManagedImageMixin, View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        image = self.get_image()
        offset = -1 if request.POST.get("direction") == "up" else 1
        catalogue_services.product_image_move(
            cooperative=self.cooperative, image=image, offset=offset
        )
        return redirect(self.product_url(image.product))
