import functools

from django.core.signing import BadSignature, Signer
from oscar.apps.basket.middleware import BasketMiddleware as CoreBasketMiddleware

from basket.models import Basket, Line
from basket.offers import Applicator
from shop.joined_select import JoinedSelect


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
        """A guest's basket read with its lines, in one query.

        Adding reads the stored lines (``basket_without_offers``); every other page
        that looks at the basket reads them priced (``Basket.PRICED``), and whether the
        basket holds vouchers, which oscar's offers and checkout ask with a query each.
        A signed-in shopper's cookie basket is merged into theirs: oscar's read.
        """
        if cookie_key not in request.COOKIES or request.user.is_authenticated:
            return super().get_cookie_basket(cookie_key, request, manager)
        try:
            basket_id = int(Signer().unsign(request.COOKIES[cookie_key]))
        except (BadSignature, ValueError):
            return super().get_cookie_basket(cookie_key, request, manager)  # drops the cookie
        offers_wanted = getattr(request, "basket_offers_wanted", True)
        read = (_priced_lines if offers_wanted else _stored_lines)()([basket_id, Basket.OPEN])
        if not read:  # an empty basket, or none: oscar's own read tells which
            return super().get_cookie_basket(cookie_key, request, manager)
        basket = read[0].basket
        if offers_wanted:
            basket.keep_priced_lines(read)
            if not read[0].basket_has_vouchers:
                basket.keep_no_vouchers()
        else:
            basket.keep_stored_lines(read)
        return basket


# A guest's basket: open, and no one's.
GUEST = "{}.basket_id = %s AND {basket}.owner_id IS NULL AND {basket}.status = %s"


@functools.cache
def _stored_lines() -> JoinedSelect:
    return JoinedSelect(Line, ["basket"], GUEST, shared=["basket"])


@functools.cache
def _priced_lines() -> JoinedSelect:
    vouchers = Basket.vouchers.through._meta.db_table
    held = f"EXISTS (SELECT 1 FROM {vouchers} WHERE basket_id = {{}}.basket_id)"  # noqa: S608
    return JoinedSelect(
        Line,
        ["basket", *Basket.PRICED],
        GUEST,
        extra={"basket_has_vouchers": held},
        shared=["basket"],
    )
