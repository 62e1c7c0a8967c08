from oscar.apps.payment.models import *  # noqa: F401,F403
