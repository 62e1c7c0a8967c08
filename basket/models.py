from oscar.apps.basket.abstract_models import AbstractBasket
from oscar.apps.offer.results import OfferApplications


class Basket(AbstractBasket):
    """Oscar's basket whose lines come with what pricing and ordering them reads.

    Oscar's strategy prices a line from ``product.stockrecords.all()[0]`` and asks the
    product class whether stock is tracked, so without these every line of the basket
    page cost three queries more (two stock-record reads and its product class); placing
    the order reads each stock record's partner, and the checkout each product's
    cooperative. The stock records are read with the lines, in the same request, so
    prices stay live. Product photos are only shown on the basket page, which fetches
    them itself (``basket.views.BasketView``).
    """

    def all_lines(self):
        if self.id is None:
            return self.lines.model.objects.none()
        if self._lines is None:
            self._lines = (
                self.lines.select_related(
                    "product__product_class",
                    "product__parent__product_class",
                    "product__cooperative",
                    "stockrecord__partner",
                )
                .prefetch_related("attributes", "product__stockrecords")
                .order_by(self._meta.pk.name)
            )
        return self._lines

    def lines_loaded(self) -> bool:
        """Whether this request has already read the lines (and holds them)."""
        return self._lines is not None and self._lines._result_cache is not None

    @property
    def num_lines(self):
        # Oscar counts with a query, and the basket middleware asks (``is_empty``) before
        # anything else; every request that looks at the basket goes on to read its lines
        # (the header's count, prices, offers), so read them once and count those.
        return len(self.all_lines())

    def add_product(self, product, quantity=1, options=None):
        """Oscar's, keeping the lines this request has read in step with the one it wrote.

        Oscar reads the lines (its currency check), writes one, then drops them all, and
        its "your basket total is now" message reads them again: three queries more per
        addition. Here the line written joins the lines already read (or its copy among
        them takes the new quantity), and the next ``reset_offer_applications`` (oscar's
        fresh look at offers after an addition) keeps them, with their discounts cleared.
        The lines are still this request's reads of the database, as are their prices.
        """
        if not self.id:
            self.save()
        lines = self.all_lines()
        kept = list(lines)  # the read oscar's currency check makes anyway
        line, created = super().add_product(product, quantity, options)
        for old in kept:
            if old.pk == line.pk:
                old.quantity = line.quantity
                old.date_updated = line.date_updated
                break
        else:  # a new line (or one another request wrote since the read)
            kept.append(line)
        for old in kept:  # offers are worked out afresh on them, as on a fresh read
            old.clear_discount()
        lines._result_cache = kept
        self._lines = self._lines_in_step = lines
        self.__dict__.pop("_chophien_parts", None)  # cooperatives.basket's, of the old lines
        return line, created

    add_product.alters_data = True
    add = add_product

    def reset_offer_applications(self):
        if self._lines is not None and self._lines is getattr(self, "_lines_in_step", None):
            # Lines just brought in step by ``add_product``: only their discounts go.
            self._lines_in_step = None
            self.__dict__.pop("_chophien_parts", None)
            self.offer_applications = OfferApplications()
            for line in self._lines:
                line.clear_discount()
            return
        super().reset_offer_applications()

    def product_quantity(self, product):
        """How many of ``product`` the basket holds: from the lines read in this request."""
        if self.lines_loaded():
            return sum(line.quantity for line in self._lines if line.product_id == product.pk)
        return super().product_quantity(product)


from oscar.apps.basket.models import *  # noqa: E402,F403
