import oscar.apps.order.apps as apps


class OrderConfig(apps.OrderConfig):
    """Oscar's order app, forked for Vietnamese shipping addresses and the payment method."""

    name = "order"
