import oscar.apps.shipping.apps as apps


class ShippingConfig(apps.ShippingConfig):
    """Oscar's shipping app, forked so each cooperative has its own weight-band rates."""

    name = "shipping"
