import oscar.apps.address.apps as apps


class AddressConfig(apps.AddressConfig):
    """Oscar's address app, forked to hold Vietnam's provinces and communes."""

    name = "address"
