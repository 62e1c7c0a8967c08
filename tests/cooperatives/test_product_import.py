"""Spreadsheet import and export of a cooperative's products (CSV and XLSX)."""

import csv
import io
from decimal import Decimal
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from oscar.apps.partner.models import StockRecord

from catalogue.models import Category, Product, ProductClass
from cooperatives import tasks
from cooperatives.models import ProductImport
from cooperatives.services import product_import as import_services
from cooperatives.services.product_import import (
    product_export,
    product_import_apply,
    product_import_prepare,
    product_import_progress,
    product_import_start,
)
from tests.factories import CategoryFactory, CooperativeFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _product_class(db):
    ProductClass.objects.get_or_create(name="Đặc sản", defaults={"track_stock": True})


@pytest.fixture
def manager():
    return UserFactory()


@pytest.fixture
def farm(manager):
    return CooperativeFactory(name="HTX Miến dong Na Rì", managers=[manager])


def csv_upload(rows, name="san-pham.csv", *, encoding="utf-8"):
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(encoding), content_type="text/csv")


def xlsx_upload(rows, name="san-pham.xlsx"):
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=XLSX)


def prepare(farm, user, upload) -> ProductImport:
    return product_import_prepare(cooperative=farm, user=user, uploaded_file=upload)


def listed(farm, *, sku, title="Miến dong gói 500 g", price=125000, stock=40, **fields):
    """A product of ``farm`` with the stock record code ``sku``."""
    product = ProductFactory(cooperative=farm, title=title, stockrecords=None, **fields)
    StockRecord.objects.create(
        product=product,
        partner=farm.partner,
        partner_sku=sku,
        price=Decimal(price),
        price_currency="VND",
        num_in_stock=stock,
    )
    return product


def stock_of(farm, sku) -> StockRecord:
    return StockRecord.objects.select_related("product").get(partner=farm.partner, partner_sku=sku)


# Export and import are one round trip --------------------------------------------------------


def _catalogue_of(farm):
    category = CategoryFactory(name="Đặc sản khô")
    dried = listed(
        farm,
        sku="MD-500",
        title="Miến dong gói 500 g",
        price=125000,
        stock=40,
        unit_label="gói 500 g",
        net_weight_grams=500,
        harvest_months=0b111 << 8,  # September to November
        description="<p>Miến làm từ củ dong riềng.</p>\n\n<p>Không chất tẩy trắng & phẩm màu.</p>",
        categories=None,
    )
    dried.categories.add(category)
    listed(
        farm,
        sku="=HYPERLINK(1)",  # a code a spreadsheet would run as a formula
        title="-Măng khô",
        price=90000,
        stock=0,
        is_public=False,
        categories=None,
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(farm, manager, fmt):
    _catalogue_of(farm)
    content, content_type, filename = product_export(cooperative=farm, fmt=fmt)
    assert filename.endswith(f".{fmt}")
    assert content_type.startswith("text/csv" if fmt == "csv" else XLSX)

    product_import = prepare(farm, manager, SimpleUploadedFile(filename, content))

    assert product_import.status == ProductImport.DRY_RUN_OK, product_import.report["errors"]
    assert product_import.file_format == fmt
    assert product_import.total_rows == 2
    report = product_import.report
    assert (report["create_count"], report["update_count"], report["unchanged_count"]) == (0, 0, 2)


def test_export_has_the_import_columns_and_no_formulas(farm):
    _catalogue_of(farm)
    with translation.override("vi"):
        content, _type, _name = product_export(cooperative=farm, fmt="xlsx")
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "mã",
        "tên",
        "giá",
        "tồn kho",
        "đơn vị",
        "khối lượng",
        "danh mục",
        "mô tả",
        "mùa vụ",
        "hiển thị",
    )
    assert rows[1][0] == "=HYPERLINK(1)"  # sorted by name: "-Măng khô" first
    assert sheet["A2"].data_type == "s"  # text, never a formula
    assert rows[2] == (
        "MD-500",
        "Miến dong gói 500 g",
        125000,
        40,
        "gói 500 g",
        500,
        "Đặc sản khô",
        "Miến làm từ củ dong riềng.\n\nKhông chất tẩy trắng & phẩm màu.",
        "9,10,11",
        "có",
    )
    text, _type, _name = product_export(cooperative=farm, fmt="csv")
    assert text.startswith(b"\xef\xbb\xbf")  # a BOM, so that Excel reads UTF-8
    assert "'=HYPERLINK(1),'-Măng khô,90000,0" in text.decode("utf-8-sig")


