from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404
from oscar.apps.basket import views
from oscar.apps.basket.views import *  # noqa: F403

from catalogue.selectors import products_for_basket


class BasketView(views.BasketView):
    """Oscar's basket page, with the product photos its lines show read in one query."""

    def get_queryset(self):
        lines = self.request.basket.all_lines()
        # The basket's own lines (offers mark their discounts on these very objects).
        prefetch_related_objects(list(lines), "product__images")
        return lines


class BasketAddView(views.BasketAddView):
    """Oscar's add-to-basket, reading the product with its class, option flags and stock.

    Oscar reads the bare product, then its class, whether it has options, and its stock
    record twice (once to check the quantity, once to price the line): four queries
    that ``products_for_basket`` makes one. The stock records are read in this request,
    so the line is priced from live stock.
    """

    def post(self, request, *args, **kwargs):
        self.product = get_object_or_404(products_for_basket(), pk=kwargs["pk"])
        # Oscar's own ``post`` would read the product again.
        return super(views.BasketAddView, self).post(request, *args, **kwargs)
