from oscar.apps.checkout.utils import *  # noqa: F403
from oscar.apps.checkout.utils import CheckoutSessionData as CoreCheckoutSessionData


class CheckoutSessionData(CoreCheckoutSessionData):
    """Oscar's checkout session data, written only when checkout has something to keep.

    Oscar puts an empty dict into the session on every checkout page, and reading a
    value adds an empty namespace: a guest's first look at the delivery form created a
    session row (four queries) before they had typed anything. Here reads never write;
    the session is created when the delivery form is sent.
    """

    def __init__(self, request):
        self.request = request

    def _namespace(self, namespace: str) -> dict:
        """The namespace's dict, created (and the session marked changed) for a write."""
        data = self.request.session.setdefault(self.SESSION_KEY, {})
        return data.setdefault(namespace, {})

    def _check_namespace(self, namespace):
        self._namespace(namespace)

    def _get(self, namespace, key, default=None):
        data = self.request.session.get(self.SESSION_KEY, {})
        return data.get(namespace, {}).get(key, default)

    def _set(self, namespace, key, value):
        self._namespace(namespace)[key] = value
        self.request.session.modified = True

    def _unset(self, namespace, key):
        data = self.request.session.get(self.SESSION_KEY, {}).get(namespace, {})
        if key in data:
            del data[key]
            self.request.session.modified = True

    def _flush_namespace(self, namespace):
        self.request.session.setdefault(self.SESSION_KEY, {})[namespace] = {}
        self.request.session.modified = True