def test_export_of_english_pages_has_english_headers(farm):
    with translation.override("en"):
        content, _type, _name = product_export(cooperative=farm, fmt="csv")
    assert content.decode("utf-8-sig").splitlines()[0] == (
        "sku,title,price,stock,unit,weight_grams,category,description,harvest_months,is_public"
    )


# The dry run -----------------------------------------------------------------------------


def test_dry_run_lists_creates_and_changes_and_writes_nothing(farm, manager):
    listed(farm, sku="MD-500", price=125000, stock=40)
    products_before = Product.objects.count()

    product_import = prepare(
        farm,
        manager,
        csv_upload(
            [
                ["sku", "title", "price", "stock"],
                ["MD-500", "", "130000", "40"],
                ["MD-1KG", "Miến dong gói 1 kg", "230000", "12"],
            ]
        ),
    )

    assert product_import.status == ProductImport.DRY_RUN_OK
    report = product_import.report
    assert report["create"] == [
        {
            "row": 3,
            "sku": "MD-1KG",
            "title": "Miến dong gói 1 kg",
            "price": "230.000\u00a0₫",
            "stock": 12,
        }
    ]
    assert report["update"] == [
        {
            "row": 2,
            "sku": "MD-500",
            "title": "Miến dong gói 500 g",
            "changes": [{"column": "price", "old": "125.000\u00a0₫", "new": "130.000\u00a0₫"}],
        }
    ]
    assert Product.objects.count() == products_before
    assert stock_of(farm, "MD-500").price == Decimal("125000")
    assert not StockRecord.objects.filter(partner_sku="MD-1KG").exists()

    product_import_start(product_import=product_import)

    product_import.refresh_from_db()
    assert product_import.status == ProductImport.DONE
    assert product_import.processed_rows == product_import.total_rows == 2
    assert stock_of(farm, "MD-500").price == Decimal("130000")
    created = stock_of(farm, "MD-1KG")
    assert (created.product.title, created.price, created.num_in_stock) == (
        "Miến dong gói 1 kg",
        Decimal("230000"),
        12,
    )
    assert created.product.cooperative == farm


def test_vietnamese_headers_and_written_out_numbers(farm, manager):
    CategoryFactory(name="Đặc sản khô")
    listed(farm, sku="MD-500", price=100000, stock=5)
    product_import = prepare(
        farm,
        manager,
        csv_upload(
            [
                [
                    "Mã",
                    "TÊN",
                    "Giá (đồng)",
                    "tồn kho",
                    "Đơn vị",
                    "khoi luong",
                    "Danh mục",
                    "Mô tả",
                    "Mùa vụ",
                    "Hiển thị",
                ],
                ["MD-500", "", "125.000", "1.200", "", "", "", "", "", "không"],
                [
                    "MD-1KG",
                    "Miến 1 kg",
                    "125,000",
                    "7",
                    "gói 1 kg",
                    "1000",
                    "dac san kho",
                    "Thơm ngon.",
                    "9-11",
                    "có",
                ],
                ["MD-2KG", "Miến 2 kg", "250 000 ₫", "", "", "", "", "", "12", ""],
            ]
        ),
    )

    assert product_import.status == ProductImport.DRY_RUN_OK, product_import.report["errors"]
    product_import_start(product_import=product_import)

    assert product_import.status == ProductImport.DONE
    changed = stock_of(farm, "MD-500")
    assert (changed.price, changed.num_in_stock, changed.product.is_public) == (
        Decimal("125000"),
        1200,
        False,
    )
    one_kg = stock_of(farm, "MD-1KG")
    assert one_kg.price == Decimal("125000")
    assert one_kg.product.unit_label == "gói 1 kg"
    assert one_kg.product.net_weight_grams == 1000
    assert [c.name for c in one_kg.product.categories.all()] == ["Đặc sản khô"]
    assert one_kg.product.harvest_month_numbers == [9, 10, 11]
    assert one_kg.product.description == "<p>Thơm ngon.</p>"
    two_kg = stock_of(farm, "MD-2KG")
    assert (two_kg.price, two_kg.num_in_stock, two_kg.product.is_public) == (
        Decimal("250000"),
        0,
        True,
    )


