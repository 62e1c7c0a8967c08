"""The official list as every database has it after ``migrate``, and reads of it."""

from collections import Counter

import pytest
from django.core.exceptions import ValidationError

from address import selectors
from address.models import Commune, Province

pytestmark = pytest.mark.django_db

BA_BE, CHO_DON, HA_NOI_BA_DINH = "01906", "02020", "00004"


def test_migrations_load_34_provinces_and_3321_communes():
    assert Province.objects.filter(is_active=True).count() == 34
    assert Commune.objects.filter(is_active=True).count() == 3321
    assert selectors.provinces().count() == 34
    assert selectors.communes().count() == 3321
    types = Counter(Commune.objects.values_list("division_type", flat=True))
    assert set(types) == {"xa", "phuong", "dac_khu"}
    assert types["dac_khu"] == 13


def test_thai_nguyen_is_19_with_the_former_bac_kan_units():
    province = Province.objects.get(code="19")
    assert (province.name, province.full_name, province.division_type) == (
        "Thái Nguyên",
        "Tỉnh Thái Nguyên",
        Province.DivisionType.PROVINCE,
    )
    assert str(province) == "Tỉnh Thái Nguyên"
    units = list(selectors.communes(province_code="19"))
    assert len(units) == 92
    assert Counter(unit.division_type for unit in units) == {"xa": 77, "phuong": 15}
    names = {unit.full_name for unit in units}
    assert {"Xã Ba Bể", "Xã Chợ Đồn", "Xã Bạch Thông", "Phường Bắc Kạn"} <= names
    ba_be = Commune.objects.get(code=BA_BE)
    assert (ba_be.name, ba_be.full_name, ba_be.province_id) == ("Ba Bể", "Xã Ba Bể", "19")
    assert ba_be.get_division_type_display() == "xã"  # the domain word, not "xã/phường"


def test_codes_keep_their_leading_zeros():
    assert Province.objects.get(code="01").full_name == "Thành phố Hà Nội"
    assert Commune.objects.get(code=HA_NOI_BA_DINH).full_name == "Phường Ba Đình"


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("ba be", "Xã Ba Bể"),
        ("BA BỂ", "Xã Ba Bể"),
        ("  ba   be ", "Xã Ba Bể"),
        ("xa ba be", "Xã Ba Bể"),
        ("cho don", "Xã Chợ Đồn"),
        ("Chợ Đồn", "Xã Chợ Đồn"),
        ("bac kan", "Phường Bắc Kạn"),
    ],
)
def test_commune_search_ignores_accents_and_case(typed, found):
    assert [unit.full_name for unit in selectors.communes(province_code="19", query=typed)] == [
        found
    ]


def test_d_with_stroke_is_found_with_or_without_its_stroke():
    for typed in ["Đồn", "đồn", "don"]:
        found = [unit.full_name for unit in selectors.communes(province_code="19", query=typed)]
        assert "Xã Chợ Đồn" in found, typed
        assert "Xã Ba Bể" not in found, typed


def test_commune_search_stays_in_the_province():
    assert list(selectors.communes(province_code="01", query="ba be")) == []
    assert [unit.code for unit in selectors.communes(query="ba be")] == [BA_BE]


def test_lists_leave_out_units_no_longer_in_force_and_keep_name_order():
    Commune.objects.filter(code=BA_BE).update(is_active=False)
    Province.objects.filter(code="01").update(is_active=False)
    assert BA_BE not in {unit.code for unit in selectors.communes(province_code="19")}
    assert list(selectors.communes(province_code="19", query="ba be")) == []
    assert "01" not in {province.code for province in selectors.provinces()}
    assert HA_NOI_BA_DINH not in {unit.code for unit in selectors.communes()}
    names = [unit.name for unit in selectors.communes(province_code="19")]
    assert names == sorted(names)
    names = [province.name for province in selectors.provinces()]
    assert names == sorted(names)


def test_communes_of_every_province_come_with_their_province_in_one_query(
    django_assert_num_queries,
):
    with django_assert_num_queries(1):
        grouped = {(unit.province.name, unit.full_name) for unit in selectors.communes()}
    assert ("Thái Nguyên", "Xã Ba Bể") in grouped


def test_place_names_are_the_ones_to_store_beside_the_codes():
    assert selectors.place_names(province_code="19", commune_code=BA_BE) == (
        "Thái Nguyên",
        "Xã Ba Bể",
    )
    assert selectors.place_names(province_code="19") == ("Thái Nguyên", "")


@pytest.mark.parametrize(
    ("province_code", "commune_code", "field"),
    [
        ("99", "", "province_code"),
        ("", BA_BE, "province_code"),
        ("19", "99999", "commune_code"),
        ("01", BA_BE, "commune_code"),
    ],
    ids=["unknown province", "no province", "unknown commune", "commune of another province"],
)
def test_place_names_refuse_codes_that_do_not_fit(province_code, commune_code, field):
    with pytest.raises(ValidationError) as refused:
        selectors.place_names(province_code=province_code, commune_code=commune_code)
    assert list(refused.value.message_dict) == [field]  # a form shows it on that field


def test_place_names_refuse_units_no_longer_in_force():
    Commune.objects.filter(code=CHO_DON).update(is_active=False)
    with pytest.raises(ValidationError):
        selectors.place_names(province_code="19", commune_code=CHO_DON)
    Province.objects.filter(code="19").update(is_active=False)
    with pytest.raises(ValidationError):
        selectors.place_names(province_code="19")
