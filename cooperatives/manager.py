"""Access to the manager console (``/quan-ly/``): who may act for which cooperative.

Every console URL names the cooperative (``/quan-ly/<slug>/…``). Views resolve it
through :func:`cooperatives.selectors.cooperatives_managed_by`, so a manager of
another cooperative gets a 404 and never learns what exists, and an anonymous
visitor is sent to log in.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404

from cooperatives.selectors import cooperatives_managed_by


class CooperativeManagerMixin(LoginRequiredMixin):
    """Sets ``self.cooperative`` from the URL, for its managers and staff only."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.cooperative = get_object_or_404(
            cooperatives_managed_by(user=request.user), slug=kwargs["cooperative_slug"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["cooperative"] = self.cooperative
        ctx["managed_cooperatives"] = cooperatives_managed_by(user=self.request.user)
        return ctx
