import oscar.apps.checkout.apps as apps


class CheckoutConfig(apps.CheckoutConfig):
    """Oscar's checkout, forked for one phone-first delivery step and per-cooperative parts."""

    name = "checkout"
