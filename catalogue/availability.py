"""What the shop tells shoppers about stock, and when an order changes it.

Oscar's product page says "In stock (243 available)": every order changed every page
showing its products, so each order had to throw the page cache away, and a shop
taking orders all day would render its pages afresh all day. Shoppers need the count
only when it is low. Above ``LOW_STOCK_SHOWN`` units the page says "In stock"; at or
below it, how many are left; at none, that the product is sold out. An order then
changes what pages show only when it leaves ``LOW_STOCK_SHOWN`` units or fewer.

What is charged never comes from a page: the basket and the checkout read live stock.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Few enough that "only 10 left" is worth telling; a cooperative's batch of honey or
# tea is often a few dozen jars.
LOW_STOCK_SHOWN = 10


def availability_message(availability) -> str:
    """The line a product page and a basket line show for oscar's ``availability``."""
    available = getattr(availability, "num_available", None)
    if available is None:  # not counted: oscar's "Available" or "Unavailable"
        return str(availability.message)
    if available <= 0:
        return _("Sold out")
    if available <= LOW_STOCK_SHOWN:
        return ngettext("Only %(count)d left", "Only %(count)d left", available) % {
            "count": available
        }
    return _("In stock")


def held_stock_covers(quantity: int) -> bool:
    """Whether stock read before the last orders (a product a web process holds) can
    tell that ``quantity`` units of it are in stock.

    A held product is thrown away whenever an order leaves ``LOW_STOCK_SHOWN`` units or
    fewer (``stock_allocated``), so while it is held more than that many are left, or
    as many as it says: a line of at most that many is surely in stock. A bigger one is
    to be checked against the stock as it is now.
    """
    return quantity <= LOW_STOCK_SHOWN


def stock_allocated(*, left: int) -> None:
    """An order took stock, leaving ``left`` units to sell: keep pages true.

    Pages show a count only at ``LOW_STOCK_SHOWN`` units or fewer, so only then do they
    change; they are thrown away once the order commits, as on any other change.
    """
    if left <= LOW_STOCK_SHOWN:
        from shop.page_cache import pages_invalidate

        transaction.on_commit(pages_invalidate)
