"""Writes to the catalogue: products with their stock record, photos and certificates."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from html import unescape
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import linebreaks
from django.utils.crypto import get_random_string
from django.utils.html import escape, strip_tags
from django.utils.translation import gettext as _
from oscar.apps.partner.models import StockRecord
from oscar.core.utils import slugify

from address.selectors import place_names
from catalogue.models import (
    Category,
    Product,
    ProductCategory,
    ProductCertification,
    ProductClass,
    ProductImage,
    month_bit,
)
from shop.uploads import image_without_metadata

if TYPE_CHECKING:  # cooperatives imports catalogue; catalogue only needs the type
    from cooperatives.models import Cooperative

# Product fields a cooperative may change directly (price and stock are on the stock record).
PRODUCT_FIELDS = frozenset(
    {
        "title",
        "description",
        "unit_label",
        "net_weight_grams",
        "shelf_life_days",
        "ocop_stars",
        "ocop_certificate_number",
        "ocop_issued_on",
        "ocop_expires_on",
        "is_public",
    }
)


def harvest_months_mask(months) -> int:
    """The ``Product.harvest_months`` value of a set of month numbers (1-12)."""
    mask = 0
    for month in months:
        if not 1 <= int(month) <= 12:
            raise ValidationError({"harvest_months": _("Months are numbered 1 to 12.")})
        mask |= month_bit(int(month))
    return mask


def _product_slug(title: str) -> str:
    """The URL word of a product name; a name of only symbols or emoji has none."""
    slug = slugify(title)[: Product._meta.get_field("slug").max_length].strip("-")
    if not slug:
        raise ValidationError({"title": _("Write the name with letters or digits.")})
    return slug


def _origin_names(*, province_code: str, commune_code: str) -> tuple[str, str]:
    """Official names of an origin, with errors keyed by the product's own field names."""
    try:
        return place_names(province_code=province_code, commune_code=commune_code)
    except ValidationError as error:
        raise ValidationError(
            {f"origin_{field}": messages for field, messages in error.message_dict.items()}
        ) from error


def _whole_dong(price) -> Decimal:
    price = Decimal(price)
    if price != price.to_integral_value() or price < 0:
        raise ValidationError({"price": _("Enter a whole number of đồng, 0 or more.")})
    return price