def test_xlsx_cells_keep_their_numbers(farm, manager):
    product_import = prepare(
        farm,
        manager,
        xlsx_upload([["mã", "tên", "giá", "tồn kho"], [1001, "Mật ong", 350000, 8.0]]),
    )
    assert product_import.status == ProductImport.DRY_RUN_OK, product_import.report["errors"]
    product_import_start(product_import=product_import)
    honey = stock_of(farm, "1001")
    assert (honey.product.title, honey.price, honey.num_in_stock) == ("Mật ong", 350000, 8)


# Errors by row and column: nothing is written ---------------------------------------------


def test_one_bad_row_reports_row_and_column_and_writes_nothing(farm, manager):
    listed(farm, sku="MD-500", price=125000)
    products_before = Product.objects.count()
    product_import = prepare(
        farm,
        manager,
        csv_upload(
            [
                ["mã", "tên", "giá"],
                ["MD-500", "", "99000"],
                ["MD-1KG", "Miến 1 kg", "125000,5"],
                ["MD-2KG", "Miến 2 kg", "-5"],
                ["MD-3KG", "Miến 3 kg", "300000"],
            ]
        ),
    )

    assert product_import.status == ProductImport.INVALID
    errors = product_import.report["errors"]
    assert [(error["row"], error["column"]) for error in errors] == [(3, "giá"), (4, "giá")]
    assert errors[0]["message"] == _(
        "Write the price as a whole number of đồng, e.g. 125000 or 125.000, without decimals."
    )
    assert errors[1]["message"] == _("A price cannot be negative.")

    product_import_start(product_import=product_import)
    assert not product_import_start(product_import=product_import)

    product_import.refresh_from_db()
    assert product_import.status == ProductImport.INVALID
    assert Product.objects.count() == products_before
    assert stock_of(farm, "MD-500").price == Decimal("125000")  # the good row waited too


def test_header_problems_and_missing_values_are_reported(farm, manager):
    listed(farm, sku="MD-500")
    product_import = prepare(
        farm,
        manager,
        csv_upload(
            [
                ["mã", "tên", "giá", "màu sắc", "price", ""],
                ["MD-1", "", "10000", "đỏ", "1", ""],
            ]
        ),
    )
    assert product_import.status == ProductImport.INVALID
    assert [(e["row"], e["column"]) for e in product_import.report["errors"]] == [
        (1, "màu sắc"),
        (1, "price"),
        (2, "tên"),  # reported in the same upload as the header's problems
    ]

    product_import = prepare(
        farm,
        manager,
        csv_upload(
            [
                ["sku", "title", "price", "category", "harvest_months", "is_public"],
                ["NEW-1", "", "", "Không có", "13", "có lẽ"],
                ["MD-500", "Miến", "1000", "", "", ""],
                ["MD-500", "Miến", "1000", "", "", ""],
            ]
        ),
    )
    assert [(e["row"], e["column"]) for e in product_import.report["errors"]] == [
        (2, "category"),
        (2, "harvest_months"),
        (2, "is_public"),
        (2, "title"),
        (2, "price"),
        (4, "sku"),
    ]


