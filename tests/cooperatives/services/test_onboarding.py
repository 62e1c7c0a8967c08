import pytest
from django.core.exceptions import ValidationError

from cooperatives.models import Cooperative
from cooperatives.selectors import cooperatives_managed_by
from cooperatives.services.onboarding import (
    cooperative_manager_add,
    cooperative_manager_remove,
    cooperative_managers_set,
    cooperative_onboard,
    cooperative_update,
)
from tests.factories import CooperativeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_onboarding_creates_the_partner_and_copies_official_names():
    cooperative = cooperative_onboard(
        name="HTX Đào Ngân Sơn", province_code="19", commune_code="01906", phone="0912345678"
    )
    assert cooperative.slug == "htx-dao-ngan-son"
    assert cooperative.partner.name == "HTX Đào Ngân Sơn"
    assert (cooperative.province_name, cooperative.commune_name) == ("Thái Nguyên", "Xã Ba Bể")
    assert cooperative.phone.as_e164 == "+84912345678"


@pytest.mark.parametrize(
    ("province_code", "commune_code", "field"),
    [("99", "", "province_code"), ("19", "99999", "commune_code"), ("01", "01906", "commune_code")],
)
def test_onboarding_refuses_unknown_or_mismatched_places(province_code, commune_code, field):
    with pytest.raises(ValidationError) as error:
        cooperative_onboard(name="HTX Sai", province_code=province_code, commune_code=commune_code)
    assert field in error.value.message_dict
    assert not Cooperative.objects.exists()


def test_incomplete_bank_account_is_refused_and_nothing_is_written():
    with pytest.raises(ValidationError) as error:
        cooperative_onboard(
            name="HTX Thiếu", province_code="19", bank_bin="970405", bank_account_number="123456"
        )
    assert error.value.messages == [
        "Vui lòng nhập đủ ngân hàng, số tài khoản và chủ tài khoản, hoặc để trống cả ba."
    ]
    assert not Cooperative.objects.exists()


def test_update_renames_the_partner_too():
    cooperative = CooperativeFactory(name="HTX Cũ")
    cooperative_update(cooperative=cooperative, name="HTX Mới", commune_code="02020")
    cooperative.refresh_from_db()
    assert cooperative.partner.name == "HTX Mới"
    assert cooperative.commune_name == "Xã Chợ Đồn"


def test_update_refuses_unknown_fields():
    with pytest.raises(TypeError):
        cooperative_update(cooperative=CooperativeFactory(), partner_id=1)


def test_managers_reach_their_cooperatives_and_never_the_oscar_dashboard():
    manager = UserFactory()
    first, second = CooperativeFactory(), CooperativeFactory()
    cooperative_manager_add(cooperative=first, user=manager)
    cooperative_manager_add(cooperative=second, user=manager)
    assert set(cooperatives_managed_by(user=manager)) == {first, second}
    assert not manager.has_perm("partner.dashboard_access")
    cooperative_manager_remove(cooperative=first, user=manager)
    assert list(cooperatives_managed_by(user=manager)) == [second]


def test_managers_set_replaces_the_list():
    keep, drop, add = UserFactory(), UserFactory(), UserFactory()
    cooperative = CooperativeFactory(managers=[keep, drop])
    cooperative_managers_set(cooperative=cooperative, users=[keep, add])
    assert set(cooperative.partner.users.all()) == {keep, add}
