from django import forms
from django.utils.translation import gettext_lazy as _

from catalogue import selectors


class ProductBrowseForm(forms.Form):
    """The shopper's search words and sort order on product lists."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
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

    def browse_kwargs(self) -> dict:
        """Arguments for :func:`catalogue.selectors.products_for_browse`; bad values fall back."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "query": (data.get("q") or "").strip(),
            "sort": data.get("sort_by") or "",
        }
