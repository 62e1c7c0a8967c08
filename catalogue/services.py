"""Writes to the catalogue: products with their stock record and photos."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from oscar.apps.partner.models import StockRecord
from oscar.core.utils import slugify

from catalogue.models import Category, Product, ProductCategory, ProductClass, ProductImage
from cooperatives.models import Cooperative


@transaction.atomic
def product_create(
    *,
    cooperative: Cooperative,
    product_class: ProductClass,
    title: str,
    price: Decimal | int,
    num_in_stock: int,
    sku: str,
    description: str = "",
    categories: list[Category] | tuple[Category, ...] = (),
    image: ContentFile | None = None,
) -> Product:
    """List a new product of ``cooperative`` with its price, stock and photo.

    Prices are whole đồng: VND has no smaller unit.
    """
    price = Decimal(price)
    if price != price.to_integral_value() or price < 0:
        raise ValidationError({"price": _("Enter a whole number of đồng, 0 or more.")})
    product = Product(
        cooperative=cooperative,
        product_class=product_class,
        title=title,
        slug=slugify(title),
        description=description,
        structure=Product.STANDALONE,
    )
    product.full_clean()
    product.save()
    stockrecord = StockRecord(
        product=product,
        partner=cooperative.partner,
        partner_sku=sku,
        price=price,
        price_currency="VND",
        num_in_stock=num_in_stock,
    )
    stockrecord.full_clean()
    stockrecord.save()
    for category in categories:
        ProductCategory.objects.create(product=product, category=category)
    if image is not None:
        ProductImage.objects.create(product=product, original=image, caption=title, display_order=0)
    return product
