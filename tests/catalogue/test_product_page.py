"""What a shopper sees on a product page, and what a shared link shows."""

import datetime
import json
import re

import pytest
from django.utils import timezone

from catalogue.models import ProductCertification
from catalogue.services import harvest_months_mask
from tests.factories import CooperativeFactory, ProductFactory

pytestmark = pytest.mark.django_db

NBSP = "\xa0"


@pytest.fixture
def honey():
    today = timezone.localdate()
    cooperative = CooperativeFactory(
        name="HTX Ong rừng Ba Bể", phone="0912345678", zalo_phone="0912345678"
    )
    product = ProductFactory(
        title="Mật ong rừng chai 500 ml",
        description="<p>Mật ong hoa rừng.</p>",
        cooperative=cooperative,
        unit_label="chai 500 ml",
        net_weight_grams=700,
        origin_province_code="19",
        origin_province_name="Thái Nguyên",
        origin_commune_code="01906",
        origin_commune_name="Xã Ba Bể",
        harvest_months=harvest_months_mask([today.month]),
        ocop_stars=4,
        ocop_certificate_number="OCOP-TN-2025-0412",
        ocop_issued_on=today - datetime.timedelta(days=400),
        ocop_expires_on=today + datetime.timedelta(days=300),
        stockrecords__price=280000,
    )
    ProductCertification.objects.create(product=product, kind="vietgap", certificate_number="VG-1")
    return product


def test_product_page_shows_cooperative_origin_ocop_certifications_and_season(client, honey):
    html = client.get(honey.get_absolute_url()).content.decode()
    assert f"280.000{NBSP}₫" in html
    assert "chai 500 ml" in html
    assert "HTX Ong rừng Ba Bể" in html
    assert 'href="tel:+84912345678"' in html
    assert 'href="https://zalo.me/0912345678"' in html
    assert "Xã Ba Bể, Thái Nguyên" in html
    assert "OCOP 4★" in html
    assert "VietGAP" in html
    assert "đang vào mùa" in html


def test_expired_ocop_certificate_hides_the_badge(client, honey):
    honey.ocop_expires_on = timezone.localdate() - datetime.timedelta(days=1)
    honey.save()
    html = client.get(honey.get_absolute_url()).content.decode()
    assert "OCOP 4★" not in html
    assert "OCOP-TN-2025-0412" not in html


def test_related_products_come_from_the_same_cooperative(client, honey):
    sibling = ProductFactory(cooperative=honey.cooperative, title="Phấn hoa")
    ProductFactory(title="Chè của HTX khác")
    response = client.get(honey.get_absolute_url())
    assert list(response.context["related_products"]) == [sibling]


def test_shared_link_shows_name_price_and_photo(client, honey):
    html = client.get(honey.get_absolute_url()).content.decode()
    assert '<meta property="og:title" content="Mật ong rừng chai 500 ml">' in html
    assert '<meta property="product:price:amount" content="280000">' in html
    assert re.search(
        r'<meta property="og:image" content="http://testserver/media/[^"]+\.jpg">', html
    )
    (raw,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    data = json.loads(raw)
    assert data["@type"] == "Product"
    assert data["name"] == "Mật ong rừng chai 500 ml"
    assert data["offers"]["price"] == "280000"
    assert data["offers"]["priceCurrency"] == "VND"
    assert data["offers"]["availability"] == "https://schema.org/InStock"
    assert data["brand"]["name"] == "HTX Ong rừng Ba Bể"


def test_script_in_a_title_cannot_break_out_of_the_json_ld(client):
    product = ProductFactory(title="</script><script>alert(1)</script>")
    html = client.get(product.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html


def test_pictures_are_webp_with_a_jpeg_fallback_in_two_widths(client, demo_store):
    from catalogue.models import Product

    product = Product.objects.get(title="Miến dong Bạch Thông gói 500 g")
    html = client.get(product.get_absolute_url()).content.decode()
    (picture,) = re.findall(r"<picture>.*?</picture>", html, re.S)[:1]
    webp = re.search(r'<source type="image/webp" srcset="([^"]+)"', picture).group(1)
    assert [part.split()[-1] for part in webp.split(", ")] == ["480w", "800w"]
    assert all(".webp" in part for part in webp.split(", "))
    assert re.search(r'<img src="[^"]+\.jpg" srcset="[^"]+ 480w, [^"]+ 800w"', picture)
    assert "/media/images/products/" not in picture  # the uploaded original is never sent


def test_cards_below_the_first_row_load_lazily(client, demo_store):
    html = client.get("/shop/catalogue/").content.decode()
    loading = re.findall(r'<img [^>]*loading="(\w+)"', html)
    assert loading[:4] == ["eager"] * 4
    assert set(loading[4:]) == {"lazy"}


def test_a_12_megapixel_upload_never_reaches_a_phone(client, settings):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from catalogue.models import ProductImage

    buffer = io.BytesIO()
    Image.new("RGB", (4000, 3000), (120, 160, 90)).save(buffer, format="JPEG", quality=60)
    product = ProductFactory(title="Chè búp")
    image = ProductImage.objects.create(
        product=product, original=SimpleUploadedFile("camera.jpg", buffer.getvalue())
    )
    pages = [client.get(product.get_absolute_url()), client.get("/shop/catalogue/")]
    for html in (page.content.decode() for page in pages):
        assert image.original.url not in html
        widths = [int(w) for w in re.findall(r" (\d+)w[,\"]", html)]
        assert widths and max(widths) <= 960


def test_a_paused_cooperatives_products_are_not_sold_by_direct_link(client, honey):
    honey.cooperative.is_active = False
    honey.cooperative.save()
    assert client.get(honey.get_absolute_url()).status_code == 404


def test_ocop_certificate_valid_through_its_last_day(client, honey):
    honey.ocop_expires_on = timezone.localdate()
    honey.save()
    assert "OCOP 4★" in client.get(honey.get_absolute_url()).content.decode()


def test_an_ocop_rating_recognised_in_the_future_shows_no_badge_yet(client, honey):
    honey.ocop_issued_on = timezone.localdate() + datetime.timedelta(days=10)
    honey.ocop_expires_on = honey.ocop_issued_on + datetime.timedelta(days=1000)
    honey.save()
    assert "OCOP 4★" not in client.get(honey.get_absolute_url()).content.decode()
