"""Site-wide request guards."""

from django.core.exceptions import PermissionDenied


class DashboardStaffOnlyMiddleware:
    """Keep everyone but staff out of oscar's dashboard (``/dashboard/``).

    oscar lets partner users with ``partner.dashboard_access`` into its order views, where
    they can see and change other partners' lines of a mixed order, the whole order's
    status, notes and address (django-oscar #2240); and oscar grants that permission when
    staff link a user to a partner in the dashboard. Cooperative managers work in the
    manager console (``/quan-ly/``) instead, so the dashboard is refused to them outright.
    Anonymous visitors are left to oscar, which sends them to log in.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or "dashboard" not in match.namespaces:
            return None
        user = request.user
        if user.is_authenticated and not user.is_staff:
            raise PermissionDenied
        return None
