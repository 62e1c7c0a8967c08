"""Reads of cooperatives for shoppers and managers."""

from django.db.models import QuerySet

from catalogue.selectors import products_for_browse
from cooperatives.models import Cooperative


def cooperatives_public() -> QuerySet[Cooperative]:
    """Cooperatives a shopper can see, alphabetically."""
    return Cooperative.objects.filter(is_active=True).order_by("name")


def cooperative_products(*, cooperative: Cooperative):
    """The cooperative's products as a shopper sees them on its profile."""
    return products_for_browse().filter(cooperative=cooperative)
