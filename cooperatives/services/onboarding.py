"""Onboarding: a cooperative, its oscar partner and its managers stay consistent."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from oscar.apps.partner.models import Partner
from oscar.core.utils import slugify

from cooperatives.models import Cooperative

User = get_user_model()


@transaction.atomic
def cooperative_onboard(
    *,
    name: str,
    province: str,
    slug: str = "",
    commune: str = "",
    address_line: str = "",
    phone: str = "",
    email: str = "",
    short_description: str = "",
    description: str = "",
) -> Cooperative:
    """Create a cooperative together with the oscar partner that holds its stock."""
    partner = Partner.objects.create(name=name)
    cooperative = Cooperative(
        partner=partner,
        name=name,
        slug=slug or slugify(name),
        province=province,
        commune=commune,
        address_line=address_line,
        phone=phone,
        email=email,
        short_description=short_description,
        description=description,
    )
    cooperative.full_clean()
    cooperative.save()
    return cooperative


@transaction.atomic
def cooperative_manager_add(*, cooperative: Cooperative, user: User) -> None:
    """Make ``user`` a manager of ``cooperative``; adding twice changes nothing.

    Managers are the users of the cooperative's partner. Like oscar's own
    partner-user screen, non-staff managers get ``partner.dashboard_access``,
    which lets them into the dashboard restricted to their partner's data.
    """
    cooperative.partner.users.add(user)
    if not user.is_staff:
        user.user_permissions.add(
            Permission.objects.get(codename="dashboard_access", content_type__app_label="partner")
        )


@transaction.atomic
def cooperative_manager_remove(*, cooperative: Cooperative, user: User) -> None:
    """Take ``user`` off ``cooperative``; dashboard access goes with their last cooperative."""
    cooperative.partner.users.remove(user)
    if not user.is_staff and not user.partners.exists():
        user.user_permissions.remove(
            Permission.objects.get(codename="dashboard_access", content_type__app_label="partner")
        )
