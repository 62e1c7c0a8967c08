from django.db.models import F
from django.db.models.functions import Coalesce
from oscar.apps.order.utils import *  # noqa: F401,F403
from oscar.apps.order.utils import OrderCreator as CoreOrderCreator

from order.exceptions import OutOfStock


class OrderCreator(CoreOrderCreator):
    """Oscar's order creator, allocating stock only where stock is left.

    Oscar adds to ``num_allocated`` unconditionally, so two shoppers checking out the
    last jar at once would both get it. Here the allocation is one conditional UPDATE:
    the database applies it only while ``num_in_stock - num_allocated`` covers the
    quantity, so of any number of concurrent orders exactly the units in stock are
    sold. A refused allocation raises ``OutOfStock`` inside oscar's transaction and
    the whole order rolls back.
    """

    def update_stock_records(self, line):
        product = line.product
        stockrecord = line.stockrecord
        if not product.get_product_class().track_stock or stockrecord is None:
            return
        if stockrecord.num_in_stock is None:  # oscar's "stock not counted"
            return
        allocated = Coalesce(F("num_allocated"), 0)
        updated = (
            type(stockrecord)
            .objects.filter(pk=stockrecord.pk, num_in_stock__gte=allocated + line.quantity)
            .update(num_allocated=allocated + line.quantity)
        )
        if not updated:
            stockrecord.refresh_from_db(fields=["num_in_stock", "num_allocated"])
            raise OutOfStock(
                product=product,
                available=stockrecord.num_in_stock - (stockrecord.num_allocated or 0),
                wanted=line.quantity,
            )
