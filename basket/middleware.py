from django.core.signing import BadSignature, Signer
from oscar.apps.basket.middleware import BasketMiddleware as CoreBasketMiddleware

from basket.models import Basket, Line
from basket.offers import Applicator


def basket_without_offers(request) -> None:
    """Say, before the basket is first read, that this request only writes to it.

    Oscar works out the basket's offers whenever a request first reads it: the vouchers
    and the site's offers (two queries) and every offer tried on every line. Adding a
    product needs none of it (the basket page and checkout work them out on the lines
    they read); the offers are then applied by whoever asks for them
    (``Applicator().apply``), as after any change. A guest's basket is then read with
    its stored lines, in one query.
    """
    request.basket_offers_wanted = False


class BasketMiddleware(CoreBasketMiddleware):
    def apply_offers_to_basket(self, request, basket):
        if getattr(request, "basket_offers_wanted", True) and not basket.is_empty:
            Applicator().apply(basket, request.user, request)

    def get_cookie_basket(self, cookie_key, request, manager):
        if getattr(request, "basket_offers_wanted", True) or cookie_key not in request.COOKIES:
            return super().get_cookie_basket(cookie_key, request, manager)
        try:
            basket_id = int(Signer().unsign(request.COOKIES[cookie_key]))
        except (BadSignature, ValueError):
            return super().get_cookie_basket(cookie_key, request, manager)  # drops the cookie
        lines = list(
            Line.objects.filter(basket_id=basket_id, basket__owner=None, basket__status=Basket.OPEN)
            .select_related("basket")
            .order_by("pk")
        )
        if not lines:  # an empty basket, or none: oscar's own read tells which
            return super().get_cookie_basket(cookie_key, request, manager)
        basket = lines[0].basket
        basket.keep_stored_lines(lines)
        return basket
