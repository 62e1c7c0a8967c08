"""A signed-in shopper's copy of their data, and the closing of their account."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from oscar.apps.customer.forms import ConfirmPasswordForm

from privacy import selectors, services


def json_download(data: dict, *, filename: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Personal data: no shared cache keeps a copy.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def data_export(request):
    data = selectors.user_data(user=request.user)
    return json_download(data, filename=f"chophien-du-lieu-{timezone.localdate():%Y-%m-%d}.json")


@login_required
def account_erase(request):
    """Confirm with the password, then anonymise and close the account (privacy.services)."""
    form = ConfirmPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_erase(user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            logout(request)
            messages.success(
                request,
                _(
                    "Your account is closed and your personal data erased. The records "
                    "of your orders are kept, without your name or contact details."
                ),
            )
            return redirect("/")
    return render(
        request,
        "privacy/account_erase.html",
        {
            "form": form,
            "blockers": services.erasure_blockers(user=request.user),
            "page_title": _("Delete my account"),
            "active_tab": "profile",
        },
    )
