import logging

import oscar.apps.order.apps as apps
from django.db import transaction

logger = logging.getLogger(__name__)


class OrderConfig(apps.OrderConfig):
    """Oscar's order app, forked for Vietnamese shipping addresses and the payment method."""

    name = "order"

    def ready(self):
        super().ready()
        from oscar.apps.analytics import receivers as analytics
        from oscar.apps.order.signals import order_placed

        # Oscar's sales counters run inside the order's transaction and swallow an
        # IntegrityError there, which on PostgreSQL aborts the whole order. They also
        # hold a lock on each product's counter row until the order commits, queueing
        # every concurrent order of that product. Counting after commit, in a
        # transaction of its own, keeps the counters and frees the order of both.
        order_placed.disconnect(analytics.receive_order_placed)
        order_placed.connect(_count_after_commit, dispatch_uid="chophien_order_analytics")


def _count_after_commit(sender, order, user, purchases=None, **kwargs):
    """Oscar's sales counters, once the order has committed.

    ``purchases`` (product id: units, sent by ``order.utils.OrderCreator``) are counted
    in Redis and written in batches, as product views are (catalogue/view_counts.py):
    oscar read the order's lines again and UPDATEd a row per product, in the shopper's
    request. A signed-in shopper's own counters are still UPDATEd here.
    """
    from oscar.apps.analytics.receivers import _record_user_order, receive_order_placed

    from catalogue.view_counts import purchases_record

    def count():
        try:
            if purchases is not None and purchases_record(purchases):
                if user is not None and user.is_authenticated:
                    with transaction.atomic():
                        # Oscar's receiver's own second half: the shopper's counters.
                        _record_user_order(user, order)
                return
            with transaction.atomic():
                receive_order_placed(sender, order=order, user=user, **kwargs)
        except Exception:  # counters are nice to have; the order already stands
            logger.exception("Could not count order %s in oscar's analytics", order.number)

    transaction.on_commit(count)
