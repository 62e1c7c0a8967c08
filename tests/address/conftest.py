import copy

import pytest

from address import services

_BUNDLED = services.administrative_units_read()


@pytest.fixture
def official_list() -> dict:
    """The bundled official list, a fresh copy each test may change."""
    return copy.deepcopy(_BUNDLED)


def find_commune(data: dict, code: str) -> tuple[dict, dict]:
    """(province, commune) entries of ``data`` for a commune code."""
    for province in data["provinces"]:
        for commune in province["communes"]:
            if commune["code"] == code:
                return province, commune
    raise LookupError(code)
