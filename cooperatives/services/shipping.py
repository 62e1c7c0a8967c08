"""A cooperative's own delivery rates: weight bands, free above an amount."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from cooperatives.models import Cooperative
from shipping.models import WeightBased


@transaction.atomic
def shipping_rate_set(
    *,
    cooperative: Cooperative,
    name: str,
    bands: list[tuple[Decimal | int | str, Decimal | int | str]],
    free_above: Decimal | int | None = None,
    description: str = "",
) -> WeightBased:
    """Create or replace the rate ``name`` of ``cooperative``: ``bands`` are (up to kg, charge).

    A parcel heavier than the top band is charged as several top-band parcels (oscar's
    rule). Names are unique across the shop, since oscar shows them on its dashboard.
    """
    if not bands:
        raise ValidationError(_("Give at least one weight band."))
    method = WeightBased.objects.filter(name=name).first()
    if method is not None and method.cooperative_id != cooperative.pk:
        raise ValidationError({"name": _("Another cooperative already uses this name.")})
    if method is None:
        method = WeightBased(name=name, cooperative=cooperative)
    method.description = description
    method.free_above = Decimal(free_above) if free_above is not None else None
    method.is_active = True
    method.full_clean(exclude=["code"])
    method.save()
    method.bands.all().delete()
    for upper_kg, charge in sorted(bands, key=lambda band: Decimal(band[0])):
        band = method.bands.model(
            method=method, upper_limit=Decimal(upper_kg), charge=Decimal(charge)
        )
        band.full_clean()
        band.save()
    return method
