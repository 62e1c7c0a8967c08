from oscar.apps.basket.middleware import BasketMiddleware as CoreBasketMiddleware


def basket_without_offers(request) -> None:
    """Say, before the basket is first read, that this request only writes to it.

    Oscar works out the basket's offers whenever a request first reads it: the vouchers
    and the site's offers (two queries) and every offer tried on every line. Adding a
    product needs none of it (the basket page and checkout work them out on the lines
    they read); the offers are then applied by whoever asks for them
    (``Applicator().apply``), as after any change.
    """
    request.basket_offers_wanted = False


class BasketMiddleware(CoreBasketMiddleware):
    def apply_offers_to_basket(self, request, basket):
        if getattr(request, "basket_offers_wanted", True):
            super().apply_offers_to_basket(request, basket)
