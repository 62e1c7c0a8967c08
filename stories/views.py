"""Wagtail admin choosers that let editors pick shop data (products, cooperatives) into pages.

Shop data enters a story by reference, never copied (STYLE §4): a block stores the
product's id and renders today's price and stock.
"""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.views.generic.chooser import ChooseResultsView, ChooseView
from wagtail.admin.viewsets.chooser import ChooserViewSet

from catalogue.models import Product
from cooperatives.models import Cooperative


class TitleSearchForm(BaseFilterForm):
    """A search box for models outside Wagtail's search index: words in the name, any order."""

    search_fields: tuple[str, ...] = ()

    q = forms.CharField(
        label=_("Search term"),
        widget=forms.TextInput(attrs={"placeholder": _("Search")}),
        required=False,
    )

    def filter(self, objects):
        objects = super().filter(objects)
        query = self.cleaned_data.get("q", "")
        for word in query.split():
            condition = Q()
            for field in self.search_fields:
                condition |= Q(**{f"{field}__icontains": word})
            objects = objects.filter(condition)
        if query:
            self.is_searching = True
            self.search_query = query
        return objects


class ProductSearchForm(TitleSearchForm):
    search_fields = ("title", "upc", "cooperative__name")


class CooperativeSearchForm(TitleSearchForm):
    search_fields = ("name", "province_name")


class ProductChooseView(ChooseView):
    filter_form_class = ProductSearchForm


class ProductChooseResultsView(ChooseResultsView):
    filter_form_class = ProductSearchForm


class ProductChooserViewSet(ChooserViewSet):
    """Pick a product a shopper can buy; ``?cooperative=<id>`` narrows to one cooperative."""

    model = Product
    icon = "pick"
    choose_one_text = _("Choose a product")
    choose_another_text = _("Choose another product")
    edit_item_text = _("Edit this product")
    url_filter_parameters = ["cooperative"]
    preserve_url_parameters = ["multiple", "cooperative"]
    choose_view_class = ProductChooseView
    choose_results_view_class = ProductChooseResultsView
    # Products are edited in oscar's dashboard and the manager console, not here.
    register_widget = False

    def get_object_list(self):
        return (
            Product.objects.browsable()
            .select_related("cooperative")
            .order_by("cooperative__name", "title")
        )


class CooperativeChooseView(ChooseView):
    filter_form_class = CooperativeSearchForm


class CooperativeChooseResultsView(ChooseResultsView):
    filter_form_class = CooperativeSearchForm


class CooperativeChooserViewSet(ChooserViewSet):
    """Pick an active cooperative for a cooperative card."""

    model = Cooperative
    icon = "group"
    choose_one_text = _("Choose a cooperative")
    choose_another_text = _("Choose another cooperative")
    choose_view_class = CooperativeChooseView
    choose_results_view_class = CooperativeChooseResultsView
    register_widget = False

    def get_object_list(self):
        return Cooperative.objects.filter(is_active=True).order_by("name")


product_chooser_viewset = ProductChooserViewSet("product_chooser")
cooperative_chooser_viewset = CooperativeChooserViewSet("cooperative_chooser")
