import oscar.apps.payment.apps as apps


class PaymentConfig(apps.PaymentConfig):
    """Oscar's payment app, forked to hold VietQR bank transfers (payment/vietqr.py)."""

    name = "payment"
