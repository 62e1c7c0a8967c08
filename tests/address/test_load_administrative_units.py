"""./manage.py load_administrative_units"""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from address.models import Commune
from tests.address.conftest import find_commune

pytestmark = pytest.mark.django_db


def test_loading_the_bundled_list_again_reports_no_change():
    out = io.StringIO()
    call_command("load_administrative_units", stdout=out)
    assert "communes 0 created, 0 updated, 0 deactivated" in out.getvalue()
    assert Commune.objects.filter(is_active=True).count() == 3321


def test_a_file_with_a_renamed_commune(official_list, tmp_path):
    find_commune(official_list, "01906")[1]["full_name"] = "Phường Ba Bể"
    path = tmp_path / "units.json"
    path.write_text(json.dumps(official_list, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("load_administrative_units", file=str(path), stdout=out)
    assert "communes 0 created, 1 updated, 0 deactivated" in out.getvalue()
    assert Commune.objects.get(code="01906").full_name == "Phường Ba Bể"


def test_a_bad_file_stops_the_command_with_the_reason(tmp_path):
    path = tmp_path / "units.json"
    path.write_text('{"version": "x", "provinces": [{"code": "1"}]}', encoding="utf-8")
    with pytest.raises(CommandError, match="code '1' is not 2 digits"):
        call_command("load_administrative_units", file=str(path), stdout=io.StringIO())
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("load_administrative_units", file=str(tmp_path / "missing.json"))