def test_rows_checked_again_when_applied(farm, manager):
    """A category removed after the dry run stops the whole import, good rows too."""
    category = CategoryFactory(name="Mật ong")
    product_import = prepare(
        farm,
        manager,
        csv_upload(
            [
                ["mã", "tên", "giá", "danh mục"],
                ["MO-1", "Mật ong bạc hà", "350000", ""],
                ["MO-2", "Mật ong rừng", "420000", "Mật ong"],
            ]
        ),
    )
    assert product_import.status == ProductImport.DRY_RUN_OK
    category.delete()

    product_import_start(product_import=product_import)

    assert product_import.status == ProductImport.INVALID
    assert product_import.report["errors"][0]["row"] == 3
    assert not StockRecord.objects.filter(partner_sku__in=["MO-1", "MO-2"]).exists()


def test_a_failure_while_writing_rolls_back_every_row(farm, manager):
    listed(farm, sku="MD-500", price=125000)
    product_import = prepare(
        farm,
        manager,
        csv_upload([["mã", "tên", "giá"], ["MO-1", "Mật ong", "350000"], ["MD-500", "", "1"]]),
    )
    with mock.patch.object(
        import_services.catalogue_services, "product_update", side_effect=RuntimeError("disk")
    ):
        product_import_start(product_import=product_import)

    assert product_import.status == ProductImport.FAILED
    assert product_import.processed_rows == 0
    assert product_import.report["message"]
    assert not StockRecord.objects.filter(partner_sku="MO-1").exists()  # row 2 was undone
    assert stock_of(farm, "MD-500").price == Decimal("125000")

    product_import_start(product_import=product_import)  # a failed import may be retried
    product_import.refresh_from_db()
    assert product_import.status == ProductImport.DONE
    assert stock_of(farm, "MD-500").price == Decimal("1")


# Files that are refused: nothing is stored ------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("san-pham.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not_utf8"),
        ("san-pham.csv", b"ma,ten\x00\x01,gia\n", "binary"),
        ("san-pham.csv", "tên,giá\nMiên,1".encode("cp1258"), "not_utf8"),
        ("san-pham.xlsx", b"\x00\x01\x02 not a zip at all \xff\xfe", "not_xlsx"),
        ("san-pham.xlsx", "mã,tên,giá\nMD-1,Miến,1000\n".encode(), "not_xlsx"),
        ("san-pham.xlsx", b"PK\x03\x04 broken zip", "not_xlsx"),
        ("san-pham.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old_excel"),
        ("san-pham.csv", b"", "empty"),
    ],
)
def test_files_that_are_not_spreadsheets_are_refused(farm, manager, name, content, code):
    with pytest.raises(ValidationError) as refused:
        prepare(farm, manager, SimpleUploadedFile(name, content))
    assert refused.value.code == code
    assert not ProductImport.objects.exists()


def test_a_zip_that_is_not_a_workbook_is_refused(farm, manager):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(ValidationError) as refused:
        prepare(farm, manager, SimpleUploadedFile("san-pham.xlsx", buffer.getvalue()))
    assert refused.value.code == "not_xlsx"


def test_utf8_with_bom_and_semicolons_is_read(farm, manager):
    upload = SimpleUploadedFile(
        "san-pham.csv", "mã;tên;giá\r\nMD-1;Miến dong;125.000\r\n".encode("utf-8-sig")
    )
    product_import = prepare(farm, manager, upload)
    assert product_import.status == ProductImport.DRY_RUN_OK, product_import.report["errors"]
    assert product_import.report["create"][0]["title"] == "Miến dong"


