from oscar.apps.basket.abstract_models import AbstractBasket


class Basket(AbstractBasket):
    """Oscar's basket whose lines come with what pricing them reads.

    Oscar's strategy prices a line from ``product.stockrecords.all()[0]`` and asks the
    product class whether stock is tracked, so without these every line of the basket
    page cost three queries more (two stock-record reads and its product class). The
    stock records are read with the lines, in the same request, so prices stay live.
    """

    def all_lines(self):
        if self.id is None:
            return self.lines.model.objects.none()
        if self._lines is None:
            self._lines = (
                self.lines.select_related(
                    "product__product_class",
                    "product__parent__product_class",
                    "stockrecord",
                )
                .prefetch_related("attributes", "product__images", "product__stockrecords")
                .order_by(self._meta.pk.name)
            )
        return self._lines


from oscar.apps.basket.models import *  # noqa: E402,F403
