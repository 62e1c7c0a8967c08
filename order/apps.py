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


def _count_after_commit(sender, order, user, **kwargs):
    from oscar.apps.analytics.receivers import receive_order_placed

    def count():
        try:
            with transaction.atomic():
                receive_order_placed(sender, order=order, user=user, **kwargs)
        except Exception:  # counters are nice to have; the order already stands
            logger.exception("Could not count order %s in oscar's analytics", order.number)

    transaction.on_commit(count)
