import pytest

from tests.factories import CooperativeFactory, ProductFactory, UserFactory, WeightBasedFactory

BANK = {
    "bank_bin": "970405",
    "bank_account_number": "8300205123456",
    "bank_account_holder": "HTX THU NGHIEM",
}


@pytest.fixture
def manager():
    return UserFactory()


@pytest.fixture
def farm(manager):
    cooperative = CooperativeFactory(
        name="HTX Mật ong Ba Bể", address_line="Thôn Nà Phòng", managers=[manager], **BANK
    )
    WeightBasedFactory(cooperative=cooperative)
    return cooperative


@pytest.fixture
def honey(farm):
    return ProductFactory(
        cooperative=farm,
        title="Mật ong rừng",
        unit_label="chai 500ml",
        net_weight_grams=700,
        stockrecords__num_in_stock=20,
    )


@pytest.fixture
def other_farm():
    cooperative = CooperativeFactory(name="HTX Miến dong")
    WeightBasedFactory(cooperative=cooperative)
    return cooperative


@pytest.fixture
def other_manager(other_farm):
    user = UserFactory()
    other_farm.partner.users.add(user)
    return user
