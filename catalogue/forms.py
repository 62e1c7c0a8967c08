from django import forms
from django.utils.translation import gettext_lazy as _

from catalogue import selectors


class ProductBrowseForm(forms.Form):
    """The shopper's search words, filters and sort order on product lists.

    A bad value never breaks the page: the filter it belongs to is dropped.
    """

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    cooperative = forms.ChoiceField(label=_("Cooperative"), required=False)
    province = forms.ChoiceField(label=_("Province"), required=False)
    ocop = forms.BooleanField(label=_("OCOP products only"), required=False)
    in_season = forms.BooleanField(label=_("In season now"), required=False)
    sort_by = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            (selectors.SORT_RELEVANCE, _("Best match")),
            (selectors.SORT_NEWEST, _("Newest")),
            (selectors.SORT_PRICE_ASC, _("Price low to high")),
            (selectors.SORT_PRICE_DESC, _("Price high to low")),
            (selectors.SORT_TITLE, _("Name A to Z")),
        ],
    )

    def __init__(self, *args, cooperatives=(), provinces=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("cooperative", "province", "sort_by"):
            self.fields[name].widget.attrs["class"] = "form-control"
        for name in ("ocop", "in_season"):
            self.fields[name].widget.attrs["class"] = "form-check-input"
        self.fields["cooperative"].choices = [("", _("All cooperatives")), *cooperatives]
        self.fields["province"].choices = [("", _("All provinces")), *provinces]

    def filters(self, **extra) -> selectors.BrowseFilters:
        """Filters for :func:`catalogue.selectors.products_for_browse`."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return selectors.BrowseFilters(
            query=(data.get("q") or "").strip(),
            cooperative_slug=data.get("cooperative") or "",
            province_code=data.get("province") or "",
            ocop_only=bool(data.get("ocop")),
            in_season=bool(data.get("in_season")),
            sort=data.get("sort_by") or "",
            **extra,
        )