def test_oversized_and_overlong_files_are_refused(farm, manager, settings):
    settings.PRODUCT_IMPORT_MAX_BYTES = 200
    settings.PRODUCT_IMPORT_MAX_ROWS = 3
    big = csv_upload([["mã", "tên", "giá"]] + [["MD", "x" * 100, "1"]] * 3)
    with pytest.raises(ValidationError) as refused:
        prepare(farm, manager, big)
    assert refused.value.code == "too_large"

    long = csv_upload([["mã", "giá"]] + [[f"M{n}", "1"] for n in range(4)])
    with pytest.raises(ValidationError) as refused:
        prepare(farm, manager, long)
    assert refused.value.code == "too_many_rows"
    assert "3" in refused.value.messages[0]

    exactly = csv_upload([["mã", "tên", "giá"]] + [[f"M{n}", "Mì", "1"] for n in range(3)])
    assert prepare(farm, manager, exactly).total_rows == 3
    assert ProductImport.objects.count() == 1


# Applying: in Celery, with progress, once --------------------------------------------------


def _many_rows(count):
    return [["mã", "tên", "giá", "tồn kho"]] + [
        [f"SP-{n:04d}", f"Sản phẩm {n}", "10.000", str(n)] for n in range(count)
    ]


def test_a_large_import_runs_in_the_celery_task(farm, manager, django_capture_on_commit_callbacks):
    product_import = prepare(farm, manager, csv_upload(_many_rows(500)))
    assert product_import.total_rows == 500

    with (
        mock.patch.object(
            tasks.product_import_apply_task,
            "delay",
            wraps=tasks.product_import_apply_task.delay,
        ) as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert product_import_start(product_import=product_import)
        product_import.refresh_from_db()
        assert product_import.status == ProductImport.QUEUED  # queued, not applied in place

    delay.assert_called_once_with(product_import.pk)
    product_import.refresh_from_db()
    assert product_import.status == ProductImport.DONE
    assert product_import.processed_rows == product_import.total_rows == 500
    assert StockRecord.objects.filter(partner=farm.partner).count() == 500
    assert product_import.finished_at is not None


def test_progress_is_read_from_the_shared_cache_while_running(farm, manager):
    product_import = prepare(farm, manager, csv_upload(_many_rows(3)))
    ProductImport.objects.filter(pk=product_import.pk).update(status=ProductImport.RUNNING)
    product_import.refresh_from_db()
    cache.set(import_services._progress_key(product_import.pk), 2)
    try:
        assert product_import_progress(product_import=product_import) == 2
    finally:
        cache.delete(import_services._progress_key(product_import.pk))


def test_progress_is_saved_while_applying(farm, manager, settings):
    product_import = prepare(farm, manager, csv_upload(_many_rows(120)))
    with mock.patch.object(import_services, "cache") as shared_cache:
        product_import_start(product_import=product_import)
    assert [call.args[1] for call in shared_cache.set.call_args_list] == [0, 50, 100]
    assert product_import.processed_rows == 120


def test_applying_twice_creates_nothing_new(farm, manager):
    rows = [["mã", "tên", "giá"], ["MO-1", "Mật ong", "350000"], ["MO-2", "Mật ong rừng", "1"]]
    product_import = prepare(farm, manager, csv_upload(rows))
    product_import_start(product_import=product_import)
    finished_at = product_import.finished_at
    product_import_start(product_import=product_import)
    assert not product_import_start(product_import=product_import)
    assert product_import.finished_at == finished_at
    assert Product.objects.filter(cooperative=farm).count() == 2

    again = prepare(farm, manager, csv_upload(rows))  # the same file, uploaded again
    assert again.report["create_count"] == 0
    assert again.report["unchanged_count"] == 2
    product_import_start(product_import=again)
    assert again.status == ProductImport.DONE
    assert Product.objects.filter(cooperative=farm).count() == 2


def test_the_task_can_run_twice(farm, manager):
    product_import = prepare(farm, manager, csv_upload(_many_rows(3)))
    ProductImport.objects.filter(pk=product_import.pk).update(status=ProductImport.QUEUED)

    tasks.product_import_apply_task(product_import.pk)
    product_import.refresh_from_db()
    finished_at = product_import.finished_at
    assert product_import.status == ProductImport.DONE
    with mock.patch.object(tasks, "product_import_apply") as service:
        tasks.product_import_apply_task(product_import.pk)
    service.assert_not_called()
    tasks.product_import_apply_task(product_import.pk)  # and for real, nothing more happens
    product_import.refresh_from_db()
    assert product_import.finished_at == finished_at
    assert StockRecord.objects.filter(partner=farm.partner).count() == 3
    tasks.product_import_apply_task(987654)  # an import that is gone is ignored


# The console pages -----------------------------------------------------------------------


def test_manager_uploads_checks_and_applies_from_the_console(farm, manager, client):
    client.force_login(manager)
    url = reverse("manager:product-import", args=[farm.slug])
    page = client.get(url)
    assert page.status_code == 200
    assert page.context["console_section"] == "import"
    assert "mùa vụ" in page.content.decode()
    assert reverse("manager:product-export", args=[farm.slug]) in page.content.decode()

    response = client.post(
        url, {"file": csv_upload([["mã", "tên", "giá"], ["MO-1", "Mật ong", "350.000"]])}
    )
    product_import = ProductImport.objects.get()
    detail = reverse("manager:product-import-detail", args=[farm.slug, product_import.pk])
    assert response.status_code == 302
    assert response["Location"] == detail
    report = client.get(detail).content.decode()
    assert "MO-1" in report
    assert "350.000" in report
    assert reverse("manager:product-import-apply", args=[farm.slug, product_import.pk]) in report
    assert 'http-equiv="refresh"' not in report

    applied = client.post(
        reverse("manager:product-import-apply", args=[farm.slug, product_import.pk])
    )
    assert applied.status_code == 302
    product_import.refresh_from_db()
    assert product_import.status == ProductImport.DONE
    assert stock_of(farm, "MO-1").price == Decimal("350000")


def test_upload_page_shows_why_a_file_is_refused(farm, manager, client):
    client.force_login(manager)
    response = client.post(
        reverse("manager:product-import", args=[farm.slug]),
        {"file": SimpleUploadedFile("anh.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00")},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not ProductImport.objects.exists()


def test_progress_page_reloads_itself_while_running(farm, manager, client):
    client.force_login(manager)
    product_import = prepare(farm, manager, csv_upload(_many_rows(4)))
    ProductImport.objects.filter(pk=product_import.pk).update(status=ProductImport.RUNNING)
    cache.set(import_services._progress_key(product_import.pk), 1)
    try:
        response = client.get(
            reverse("manager:product-import-detail", args=[farm.slug, product_import.pk])
        )
    finally:
        cache.delete(import_services._progress_key(product_import.pk))
    html = response.content.decode()
    assert '<meta http-equiv="refresh" content="3">' in html
    assert response.context["processed_rows"] == 1
    assert response.context["percent"] == 25


def test_export_downloads(farm, manager, client):
    listed(farm, sku="MD-500")
    client.force_login(manager)
    url = reverse("manager:product-export", args=[farm.slug])
    response = client.get(url, {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    assert load_workbook(io.BytesIO(response.content)).active["A2"].value == "MD-500"
    assert client.get(url, {"format": "pdf"}).status_code == 400


def test_other_cooperatives_get_404_and_visitors_log_in(farm, manager, client):
    own_import = prepare(farm, manager, csv_upload([["mã", "tên", "giá"], ["M", "Mì", "1"]]))
    neighbour = UserFactory()
    neighbour_farm = CooperativeFactory(managers=[neighbour])
    neighbour_import = prepare(
        neighbour_farm, neighbour, csv_upload([["mã", "tên", "giá"], ["M", "Mì", "1"]])
    )
    ours = [
        ("get", reverse("manager:product-import", args=[farm.slug])),
        ("get", reverse("manager:product-import-detail", args=[farm.slug, own_import.pk])),
        ("post", reverse("manager:product-import-apply", args=[farm.slug, own_import.pk])),
        ("get", reverse("manager:product-export", args=[farm.slug]) + "?format=csv"),
    ]
    # The neighbour's own console, with our import's number: scoped to their cooperative.
    smuggled = [
        (
            "get",
            reverse("manager:product-import-detail", args=[neighbour_farm.slug, own_import.pk]),
        ),
        (
            "post",
            reverse("manager:product-import-apply", args=[neighbour_farm.slug, own_import.pk]),
        ),
    ]

    for method, url in ours:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert reverse("customer:login") in response["Location"]

    client.force_login(neighbour)
    for method, url in ours + smuggled:
        assert getattr(client, method)(url).status_code == 404, url
    assert (
        client.get(
            reverse(
                "manager:product-import-detail", args=[neighbour_farm.slug, neighbour_import.pk]
            )
        ).status_code
        == 200
    )
    own_import.refresh_from_db()
    assert own_import.status == ProductImport.DRY_RUN_OK  # nobody applied it
    assert not StockRecord.objects.filter(partner=farm.partner).exists()


def test_category_names_match_without_accents_and_by_path(farm, manager):
    parent = CategoryFactory(name="Đặc sản")
    parent.add_child(name="Miến")
    other = CategoryFactory(name="Khô")
    other.add_child(name="Miến")
    rows = [["mã", "tên", "giá", "danh mục"], ["A", "Miến A", "1", "MIEN"]]
    ambiguous = prepare(farm, manager, csv_upload(rows))
    assert ambiguous.status == ProductImport.INVALID
    assert "Đặc sản > Miến" in ambiguous.report["errors"][0]["message"]

    rows[1][3] = "dac san > mien; Khô"
    product_import = prepare(farm, manager, csv_upload(rows))
    assert product_import.status == ProductImport.DRY_RUN_OK, product_import.report["errors"]
    product_import_start(product_import=product_import)
    names = sorted(c.name for c in stock_of(farm, "A").product.categories.all())
    assert names == ["Khô", "Miến"]
    assert Category.objects.filter(name="Miến").count() == 2

    content, _type, _name = product_export(cooperative=farm, fmt="csv")
    assert "Đặc sản > Miến; Khô" in content.decode("utf-8-sig")
    again = prepare(farm, manager, SimpleUploadedFile("x.csv", content))
    assert again.report["unchanged_count"] == 1, again.report


def test_dry_run_queries_do_not_grow_with_rows(farm, manager):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for(count):
        for n in range(count):
            listed(farm, sku=f"Q{count}-{n}", categories=None)
        content, _type, name = product_export(cooperative=farm, fmt="csv")
        with CaptureQueriesContext(connection) as captured:
            product_import = prepare(farm, manager, SimpleUploadedFile(name, content))
        assert product_import.report["unchanged_count"] == product_import.total_rows
        return len(captured)

    assert queries_for(3) == queries_for(30)


def test_a_stale_task_message_does_not_apply_an_import_nobody_started(farm, manager):
    from cooperatives.tasks import product_import_apply_task

    product_import = prepare(
        farm,
        manager,
        csv_upload([["sku", "title", "price", "stock"], ["M-1", "Miến", "50000", "3"]]),
    )
    assert product_import.status == ProductImport.DRY_RUN_OK
    product_import_apply_task(product_import.pk)
    product_import_apply(product_import=product_import)
    product_import.refresh_from_db()
    assert product_import.status == ProductImport.DRY_RUN_OK
    assert not StockRecord.objects.filter(partner=farm.partner, partner_sku="M-1").exists()


@pytest.mark.parametrize(("typed", "months"), [("9-11", [9, 10, 11]), ("11-2", [1, 2, 11, 12])])
def test_harvest_month_ranges_may_cross_the_new_year(farm, manager, typed, months):
    product_import = prepare(
        farm,
        manager,
        csv_upload([["sku", "title", "price", "harvest_months"], ["M-1", "Miến", "50000", typed]]),
    )
    assert product_import.status == ProductImport.DRY_RUN_OK, product_import.report
    assert product_import_start(product_import=product_import)
    product = StockRecord.objects.get(partner=farm.partner, partner_sku="M-1").product
    assert product.harvest_month_numbers == months
