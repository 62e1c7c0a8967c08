from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from oscar.apps.basket import views
from oscar.apps.basket.views import *  # noqa: F403

from basket.middleware import basket_without_offers
from catalogue.availability import held_stock_covers
from catalogue.selectors import product_for_basket
from catalogue.view_counts import basket_addition_record


class BasketView(views.BasketView):
    """Oscar's basket page, with the product photos its lines show read in one query."""

    def get_queryset(self):
        lines = self.request.basket.all_lines()
        # The basket's own lines (offers mark their discounts on these very objects).
        prefetch_related_objects(list(lines), "product__images")
        return lines


class BasketAddView(views.BasketAddView):
    """Oscar's add-to-basket, without working out the basket's offers twice.

    Oscar applies every offer to the basket before adding (as any first read of the
    basket does) and again after, to say "your basket total is now …" and which offers
    the basket newly qualifies for. That was most of the cost of a tap on "add": here
    the shopper is told what was added, and the basket page, which the message links
    to, shows the total and the offers worked out on live prices. Oscar also reads the
    bare product, then its class, options and stock record twice; ``product_for_basket``
    reads them at once, or has them from a request before since the last change to the
    shop.
    """

    def post(self, request, *args, **kwargs):
        basket_without_offers(request)
        self.product = product_for_basket(kwargs["pk"])
        if self.product is None:
            raise Http404
        # Oscar's own ``post`` would read the product again.
        return super(views.BasketAddView, self).post(request, *args, **kwargs)

    def form_checked_now(self):
        """The form again, on the product's stock as it is now."""
        self.product = product_for_basket(self.kwargs["pk"], fresh=True)
        if self.product is None:  # hidden meanwhile
            raise Http404
        return self.get_form()

    def get_success_message(self, form):
        # Oscar renders a template for this line; formatted here it costs a tenth as much
        # of a request that is all about being quick. The translations are the template's.
        quantity = form.cleaned_data["quantity"]
        values = {"title": escape(form.product.get_title()), "quantity": quantity}
        if quantity == 1:
            added = _("<strong>%(title)s</strong> has been added to your basket.")
        else:
            added = _(
                "<strong>%(quantity)s</strong> of <strong>%(title)s</strong> have been added "
                "to your basket."
            )
        added = mark_safe(added % values)  # noqa: S308 (our own text, its values escaped)
        return format_html(
            '{} <a href="{}">{}</a>', added, reverse("basket:summary"), _("View basket")
        )

    def form_valid(self, form):
        basket = self.request.basket
        quantity = form.cleaned_data["quantity"]
        if not held_stock_covers(quantity) and not basket.product_quantity(form.product):
            # A new line; adding to a line is checked by its UPDATE (Basket.add_product).
            form = self.form_checked_now()
            if not form.is_valid():
                return self.form_invalid(form)
        for attempt in (1, 2):
            try:
                self.line, self.line_created = basket.add_product(
                    form.product,
                    form.cleaned_data["quantity"],
                    form.cleaned_options(),
                    checked=True,
                )
                break
            except basket.LinesChanged:
                if attempt == 2:
                    form.add_error(None, _("Your basket changed meanwhile; please try again."))
                    return self.form_invalid(form)
                # Another tap or tab added meanwhile, or less is in stock than the product
                # this process holds says: check the stock and the basket's limit again
                # on what is stored and in stock now, and add once more.
                form = self.form_checked_now()
                if not form.is_valid():
                    return self.form_invalid(form)
        messages.success(self.request, self.get_success_message(form), extra_tags="safe noicon")
        # Instead of oscar's ``basket_addition``, whose analytics receiver UPDATEs a counter
        # in the request: counted in Redis and written in batches (catalogue/view_counts.py).
        basket_addition_record(product_id=form.product.pk, user_id=self.request.user.pk)
        return HttpResponseRedirect(self.get_success_url())
