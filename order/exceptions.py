from oscar.apps.order.exceptions import *  # noqa: F401,F403


class OutOfStock(Exception):  # noqa: N818  (named for what the shopper is told)
    """Fewer units are left than an order line asks for; the order is not placed."""

    def __init__(self, *, product, available: int, wanted: int):
        self.product = product
        self.available = max(available, 0)
        self.wanted = wanted
        super().__init__(f"{product}: {self.available} left, {wanted} wanted")
