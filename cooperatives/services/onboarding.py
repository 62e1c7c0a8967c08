"""Onboarding: a cooperative, its oscar partner and its managers stay consistent."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from oscar.apps.partner.models import Partner
from oscar.core.utils import slugify

from address.selectors import place_names
from cooperatives.models import Cooperative

User = get_user_model()

# What staff may set on a cooperative's profile besides its name and place.
PROFILE_FIELDS = frozenset(
    {
        "address_line",
        "phone",
        "zalo_phone",
        "email",
        "tax_code",
        "founded_year",
        "member_count",
        "short_description",
        "description",
        "logo",
        "cover_photo",
        "bank_bin",
        "bank_account_number",
        "bank_account_holder",
        "min_order_value",
        "offers_pickup",
        "pickup_instructions",
        "is_active",
    }
)


def _check_profile_fields(fields: dict) -> None:
    unknown = set(fields) - PROFILE_FIELDS
    if unknown:
        raise TypeError(f"Not profile fields of a cooperative: {', '.join(sorted(unknown))}")


@transaction.atomic
def cooperative_onboard(
    *,
    name: str,
    province_code: str,
    commune_code: str = "",
    slug: str = "",
    **profile,
) -> Cooperative:
    """Create a cooperative together with the oscar partner that holds its stock.

    The province and commune are given by official code; their names are copied
    from the bundled list so the profile keeps reading right if a code is reused.
    """
    _check_profile_fields(profile)
    province_name, commune_name = place_names(
        province_code=province_code, commune_code=commune_code
    )
    slug = slug or slugify(name)
    if Cooperative.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": _("Another cooperative already uses this web address.")})
    partner = Partner.objects.create(name=name)
    cooperative = Cooperative(
        partner=partner,
        name=name,
        slug=slug,
        province_code=province_code,
        province_name=province_name,
        commune_code=commune_code,
        commune_name=commune_name,
        **profile,
    )
    cooperative.full_clean()
    cooperative.save()
    return cooperative


@transaction.atomic
def cooperative_update(
    *,
    cooperative: Cooperative,
    name: str | None = None,
    province_code: str | None = None,
    commune_code: str | None = None,
    **profile,
) -> Cooperative:
    """Change a cooperative's profile; its partner keeps the same name."""
    _check_profile_fields(profile)
    if name is not None:
        cooperative.name = name
    if province_code is not None or commune_code is not None:
        cooperative.province_code = (
            province_code if province_code is not None else cooperative.province_code
        )
        cooperative.commune_code = (
            commune_code if commune_code is not None else cooperative.commune_code
        )
        cooperative.province_name, cooperative.commune_name = place_names(
            province_code=cooperative.province_code, commune_code=cooperative.commune_code
        )
    for field, value in profile.items():
        setattr(cooperative, field, value)
    cooperative.full_clean()
    cooperative.save()
    if cooperative.partner.name != cooperative.name:
        cooperative.partner.name = cooperative.name
        cooperative.partner.save(update_fields=["name"])
    return cooperative


@transaction.atomic
def cooperative_manager_add(*, cooperative: Cooperative, user: User) -> None:
    """Make ``user`` a manager of ``cooperative``; adding twice changes nothing.

    Managers are the users of the cooperative's partner and work in the manager
    console (``/quan-ly/``). They get no oscar dashboard access: oscar's dashboard
    lets partner users change whole orders and store unchecked product HTML.
    """
    cooperative.partner.users.add(user)


@transaction.atomic
def cooperative_manager_remove(*, cooperative: Cooperative, user: User) -> None:
    cooperative.partner.users.remove(user)


@transaction.atomic
def cooperative_managers_set(*, cooperative: Cooperative, users) -> None:
    """Make exactly ``users`` the managers of ``cooperative``."""
    wanted = set(users)
    current = set(cooperative.partner.users.all())
    for user in current - wanted:
        cooperative_manager_remove(cooperative=cooperative, user=user)
    for user in wanted - current:
        cooperative_manager_add(cooperative=cooperative, user=user)
