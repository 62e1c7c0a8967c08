from collections import Counter
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _
from oscar.apps.order.signals import order_placed
from oscar.apps.order.utils import *  # noqa: F401,F403
from oscar.apps.order.utils import OrderCreator as CoreOrderCreator
from oscar.apps.order.utils import OrderNumberGenerator

from catalogue.availability import stock_allocated
from order.exceptions import OutOfStock


class OrderCreator(CoreOrderCreator):
    """Oscar's order creator, allocating stock only where stock is left.

    Oscar adds to ``num_allocated`` unconditionally, so two shoppers checking out the
    last jar at once would both get it. Here the allocation is one conditional UPDATE:
    the database applies it only while ``num_in_stock - num_allocated`` covers the
    quantity, so of any number of concurrent orders exactly the units in stock are
    sold. A refused allocation raises ``OutOfStock`` inside the order's transaction and
    the whole order rolls back.

    ``place_order`` is oscar's, less the queries it spends on safety that the database
    and ``order_place``'s transaction already give (see its docstring).
    """

    def place_order(
        self,
        basket,
        total,
        shipping_method,
        shipping_charge,
        user=None,
        shipping_address=None,
        billing_address=None,
        order_number=None,
        status=None,
        request=None,
        surcharges=None,
        **kwargs,
    ):
        """Oscar's ``place_order``, step for step, in the caller's transaction.

        Differences, all in queries and none in what is written:

        - no look for an order with this number first: the number is unique in the
          database, whose IntegrityError rolls the whole order back (``order_place``
          then returns the order that won the race, as it did on oscar's ValueError);
        - no savepoint of its own: ``order_place`` holds the order in one transaction,
          which a failure here rolls back as a whole anyway;
        - the basket's vouchers are read (and locked) once, not twice, and not at all
          when the request read the basket without any (``Basket.vouchers_for_update``).
        """
        if basket.is_empty:
            raise ValueError(_("Empty baskets cannot be submitted"))
        if not order_number:
            order_number = OrderNumberGenerator().order_number(basket)
        if not status and hasattr(settings, "OSCAR_INITIAL_ORDER_STATUS"):
            status = settings.OSCAR_INITIAL_ORDER_STATUS

        with transaction.atomic(savepoint=False):
            kwargs["surcharges"] = surcharges
            order = self.create_order_model(
                user,
                basket,
                shipping_address,
                shipping_method,
                shipping_charge,
                billing_address,
                total,
                order_number,
                status,
                request,
                **kwargs,
            )
            vouchers = []
            for voucher in basket.vouchers_for_update():
                if not voucher.is_active():  # basket ignores inactive vouchers
                    basket.vouchers.remove(voucher)
                    continue
                available_to_user, msg = voucher.is_available_to_user(user=user)
                if not available_to_user:
                    raise ValueError(msg)
                vouchers.append(voucher)

            # Record any discounts associated with this order
            for application in basket.offer_applications:
                application["message"] = application["offer"].apply_deferred_benefit(
                    basket, order, application
                )
                if application["result"].affects_shipping:
                    # Skip zero shipping discounts
                    shipping_discount = shipping_method.discount(basket)
                    if shipping_discount <= Decimal("0.00"):
                        continue
                    application["discount"] = shipping_discount
                self.create_discount_model(order, application)
                self.record_discount(application)

            for voucher in vouchers:
                self.record_voucher_usage(order, voucher, user)

            # Lines in basket order, so that their pks keep the order the shopper saw.
            for line in basket.all_lines():
                self.create_line_models(order, line)

            # Stock in stock-record order: concurrent orders lock rows in the same order.
            for line in sorted(basket.all_lines(), key=lambda line: line.stockrecord_id):
                self.update_stock_records(line)

        # What was bought, for the sales counters (order/apps.py), which would read the
        # order's lines again.
        purchases = Counter()
        for line in basket.all_lines():
            purchases[line.product_id] += line.quantity
        order_placed.send(sender=self, order=order, user=user, purchases=dict(purchases))
        return order

    def update_stock_records(self, line):
        product = line.product
        stockrecord = line.stockrecord
        if not product.get_product_class().track_stock or stockrecord is None:
            return
        if stockrecord.num_in_stock is None:  # oscar's "stock not counted"
            return
        table = type(stockrecord)._meta.db_table
        with connection.cursor() as cursor:
            # Django's update() cannot say what is left, which decides whether pages change.
            cursor.execute(
                f"UPDATE {table} SET num_allocated = COALESCE(num_allocated, 0) + %s "  # noqa: S608
                "WHERE id = %s AND num_in_stock >= COALESCE(num_allocated, 0) + %s "
                "RETURNING num_in_stock - num_allocated",
                [line.quantity, stockrecord.pk, line.quantity],
            )
            allocated = cursor.fetchone()
        if allocated is None:
            stockrecord.refresh_from_db(fields=["num_in_stock", "num_allocated"])
            raise OutOfStock(
                product=product,
                available=stockrecord.num_in_stock - (stockrecord.num_allocated or 0),
                wanted=line.quantity,
            )
        # The allocation sends no post_save, which would throw every kept page away.
        stock_allocated(left=allocated[0])
