"""factory_boy factories: oscar's, extended for cooperatives (STYLE §7)."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from oscar.core.utils import slugify
from oscar.test import factories as oscar_factories

from catalogue.models import Category, Product
from cooperatives.models import Cooperative
from cooperatives.services.onboarding import cooperative_manager_add
from shipping.models import WeightBased


class UserFactory(factory.django.DjangoModelFactory):
    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.vn")
    password = factory.django.Password("secret-password")
    first_name = "Lan"
    last_name = "Hoàng Thị"

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True


class PartnerFactory(oscar_factories.PartnerFactory):
    name = factory.Sequence(lambda n: f"HTX Thử nghiệm {n}")

    class Meta:
        skip_postgeneration_save = True


class CooperativeFactory(factory.django.DjangoModelFactory):
    name = factory.Sequence(lambda n: f"HTX Thử nghiệm {n}")
    slug = factory.LazyAttribute(lambda cooperative: slugify(cooperative.name))
    partner = factory.SubFactory(PartnerFactory, name=factory.SelfAttribute("..name"))
    province_code = "19"
    province_name = "Thái Nguyên"
    commune_code = "01906"
    commune_name = "Xã Ba Bể"

    class Meta:
        model = Cooperative
        skip_postgeneration_save = True

    @factory.post_generation
    def managers(cooperative, create, users, **kwargs):
        for user in users or ():
            cooperative_manager_add(cooperative=cooperative, user=user)


class CategoryFactory(factory.django.DjangoModelFactory):
    """A top-level category, added through treebeard so tree paths never collide."""

    name = factory.Sequence(lambda n: f"Danh mục {n}")

    class Meta:
        model = Category

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.add_root(**kwargs)


class ProductCategoryFactory(oscar_factories.ProductCategoryFactory):
    category = factory.SubFactory(CategoryFactory)


class StockRecordFactory(oscar_factories.StockRecordFactory):
    price_currency = "VND"
    price = Decimal("125000")


class ProductFactory(oscar_factories.ProductFactory):
    """A public standalone product of a cooperative, priced and in stock."""

    title = factory.Sequence(lambda n: f"Miến dong gói {n}")
    cooperative = factory.SubFactory(CooperativeFactory)
    stockrecords = factory.RelatedFactory(
        StockRecordFactory,
        "product",
        partner=factory.SelfAttribute("..cooperative.partner"),
    )
    categories = factory.RelatedFactory(ProductCategoryFactory, "product")

    class Meta:
        model = Product
        skip_postgeneration_save = True


class WeightBasedFactory(factory.django.DjangoModelFactory):
    """A cooperative's delivery rate: 30.000 ₫ up to 1 kg, 45.000 ₫ up to 5 kg."""

    name = factory.Sequence(lambda n: f"Giao hàng tiêu chuẩn {n}")
    cooperative = factory.SubFactory(CooperativeFactory)

    class Meta:
        model = WeightBased
        skip_postgeneration_save = True

    @factory.post_generation
    def bands(method, create, bands, **kwargs):
        for upper_kg, charge in bands or ((Decimal("1"), Decimal("30000")), (5, 45000)):
            method.bands.create(upper_limit=Decimal(upper_kg), charge=Decimal(charge))


def basket_with(*items, user=None):
    """A saved basket holding ``(product, quantity)`` pairs, priced as the shop prices it."""
    from oscar.apps.partner.strategy import Selector

    from basket.models import Basket

    basket = Basket.objects.create(owner=user)
    basket.strategy = Selector().strategy(user=user)
    for product, quantity in items:
        basket.add_product(product, quantity)
    return basket


def site_offer(*, name: str, benefit_type: str, value):
    """A site-wide offer on every product, from the first item: ``benefit_type`` is one of
    oscar's ``Benefit`` types (``Benefit.PERCENTAGE``, ``Benefit.FIXED``)."""
    from oscar.apps.offer.models import Benefit, Condition, ConditionalOffer, Range

    everything = Range.objects.create(name="Tất cả", includes_all_products=True)
    return ConditionalOffer.objects.create(
        name=name,
        offer_type=ConditionalOffer.SITE,
        condition=Condition.objects.create(range=everything, type=Condition.COUNT, value=1),
        benefit=Benefit.objects.create(range=everything, type=benefit_type, value=value),
    )


def delivery_address(**overrides):
    """A cleaned delivery address in Xã Ba Bể, Thái Nguyên."""
    from cooperatives.services.checkout import DeliveryAddress

    values = {
        "full_name": "Hoàng Thị Lan",
        "phone": "+84912345678",
        "province_code": "19",
        "province_name": "Thái Nguyên",
        "commune_code": "01906",
        "commune_name": "Xã Ba Bể",
        "line1": "Thôn Pác Ngòi",
        "notes": "",
    }
    values.update(overrides)
    return DeliveryAddress(**values)


def place_order(*items, payment_method="cod", user=None, shipping_choices=None, **kwargs):
    """An order placed through ``order_place`` from a fresh basket of ``items``."""
    from cooperatives.services.checkout import order_place

    basket = basket_with(*items, user=user)
    return order_place(
        basket=basket,
        user=user,
        address=kwargs.pop("address", None) or delivery_address(),
        shipping_choices=shipping_choices or {},
        payment_method=payment_method,
        **kwargs,
    )
