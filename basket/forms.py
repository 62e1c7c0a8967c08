from oscar.apps.basket.forms import *  # noqa: F403
from oscar.apps.basket.forms import AddToBasketForm as CoreAddToBasketForm
from oscar.apps.basket.forms import SimpleAddToBasketMixin


class AddToBasketForm(CoreAddToBasketForm):
    """Oscar's add-to-basket form, which reads a product's options only if it has any.

    Oscar lists the options again after checking that there are none: a query on
    every addition, for products that (here) never have options.
    """

    def cleaned_options(self):
        if not self.parent_product.has_options:
            return []
        return super().cleaned_options()


class SimpleAddToBasketForm(SimpleAddToBasketMixin, AddToBasketForm):
    pass
