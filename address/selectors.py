"""Reads of Vietnam's provinces and communes, for address pickers and profiles."""

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from address.models import Commune, Province
from shop.page_cache import held


def provinces() -> QuerySet[Province]:
    """The provinces in force, by name."""
    return Province.objects.filter(is_active=True).order_by("name")


def province_choices() -> list[tuple[str, str]]:
    """(code, name) of the provinces in force, by name, for a form's list.

    Held by the web process (``shop.page_cache.held``) until the places change: the
    delivery form is built on every checkout page.
    """
    return held(
        "province-choices",
        lambda: [(province.code, province.name) for province in provinces()],
    )


def commune_choices(province_code: str) -> list[tuple[str, str]]:
    """(code, full name) of one province's communes in force, by name, held as above."""
    return held(
        f"commune-choices:{province_code}",
        lambda: [
            (commune.code, commune.full_name) for commune in communes(province_code=province_code)
        ],
    )


def communes(*, province_code: str = "", query: str = "") -> QuerySet[Commune]:
    """The communes in force of one province, by name; ``query`` narrows them down.

    The search ignores accents and case, so "ba be", "Bể" and "xa ba be" all find
    "Xã Ba Bể": shoppers on phones often type without marks. Without a province,
    every commune in force comes, grouped by province (for grouped choice lists).
    """
    units = Commune.objects.filter(is_active=True, province__is_active=True)
    if province_code:
        units = units.filter(province_id=province_code).order_by("name")
    else:
        units = units.select_related("province").order_by("province__name", "name")
    query = " ".join(query.split())
    if query:
        units = units.filter(
            Q(name__unaccent__icontains=query) | Q(full_name__unaccent__icontains=query)
        )
    return units


def place_names(*, province_code: str, commune_code: str = "") -> tuple[str, str]:
    """The names to store beside the codes: ("Thái Nguyên", "Xã Ba Bể") for ("19", "01906").

    Codes get reused under new names, so whoever keeps a code keeps these names too.
    Without a commune code the commune name is "". Refuses a unit that is unknown or
    no longer in force, and a commune of another province, with a message keyed by
    the form field (``province_code`` or ``commune_code``) that a form can show.
    """
    province = Province.objects.filter(code=province_code, is_active=True).first()
    if province is None:
        raise ValidationError({"province_code": _("Choose a province from the list.")})
    if not commune_code:
        return province.name, ""
    commune = Commune.objects.filter(code=commune_code, is_active=True).first()
    if commune is None:
        raise ValidationError({"commune_code": _("Choose a commune from the list.")})
    if commune.province_id != province.code:
        raise ValidationError(
            {
                "commune_code": _("%(commune)s is not in %(province)s.")
                % {"commune": commune.full_name, "province": province.name}
            }
        )
    return province.name, commune.full_name
