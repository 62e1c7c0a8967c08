"""address.services.administrative_units_update: the list follows the official one."""

import unicodedata
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.db.models.query import QuerySet
from django.test.utils import CaptureQueriesContext

from address.models import Commune, Province
from address.services import administrative_units_update
from tests.address.conftest import find_commune

pytestmark = pytest.mark.django_db

BA_BE, CHO_DON = "01906", "02020"


def snapshot() -> tuple[list, list]:
    return (
        list(Province.objects.order_by("code").values_list()),
        list(Commune.objects.order_by("code").values_list()),
    )


def test_the_same_list_again_changes_nothing(official_list):
    before = snapshot()
    with CaptureQueriesContext(connection) as queries:
        report = administrative_units_update(data=official_list)
    assert not report.changed
    assert report.version == official_list["version"]
    assert snapshot() == before
    statements = [query["sql"].lstrip().upper() for query in queries]
    assert [sql for sql in statements if sql.startswith(("INSERT", "UPDATE", "DELETE"))] == []


def test_names_typed_decomposed_or_with_extra_spaces_are_the_same_names(official_list):
    # Some keyboards and spreadsheets give "ể" as "e" + two combining marks.
    _, ba_be = find_commune(official_list, BA_BE)
    ba_be["full_name"] = "  Xã  " + unicodedata.normalize("NFD", "Ba Bể") + " "
    assert not administrative_units_update(data=official_list).changed
    assert Commune.objects.get(code=BA_BE).full_name == "Xã Ba Bể"


def test_a_renamed_commune_gets_its_new_name(official_list):
    _, ba_be = find_commune(official_list, BA_BE)
    ba_be.update(name="Ba Bể Mới", full_name="Phường Ba Bể Mới", type="phuong")
    report = administrative_units_update(data=official_list)
    assert (report.communes_updated, report.communes_created, report.communes_deactivated) == (
        1,
        0,
        0,
    )
    assert report.provinces_updated == 0
    commune = Commune.objects.get(code=BA_BE)
    assert (commune.name, commune.full_name, commune.division_type) == (
        "Ba Bể Mới",
        "Phường Ba Bể Mới",
        "phuong",
    )
    assert Commune.objects.get(code=CHO_DON).full_name == "Xã Chợ Đồn"  # others untouched


def test_a_commune_left_out_is_deactivated_not_deleted_and_comes_back(official_list):
    province, ba_be = find_commune(official_list, BA_BE)
    province["communes"].remove(ba_be)
    report = administrative_units_update(data=official_list)
    assert report.communes_deactivated == 1
    assert not report.communes_updated
    commune = Commune.objects.get(code=BA_BE)  # still there for addresses that name it
    assert not commune.is_active
    assert commune.full_name == "Xã Ba Bể"
    assert Commune.objects.count() == 3321

    province["communes"].append(ba_be)
    report = administrative_units_update(data=official_list)
    assert (report.communes_updated, report.communes_deactivated) == (1, 0)
    assert Commune.objects.get(code=BA_BE).is_active


def test_new_units_are_created_and_moved_ones_follow_their_province(official_list):
    thai_nguyen = next(p for p in official_list["provinces"] if p["code"] == "19")
    thai_nguyen["communes"].append(
        {"code": "99901", "name": "Thử Nghiệm", "full_name": "Xã Thử Nghiệm", "type": "xa"}
    )
    official_list["provinces"].append(
        {
            "code": "99",
            "name": "Thử Nghiệm",
            "full_name": "Tỉnh Thử Nghiệm",
            "type": "tinh",
            "communes": [thai_nguyen["communes"].pop(0)],
        }
    )
    moved = official_list["provinces"][-1]["communes"][0]["code"]
    report = administrative_units_update(data=official_list)
    assert (report.provinces_created, report.communes_created, report.communes_updated) == (
        1,
        1,
        1,
    )
    assert Commune.objects.get(code="99901").province_id == "19"
    assert Commune.objects.get(code=moved).province_id == "99"
    assert Province.objects.get(code="99").is_active


def test_a_province_left_out_is_deactivated_with_its_communes(official_list):
    official_list["provinces"] = [p for p in official_list["provinces"] if p["code"] != "19"]
    report = administrative_units_update(data=official_list)
    assert (report.provinces_deactivated, report.communes_deactivated) == (1, 92)
    assert not Province.objects.get(code="19").is_active
    assert not Commune.objects.filter(province_id="19", is_active=True).exists()
    assert Commune.objects.filter(province_id="19").count() == 92


