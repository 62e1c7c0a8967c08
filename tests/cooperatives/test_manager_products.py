"""A manager keeps their cooperative's products up to date from a phone."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from catalogue.models import Product
from tests.factories import CategoryFactory, CooperativeFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db


def photo(name="anh.jpg", size=(64, 48), fmt="JPEG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 150, 80)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def manager_client(client):
    manager = UserFactory()
    cooperative = CooperativeFactory(managers=[manager])
    client.force_login(manager)
    client.cooperative = cooperative
    client.base = f"/quan-ly/{cooperative.slug}/san-pham/"
    return client


def product_form(**overrides):
    data = {
        "title": "Măng khô gói 500 g",
        "description": "Măng vầu rừng.\n\nPhơi củi <script>alert(1)</script>",
        "price": "150000",
        "num_in_stock": "20",
        "unit_label": "gói 500 g",
        "net_weight_grams": "500",
        "origin_province_code": "19",
        "origin_commune_code": "01906",
        "harvest_months": ["5", "6", "7"],
    }
    data.update(overrides)
    return data


def test_manager_lists_a_product_with_a_photo(manager_client):
    category = CategoryFactory(name="Măng & rau rừng")
    response = manager_client.post(
        manager_client.base + "them/",
        product_form(categories=[category.pk], photo=photo()),
    )
    assert response.status_code == 302
    product = Product.objects.get(title="Măng khô gói 500 g")
    stockrecord = product.stockrecords.get()
    assert product.cooperative == manager_client.cooperative
    assert (stockrecord.price, stockrecord.num_in_stock) == (150000, 20)
    assert stockrecord.partner == manager_client.cooperative.partner
    assert product.harvest_month_numbers == [5, 6, 7]
    assert product.origin == "Xã Ba Bể, Thái Nguyên"
    assert list(product.categories.all()) == [category]
    assert product.images.count() == 1
    assert "<script>" not in product.description  # typed text is escaped, not trusted HTML
    assert "&lt;script&gt;" in product.description


def test_bad_input_is_refused_with_messages_and_what_was_typed_stays(manager_client):
    response = manager_client.post(
        manager_client.base + "them/",
        product_form(price="12,5", num_in_stock="-1", origin_commune_code="00004"),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) >= {"price", "num_in_stock", "origin_commune_code"}
    html = response.content.decode()
    assert 'value="Măng khô gói 500 g"' in html
    assert "Măng vầu rừng." in html
    assert not Product.objects.exists()


def test_a_half_filled_ocop_rating_is_refused(manager_client):
    response = manager_client.post(manager_client.base + "them/", product_form(ocop_stars="4"))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert not Product.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("anh.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg"),
            "hình ảnh hợp lệ",  # Django's own check, in Vietnamese
        ),
        (photo(size=(8000, 6000)), "8000 × 6000"),
    ],
)
def test_uploads_are_checked_by_content(manager_client, settings, upload, message):
    settings.MAX_IMAGE_UPLOAD_PIXELS = 40_000_000
    response = manager_client.post(manager_client.base + "them/", product_form(photo=upload))
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["photo"])
    assert message in errors
    assert not Product.objects.exists()


def test_oversized_upload_is_refused(manager_client, settings):
    settings.MAX_IMAGE_UPLOAD_BYTES = 1000
    response = manager_client.post(
        manager_client.base + "them/", product_form(photo=photo(size=(400, 400)))
    )
    assert "photo" in response.context["form"].errors
    assert not Product.objects.exists()


def test_a_decompression_bomb_is_refused(manager_client, settings):
    settings.MAX_IMAGE_UPLOAD_PIXELS = 1_000_000
    bomb = photo(size=(2000, 2000), fmt="PNG", name="bom.png")  # compresses to a few KB
    assert bomb.size < 100_000
    response = manager_client.post(manager_client.base + "them/", product_form(photo=bomb))
    assert "photo" in response.context["form"].errors


def test_manager_edits_price_stock_and_text(manager_client):
    product = ProductFactory(cooperative=manager_client.cooperative, title="Miến cũ")
    url = f"{manager_client.base}{product.pk}/"
    form = manager_client.get(url).context["form"]
    assert form.initial["price"] == 125000
    response = manager_client.post(
        url, product_form(title="Miến mới", price="99000", num_in_stock="7")
    )
    assert response.status_code == 302
    product.refresh_from_db()
    stockrecord = product.stockrecords.get()
    assert (product.title, stockrecord.price, stockrecord.num_in_stock) == ("Miến mới", 99000, 7)


def test_hide_and_show_again(manager_client, client):
    product = ProductFactory(cooperative=manager_client.cooperative)
    url = f"{manager_client.base}{product.pk}/hien-thi/"
    manager_client.post(url, {"is_public": "0"})
    product.refresh_from_db()
    assert not product.is_public
    assert client.get(product.get_absolute_url()).status_code == 404  # gone from the shop
    manager_client.post(url, {"is_public": "1"})
    product.refresh_from_db()
    assert product.is_public


def test_photos_are_added_reordered_and_removed(manager_client):
    product = ProductFactory(cooperative=manager_client.cooperative)
    base = f"{manager_client.base}{product.pk}/anh/"
    for name in ("a.jpg", "b.jpg", "c.jpg"):
        assert manager_client.post(base, {"photo": photo(name=name)}).status_code == 302
    first, second, third = product.images.order_by("display_order")
    manager_client.post(f"{base}{third.pk}/chuyen/", {"direction": "up"})
    assert list(product.images.order_by("display_order")) == [first, third, second]
    manager_client.post(f"{base}{first.pk}/xoa/")
    assert list(product.images.order_by("display_order")) == [third, second]
    assert product.primary_image() == third


def test_a_non_image_photo_upload_is_refused_with_a_message(manager_client):
    product = ProductFactory(cooperative=manager_client.cooperative)
    fake = SimpleUploadedFile("x.png", b"MZ\x90\x00 a windows program", content_type="image/png")
    response = manager_client.post(
        f"{manager_client.base}{product.pk}/anh/", {"photo": fake}, follow=True
    )
    assert product.images.count() == 0
    assert list(response.context["messages"])


def test_list_shows_hidden_products_too_and_searches_without_accents(manager_client):
    ProductFactory(cooperative=manager_client.cooperative, title="Mật ong rừng", is_public=False)
    ProductFactory(cooperative=manager_client.cooperative, title="Chè xanh")
    ProductFactory(title="Mật ong của HTX khác")
    response = manager_client.get(manager_client.base, {"q": "mat ong"})
    assert [p.title for p in response.context["products"]] == ["Mật ong rừng"]


def test_a_name_of_only_symbols_is_refused_not_a_server_error(manager_client):
    response = manager_client.post(manager_client.base + "them/", product_form(title="★★★"))
    assert response.status_code == 200
    assert "title" in response.context["form"].errors
    assert not Product.objects.exists()


def test_editing_stock_keeps_categories_and_rich_descriptions_set_elsewhere(manager_client):
    honey, tea = CategoryFactory(name="Mật ong"), CategoryFactory(name="Quà Tết")
    product = ProductFactory(
        cooperative=manager_client.cooperative,
        title="Mật ong",
        description="<p>Mật ong <strong>hoa rừng</strong>.</p><ul><li>500 ml</li></ul>",
        categories=None,
    )
    product.categories.add(honey, tea)
    url = f"{manager_client.base}{product.pk}/"
    form = manager_client.get(url).context["form"]
    data = {key: value for key, value in form.initial.items() if value not in (None, "")}
    data["categories"] = [c.pk for c in data["categories"]]
    data.update(num_in_stock="3", origin_province_code="19")
    response = manager_client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    product.refresh_from_db()
    assert set(product.categories.all()) == {honey, tea}
    assert "<strong>hoa rừng</strong>" in product.description
    assert product.stockrecords.get().num_in_stock == 3


def test_a_product_without_a_stock_record_of_the_cooperative_can_be_priced(manager_client):
    product = ProductFactory(cooperative=manager_client.cooperative, stockrecords=None)
    url = f"{manager_client.base}{product.pk}/"
    assert manager_client.get(url).status_code == 200
    assert manager_client.post(url, product_form(price="45000")).status_code == 302
    assert product.stockrecords.get().price == 45000


def test_visibility_ignores_a_next_address_from_outside(manager_client):
    product = ProductFactory(cooperative=manager_client.cooperative)
    response = manager_client.post(
        f"{manager_client.base}{product.pk}/hien-thi/",
        {"is_public": "0", "next": "https://evil.example/"},
    )
    assert response["Location"] == f"{manager_client.base}{product.pk}/"


def test_an_image_of_another_cooperative_cannot_be_moved_or_removed(manager_client):
    from catalogue.models import ProductImage

    own = ProductFactory(cooperative=manager_client.cooperative)
    foreign_image = ProductImage.objects.create(
        product=ProductFactory(), original="images/products/x.jpg"
    )
    for action in ("xoa/", "chuyen/"):
        url = f"{manager_client.base}{own.pk}/anh/{foreign_image.pk}/{action}"
        assert manager_client.post(url, {"direction": "up"}).status_code == 404
    assert ProductImage.objects.filter(pk=foreign_image.pk).exists()


def test_photo_location_and_file_name_are_not_published(manager_client):
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make; GPS tags travel in the same EXIF block
    exif[0x010E] = "Nha ong Lan, thon Pac Ngoi"  # ImageDescription
    Image.new("RGB", (64, 48), (10, 120, 30)).save(buffer, format="JPEG", exif=exif)
    upload = SimpleUploadedFile(
        "nha-ong-lan-ba-be.jpg", buffer.getvalue(), content_type="image/jpeg"
    )
    product = ProductFactory(cooperative=manager_client.cooperative)
    manager_client.post(f"{manager_client.base}{product.pk}/anh/", {"photo": upload})
    stored = product.images.get().original
    assert "nha-ong-lan" not in stored.name
    with Image.open(stored) as image:
        assert not image.getexif()
