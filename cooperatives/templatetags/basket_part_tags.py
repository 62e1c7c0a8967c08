"""``{% basket_groups basket formset as groups %}``: the basket page, one group per cooperative."""

from decimal import Decimal

from django import template

from cooperatives.basket import basket_parts

register = template.Library()


@register.simple_tag
def basket_groups(basket, formset) -> dict:
    """Each cooperative's part with its line forms (and their formset index), plus totals.

    The index is what oscar's basket JavaScript uses to remove or save a line.
    """
    cached = getattr(formset, "_chophien_groups", None)
    if cached is not None:  # the basket page asks three times per render
        return cached
    parts = basket_parts(basket)
    part_of_line = {line.pk: part for part in parts for line in part.lines}
    groups: dict[int, dict] = {}
    orphans = []
    for index, form in enumerate(formset):
        part = part_of_line.get(form.instance.pk)
        if part is None:
            orphans.append((index, form))
            continue
        group = groups.setdefault(
            part.cooperative.pk,
            {
                "part": part,
                "forms": [],
                "cheapest": part.options[0] if part.options else None,
            },
        )
        group["forms"].append((index, form))
    groups_list = list(groups.values())
    shipping_estimate = sum(
        (group["cheapest"].charge for group in groups_list if group["cheapest"]), Decimal("0")
    )
    formset._chophien_groups = {
        "groups": groups_list,
        "orphans": orphans,
        "shipping_estimate": shipping_estimate,
        "problems": [problem for group in groups_list for problem in group["part"].problems],
    }
    return formset._chophien_groups
