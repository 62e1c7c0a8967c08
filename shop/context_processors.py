from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    """Site-wide values every page template may show."""
    return {"SOURCE_CODE_URL": settings.SOURCE_CODE_URL}
