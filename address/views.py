"""The commune list of a province as JSON, for the checkout's address picker."""

from django.http import JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from address.selectors import communes


@require_GET
@cache_control(public=True, max_age=3600)
def commune_options(request):
    """``?province=19&q=ba be`` → ``{"communes": [{"code": "01906", "name": "Xã Ba Bể"}]}``.

    A province is required: all 3,321 communes at once would be too heavy for a phone.
    """
    province_code = request.GET.get("province", "")[:2]
    if not province_code:
        return JsonResponse({"communes": []})
    units = communes(province_code=province_code, query=request.GET.get("q", "")[:64])
    return JsonResponse(
        {"communes": [{"code": unit.code, "name": unit.full_name} for unit in units]},
        json_dumps_params={"ensure_ascii": False},
    )