@transaction.atomic
def product_create(
    *,
    cooperative: Cooperative,
    title: str,
    price: Decimal | int,
    num_in_stock: int,
    sku: str = "",
    product_class: ProductClass | None = None,
    description: str = "",
    categories: list[Category] | tuple[Category, ...] = (),
    image: ContentFile | None = None,
    origin_province_code: str = "",
    origin_commune_code: str = "",
    unit_label: str = "",
    net_weight_grams: int | None = None,
    shelf_life_days: int | None = None,
    harvest_months: list[int] | tuple[int, ...] = (),
    ocop_stars: int | None = None,
    ocop_certificate_number: str = "",
    ocop_issued_on: datetime.date | None = None,
    ocop_expires_on: datetime.date | None = None,
    certifications: list[dict] | tuple[dict, ...] = (),
    is_public: bool = True,
) -> Product:
    """List a new product of ``cooperative`` with its price, stock and photo.

    Prices are whole đồng: VND has no smaller unit. The origin is given by
    official codes and defaults to the cooperative's own commune.
    """
    price = _whole_dong(price)
    product_class = product_class or product_class_default()
    sku = sku or f"{cooperative.pk}-{get_random_string(8).lower()}"  # the manager left it empty
    if not origin_province_code:
        origin_province_code, origin_commune_code = (
            cooperative.province_code,
            cooperative.commune_code,
        )
    origin_province_name, origin_commune_name = _origin_names(
        province_code=origin_province_code, commune_code=origin_commune_code
    )
    product = Product(
        cooperative=cooperative,
        product_class=product_class,
        title=title,
        slug=_product_slug(title),
        description=description,
        structure=Product.STANDALONE,
        origin_province_code=origin_province_code,
        origin_province_name=origin_province_name,
        origin_commune_code=origin_commune_code,
        origin_commune_name=origin_commune_name,
        unit_label=unit_label,
        net_weight_grams=net_weight_grams,
        shelf_life_days=shelf_life_days,
        harvest_months=harvest_months_mask(harvest_months),
        ocop_stars=ocop_stars,
        ocop_certificate_number=ocop_certificate_number,
        ocop_issued_on=ocop_issued_on,
        ocop_expires_on=ocop_expires_on,
        is_public=is_public,
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
    for certification in certifications:
        held = ProductCertification(product=product, **certification)
        held.full_clean()
        held.save()
    if image is not None:
        ProductImage.objects.create(
            product=product, original=image_without_metadata(image), caption=title, display_order=0
        )
    return product


def _check_owned(*, cooperative: Cooperative, product: Product) -> None:
    if product.cooperative_id != cooperative.pk:
        raise PermissionDenied(_("This product belongs to another cooperative."))


def description_html(text: str) -> str:
    """Plain text typed by a manager as safe HTML paragraphs (oscar renders it as HTML)."""
    return linebreaks(escape(text.strip())) if text.strip() else ""


def description_text(html: str) -> str:
    """The plain text of a stored description, for editing it again."""
    paragraphs = re.split(r"</p>\s*<p>", html or "")
    return "\n\n".join(
        unescape(strip_tags(paragraph.replace("<br>", "\n"))).strip() for paragraph in paragraphs
    ).strip()


@transaction.atomic
def product_update(
    *,
    cooperative: Cooperative,
    product: Product,
    price: Decimal | int | None = None,
    num_in_stock: int | None = None,
    sku: str | None = None,
    categories: list[Category] | tuple[Category, ...] | None = None,
    harvest_months: list[int] | tuple[int, ...] | None = None,
    origin_province_code: str | None = None,
    origin_commune_code: str | None = None,
    certifications: list[dict] | tuple[dict, ...] | None = None,
    **fields,
) -> Product:
    """Change ``product`` of ``cooperative``; price and stock live on its stock record."""
    _check_owned(cooperative=cooperative, product=product)
    unknown = set(fields) - PRODUCT_FIELDS
    if unknown:
        raise TypeError(f"Not editable product fields: {', '.join(sorted(unknown))}")
    for field, value in fields.items():
        setattr(product, field, value)
    if "title" in fields:
        product.slug = _product_slug(product.title)
    if harvest_months is not None:
        product.harvest_months = harvest_months_mask(harvest_months)
    if origin_province_code is not None:
        product.origin_province_code = origin_province_code
        product.origin_commune_code = origin_commune_code or ""
        product.origin_province_name, product.origin_commune_name = _origin_names(
            province_code=product.origin_province_code, commune_code=product.origin_commune_code
        )
    product.full_clean()
    product.save()
    # A product staff made in the admin may have no stock record of its cooperative yet.
    stockrecord = (
        product.stockrecords.select_for_update().filter(partner=cooperative.partner).first()
    )
    if stockrecord is None:
        stockrecord = StockRecord(
            product=product,
            partner=cooperative.partner,
            partner_sku=sku or f"{cooperative.pk}-{product.pk}",
            price_currency="VND",
            num_in_stock=0,
        )
    if price is not None:
        stockrecord.price = _whole_dong(price)
    if num_in_stock is not None:
        stockrecord.num_in_stock = num_in_stock
    if sku is not None:
        stockrecord.partner_sku = sku
    stockrecord.full_clean()
    stockrecord.save()
    if categories is not None:
        ProductCategory.objects.filter(product=product).exclude(category__in=categories).delete()
        for category in categories:
            ProductCategory.objects.get_or_create(product=product, category=category)
    if certifications is not None:
        product.certifications.all().delete()
        for certification in certifications:
            held = ProductCertification(product=product, **certification)
            held.full_clean()
            held.save()
    return product


@transaction.atomic
def product_visibility_set(
    *, cooperative: Cooperative, product: Product, is_public: bool
) -> Product:
    """Show or hide ``product`` in the shop; hidden products keep their orders and data."""
    _check_owned(cooperative=cooperative, product=product)
    product.is_public = is_public
    product.save(update_fields=["is_public", "date_updated"])
    return product


@transaction.atomic
def product_image_add(*, cooperative: Cooperative, product: Product, upload) -> ProductImage:
    """Add a photo after the others; the upload is checked by its content first."""
    _check_owned(cooperative=cooperative, product=product)
    clean = image_without_metadata(upload)
    last = product.images.order_by("-display_order").values_list("display_order", flat=True).first()
    return ProductImage.objects.create(
        product=product,
        original=clean,
        caption=product.title,
        display_order=0 if last is None else last + 1,
    )


@transaction.atomic
def product_image_remove(*, cooperative: Cooperative, image: ProductImage) -> None:
    _check_owned(cooperative=cooperative, product=image.product)
    image.delete()


@transaction.atomic
def product_image_move(*, cooperative: Cooperative, image: ProductImage, offset: int) -> None:
    """Move a photo ``offset`` places (-1 earlier, +1 later); the first photo is the main one."""
    _check_owned(cooperative=cooperative, product=image.product)
    images = list(image.product.images.select_for_update().order_by("display_order", "pk"))
    position = images.index(image)
    target = max(0, min(len(images) - 1, position + offset))
    images.insert(target, images.pop(position))
    for order, each in enumerate(images):
        if each.display_order != order:
            each.display_order = order
            each.save(update_fields=["display_order"])


DEFAULT_PRODUCT_CLASS = "Đặc sản"


def product_class_default() -> ProductClass:
    """The product class of a cooperative's products: shipped, with stock counted.

    Oscar needs a class on every product; cooperatives sell one kind of thing, so
    managers never choose it.
    """
    product_class, _created = ProductClass.objects.get_or_create(
        name=DEFAULT_PRODUCT_CLASS, defaults={"requires_shipping": True, "track_stock": True}
    )
    return product_class