def test_a_failure_half_way_writes_nothing(official_list):
    official_list["provinces"].append(
        {
            "code": "99",
            "name": "Thử Nghiệm",
            "full_name": "Tỉnh Thử Nghiệm",
            "type": "tinh",
            "communes": [{"code": "99901", "name": "Thử", "full_name": "Xã Thử", "type": "xa"}],
        }
    )
    find_commune(official_list, BA_BE)[1]["full_name"] = "Phường Ba Bể"
    before = snapshot()
    # The new province is inserted before the renamed commune's update fails.
    failing = mock.patch.object(QuerySet, "bulk_update", side_effect=DatabaseError("disk full"))
    with failing, pytest.raises(DatabaseError):
        administrative_units_update(data=official_list)
    assert snapshot() == before


def _missing_commune_code(data):
    del find_commune(data, CHO_DON)[1]["code"]


def _unknown_province_code(data):
    data["provinces"][0]["code"] = "X1"


def _three_digit_province_code(data):
    data["provinces"][0]["code"] = "001"


def _commune_code_twice(data):
    data["provinces"][1]["communes"].append(dict(find_commune(data, CHO_DON)[1]))


def _unknown_type(data):
    find_commune(data, CHO_DON)[1]["type"] = "huyen"  # districts are gone since July 2025


def _province_type_on_a_commune(data):
    find_commune(data, CHO_DON)[1]["type"] = "tinh"


def _empty_name(data):
    find_commune(data, CHO_DON)[1]["full_name"] = ""


def _blank_name(data):
    find_commune(data, CHO_DON)[1]["name"] = "   "


def _name_too_long(data):
    find_commune(data, CHO_DON)[1]["name"] = "x" * 65


def _province_without_communes(data):
    data["provinces"][0]["communes"] = []


def _no_version(data):
    del data["version"]


@pytest.mark.parametrize(
    "spoil",
    [
        _missing_commune_code,
        _unknown_province_code,
        _three_digit_province_code,
        _commune_code_twice,
        _unknown_type,
        _province_type_on_a_commune,
        _empty_name,
        _blank_name,
        _name_too_long,
        _province_without_communes,
        _no_version,
    ],
)
def test_malformed_data_is_refused_and_nothing_is_written(official_list, spoil):
    # A valid change travels with the fault: it must not be written either.
    _, ba_be = find_commune(official_list, BA_BE)
    ba_be["full_name"] = "Phường Ba Bể"
    spoil(official_list)
    before = snapshot()
    with pytest.raises(ValidationError):
        administrative_units_update(data=official_list)
    assert snapshot() == before


@pytest.mark.parametrize(
    "data", [None, [], {}, {"version": "x", "provinces": []}, {"provinces": "19"}]
)
def test_data_that_is_no_list_of_provinces_is_refused(data):
    with pytest.raises(ValidationError):
        administrative_units_update(data=data)
    assert Province.objects.filter(is_active=True).count() == 34


def test_the_refusal_lists_each_fault_with_its_place(official_list):
    thai_nguyen, ba_be = find_commune(official_list, BA_BE)
    _, cho_don = find_commune(official_list, CHO_DON)
    where_ba_be = thai_nguyen["communes"].index(ba_be)
    where_cho_don = thai_nguyen["communes"].index(cho_don)
    ba_be["type"] = "huyen"
    del cho_don["code"]
    with pytest.raises(ValidationError) as refused:
        administrative_units_update(data=official_list)
    first, second = refused.value.messages
    assert first.startswith(f"province 19, communes[{where_ba_be}] (01906): division_type: ")
    assert "'huyen'" in first  # Django's own message, in the active language
    assert second == f"province 19, communes[{where_cho_don}]: code None is not 5 digits"


def test_a_new_list_reaches_the_delivery_forms_held_lists(
    official_list, settings, django_capture_on_commit_callbacks
):
    from address.selectors import commune_choices
    from shop import page_cache

    settings.PAGE_CACHE_SECONDS, settings.PAGE_CACHE_LOCAL_SECONDS = 300, 1
    page_cache._nearby.forget()
    assert ("01906", "Xã Ba Bể") in commune_choices("19")  # held from here on
    _, ba_be = find_commune(official_list, BA_BE)
    ba_be.update(name="Ba Bể Mới", full_name="Phường Ba Bể Mới", type="phuong")
    with django_capture_on_commit_callbacks(execute=True):
        administrative_units_update(data=official_list)
    assert ("01906", "Phường Ba Bể Mới") in commune_choices("19")
    page_cache._nearby.forget()
