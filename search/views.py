"""``/shop/search/``: the same ORM search as the catalogue list (see catalogue.selectors)."""

from catalogue.views import CatalogueView


class FacetedSearchView(CatalogueView):
    """Kept under oscar's name so oscar's search app serves it without haystack."""
