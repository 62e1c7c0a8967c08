"""Spreadsheet import and export of a cooperative's products, with price and stock.

A manager uploads a CSV or XLSX file with one product a row. The whole file is
checked first, a *dry run*: every row is parsed and validated against the shop as
it is, and the report lists the products to create, the changes to existing ones
and every error by row and column. Nothing is written to the catalogue then.

Applying an import checks every row again (the shop may have changed since the
dry run), and only when no row has an error writes all of them in one
transaction: a failure on any row leaves the catalogue as it was. The code in the
``sku`` column is the cooperative's own stock-record code (``partner_sku``) and
decides whether a row creates a product or changes one, so applying the same file
twice creates nothing the second time.

Progress while applying: every row is written inside the one transaction, so a
counter saved in the database inside it would stay invisible to other requests
until the commit (PostgreSQL READ COMMITTED; on SQLite another connection could
not even write it while the transaction holds the database lock). The live count
goes to the cache instead (Redis in production, shared by web and worker
processes); ``ProductImport.processed_rows`` is written with the final count in
the same transaction as the products, so "done" and the products commit together.
Without a shared cache, the progress page shows 0 until the import is done.
"""

import csv
import io
import logging
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass, field
from functools import partial
from pathlib import PurePath

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from oscar.apps.partner.models import StockRecord
from oscar.core.utils import slugify

from address.selectors import place_names
from catalogue import services as catalogue_services
from catalogue.models import Category, ProductClass
from cooperatives.models import Cooperative, ProductImport
from shop.text import fold

logger = logging.getLogger(__name__)

# Limits; each can be changed in settings (tests make them small).
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
INLINE_ROWS = 200  # imports up to this many rows are applied in the request, not queued
# An .xlsx is a zip; refuse one that would expand to more than this (a "zip bomb").
MAX_XLSX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
# The report keeps this many rows of each kind; the counts are always complete.
REPORT_LIMIT = 500
PROGRESS_EVERY = 50
PROGRESS_TIMEOUT = 24 * 60 * 60

MAX_PRICE = 1_000_000_000
MAX_STOCK = 1_000_000
MAX_WEIGHT_GRAMS = 100_000
MAX_SKU_LENGTH = 64

CONTENT_TYPES = {
    ProductImport.CSV: "text/csv; charset=utf-8",
    ProductImport.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _limit(name: str, default: int) -> int:
    return getattr(settings, name, default)


def import_limits() -> dict:
    """The size and row limits of an upload, for the upload page."""
    return {
        "max_bytes": _limit("PRODUCT_IMPORT_MAX_BYTES", MAX_BYTES),
        "max_rows": _limit("PRODUCT_IMPORT_MAX_ROWS", MAX_ROWS),
    }


@dataclass(frozen=True)
class Column:
    key: str
    header_vi: str
    label: str
    help_text: str
    example: str
    aliases: tuple[str, ...] = ()

    def header(self) -> str:
        """The column name written in exports and shown in messages, in the page's language."""
        return self.header_vi if _in_vietnamese() else self.key


def _in_vietnamese() -> bool:
    return (translation.get_language() or settings.LANGUAGE_CODE).startswith("vi")


COLUMNS = (
    Column(
        "sku",
        "mã",
        gettext_lazy("Product code"),
        gettext_lazy(
            "Required. Your own code for the product: a new code creates a product, "
            "a known one changes it."
        ),
        "MD-500",
        ("ma sp", "ma san pham", "ma hang", "code"),
    ),
    Column(
        "title",
        "tên",
        gettext_lazy("Product name"),
        gettext_lazy("Required for a new product."),
        "Miến dong Bắc Kạn",
        ("ten san pham", "ten sp", "name"),
    ),
    Column(
        "price",
        "giá",
        gettext_lazy("Price (đồng)"),
        gettext_lazy("Required for a new product. Whole đồng: 125000 or 125.000."),
        "125.000",
        ("gia ban",),
    ),
    Column(
        "stock",
        "tồn kho",
        gettext_lazy("Units in stock"),
        gettext_lazy("A whole number, 0 or more."),
        "40",
        ("ton", "so luong ton"),
    ),
    Column(
        "unit",
        "đơn vị",
        gettext_lazy("Unit"),
        gettext_lazy("What one item is."),
        "gói 500 g",
        ("don vi tinh", "dvt", "unit label"),
    ),
    Column(
        "weight_grams",
        "khối lượng",
        gettext_lazy("Net weight (g)"),
        gettext_lazy("In grams, used to work out shipping."),
        "500",
        ("weight", "khoi luong g", "net weight"),
    ),
    Column(
        "category",
        "danh mục",
        gettext_lazy("Category"),
        gettext_lazy("The name of one of the shop's categories; separate several with “;”."),
        "Đặc sản khô",
        (),
    ),
    Column(
        "description",
        "mô tả",
        gettext_lazy("Description"),
        gettext_lazy("Plain text; an empty line starts a new paragraph."),
        "Miến làm từ củ dong riềng.",
        (),
    ),
    Column(
        "harvest_months",
        "mùa vụ",
        gettext_lazy("Harvest months"),
        gettext_lazy("Month numbers: 9,10,11 or 9-11."),
        "9,10,11",
        ("thang thu hoach", "harvest"),
    ),
    Column(
        "is_public",
        "hiển thị",
        gettext_lazy("Shown in the shop"),
        gettext_lazy("có or không (yes or no)."),
        "có",
        ("public", "visible"),
    ),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
# Text columns: a CSV export guards them against spreadsheet formulas (see _csv_safe).
TEXT_KEYS = {"sku", "title", "unit", "category", "description"}
# Columns that may be left empty on a row that changes a product to keep what it has.
KEEP_WHEN_EMPTY = {"title", "price", "stock", "is_public"}

TRUE_WORDS = {"co", "yes", "y", "1", "true", "x", "hien thi"}
FALSE_WORDS = {"khong", "no", "n", "0", "false", "an"}


def _header_key(text: str) -> str:
    """Compare column names without accents, case, punctuation or a unit in brackets."""
    text = fold(unicodedata.normalize("NFC", text)).casefold()
    text = re.sub(r"\(.*?\)", " ", text)
    text = re.sub(r"[_\-.*:/]+", " ", text)
    return " ".join(text.split())


HEADER_ALIASES = {}
for _column in COLUMNS:
    for _name in (_column.key, _column.header_vi, *_column.aliases):
        HEADER_ALIASES[_header_key(_name)] = _column.key


# Reading the file ---------------------------------------------------------------------------


@dataclass
class Sheet:
    file_format: str
    header: list = field(default_factory=list)
    rows: list = field(default_factory=list)  # (spreadsheet row number, [cell values])


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _is_xlsx_name(name: str) -> bool:
    return PurePath(name or "").suffix.lower() in {".xlsx", ".xlsm"}


def sheet_read(*, content: bytes, name: str) -> Sheet:
    """The rows of an uploaded CSV or XLSX file, told apart by content, never by name.

    Refuses (``ValidationError``) a file that is too large, has too many rows, is
    not a UTF-8 CSV or an Excel workbook, or has no header row.
    """
    max_bytes = _limit("PRODUCT_IMPORT_MAX_BYTES", MAX_BYTES)
    if len(content) > max_bytes:
        raise _refuse(
            _("This file is %(size)s; an import can be at most %(limit)s.")
            % {"size": filesizeformat(len(content)), "limit": filesizeformat(max_bytes)},
            "too_large",
        )
    if not content.strip():
        raise _refuse(_("The file is empty."), "empty")
    if content.startswith(b"PK\x03\x04"):
        sheet = _read_xlsx(content)
    elif content.startswith(b"\xd0\xcf\x11\xe0"):
        raise _refuse(
            _(
                "This is an old Excel file (.xls). In Excel choose “Save as”, then "
                "“Excel Workbook (.xlsx)” or “CSV UTF-8”, and upload that file."
            ),
            "old_excel",
        )
    elif _is_xlsx_name(name):
        raise _refuse(
            _(
                "This file is named .xlsx but is not an Excel workbook. Save it again from "
                "Excel as “Excel Workbook (.xlsx)” or “CSV UTF-8”."
            ),
            "not_xlsx",
        )
    else:
        sheet = _read_csv(content)
    if not sheet.header or all(cell == "" for cell in sheet.header):
        raise _refuse(
            _("The first row must hold the column names, e.g. %(columns)s.")
            % {"columns": ", ".join(column.header() for column in COLUMNS[:4])},
            "no_header",
        )
    return sheet


def _too_many_rows() -> ValidationError:
    return _refuse(
        _("The file has more than %(max)s product rows; split it into smaller files.")
        % {"max": _limit("PRODUCT_IMPORT_MAX_ROWS", MAX_ROWS)},
        "too_many_rows",
    )


def _collect(sheet: Sheet, rows) -> Sheet:
    """Keep the header and the non-blank rows, refusing more rows than the limit."""
    max_rows = _limit("PRODUCT_IMPORT_MAX_ROWS", MAX_ROWS)
    for number, values in enumerate(rows, start=1):
        cells = [_cell(value, sheet.file_format) for value in values]
        if number == 1:
            sheet.header = [str(cell) for cell in cells]
            continue
        if all(cell == "" for cell in cells):
            continue
        if len(sheet.rows) >= max_rows:
            raise _too_many_rows()
        sheet.rows.append((number, cells))
    return sheet


def _cell(value, file_format: str):
    """A cell as text (NFC, trimmed), or as the number or boolean a workbook stored."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = unicodedata.normalize("NFC", value).strip()
        # A CSV export writes '= for text that a spreadsheet would take for a formula.
        if file_format == ProductImport.CSV and re.match(r"'[=+\-@]", value):
            value = value[1:]
        return value
    return value


def _read_csv(content: bytes) -> Sheet:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _refuse(
            _(
                "This file is neither an Excel workbook (.xlsx) nor a CSV file in UTF-8. "
                "Only UTF-8 CSV is accepted: in Excel choose “Save as” and “CSV UTF-8”."
            ),
            "not_utf8",
        ) from error
    if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text):
        raise _refuse(
            _("This file is not a spreadsheet: upload an Excel workbook (.xlsx) or a CSV file."),
            "binary",
        )
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    sheet = Sheet(file_format=ProductImport.CSV)
    try:
        return _collect(sheet, reader)
    except csv.Error as error:
        raise _refuse(
            _("The CSV file cannot be read near line %(line)s.") % {"line": reader.line_num},
            "bad_csv",
        ) from error


def _read_xlsx(content: bytes) -> Sheet:
    from openpyxl import load_workbook

    not_a_workbook = _refuse(
        _(
            "This file is not an Excel workbook we can open. Save it from Excel as "
            "“Excel Workbook (.xlsx)” or “CSV UTF-8”."
        ),
        "not_xlsx",
    )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as error:
        raise not_a_workbook from error
    names = {member.filename for member in members}
    if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
        raise not_a_workbook
    if sum(member.file_size for member in members) > MAX_XLSX_UNCOMPRESSED_BYTES:
        raise _refuse(_("This workbook is too large to import."), "too_large")
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on broken files
        raise not_a_workbook from error
    try:
        if not workbook.worksheets:
            raise not_a_workbook
        worksheet = workbook.worksheets[0]
        # Some programs write a wrong sheet size; read every row that is there.
        worksheet.reset_dimensions()
        sheet = Sheet(file_format=ProductImport.XLSX)
        try:
            return _collect(sheet, worksheet.iter_rows(min_row=1, values_only=True))
        except ValidationError:
            raise
        except Exception as error:
            raise not_a_workbook from error
    finally:
        workbook.close()


# Parsing and checking the rows --------------------------------------------------------------


class CellError(Exception):
    """A cell that cannot be used; the message is shown to the manager."""


def _text(value) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _whole_number(value, *, message: str) -> int:
    """125000, "125000", "125.000", "125,000" and "125 000" are all 125000."""
    if isinstance(value, bool):
        raise CellError(message)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise CellError(message)
        number = int(value)
    else:
        text = re.sub(r"[\s\u00a0\u202f]", "", str(value))
        text = re.sub(r"(₫|đ|vnđ|vnd|đồng|dong)$", "", text, flags=re.IGNORECASE)
        if re.fullmatch(r"\d+", text):
            number = int(text)
        elif re.fullmatch(r"\d{1,3}(\.\d{3})+", text) or re.fullmatch(r"\d{1,3}(,\d{3})+", text):
            number = int(re.sub(r"[.,]", "", text))
        elif re.fullmatch(r"-\s*[\d.,]+", text):
            number = -1
        else:
            raise CellError(message)
    return number


def _parse_sku(value) -> str:
    if isinstance(value, float) and not value.is_integer():
        raise CellError(_("Write the code as text, e.g. MD-500."))
    sku = _text(value)
    if not sku:
        raise CellError(_("Every row needs a product code."))
    if len(sku) > MAX_SKU_LENGTH:
        raise CellError(
            _("A product code can be at most %(max)s characters.") % {"max": MAX_SKU_LENGTH}
        )
    if "\n" in sku:
        raise CellError(_("A product code is one line."))
    return sku


def _parse_title(value) -> str | None:
    title = _text(value)
    if not title:
        return None
    if len(title) > 255:
        raise CellError(_("A name can be at most 255 characters."))
    if "\n" in title:
        raise CellError(_("A name is one line."))
    if not slugify(title):
        raise CellError(_("A name needs at least one letter or digit."))
    return title


def _parse_price(value) -> int | None:
    if value == "":
        return None
    price = _whole_number(
        value,
        message=_(
            "Write the price as a whole number of đồng, e.g. 125000 or 125.000, without decimals."
        ),
    )
    if price < 0:
        raise CellError(_("A price cannot be negative."))
    if price > MAX_PRICE:
        raise CellError(_("A price can be at most 1.000.000.000 đồng."))
    return price


def _parse_stock(value) -> int | None:
    if value == "":
        return None
    stock = _whole_number(value, message=_("Write the stock as a whole number, 0 or more."))
    if stock < 0:
        raise CellError(_("Stock cannot be negative."))
    if stock > MAX_STOCK:
        raise CellError(_("Stock can be at most 1.000.000."))
    return stock


def _parse_unit(value) -> str:
    unit = _text(value)
    if "\n" in unit:
        raise CellError(_("A unit is one line."))
    if len(unit) > 60:
        raise CellError(_("A unit can be at most 60 characters."))
    return unit


def _parse_weight(value) -> int | None:
    if value == "":
        return None
    message = _("Write the weight in grams as a whole number between 1 and 100000.")
    grams = _whole_number(value, message=message)
    if not 1 <= grams <= MAX_WEIGHT_GRAMS:
        raise CellError(message)
    return grams


def _parse_description(value) -> str:
    text = _text(value).replace("\r\n", "\n").replace("\r", "\n")
    # The text as it reads back once stored, so an unchanged description compares equal.
    return catalogue_services.description_text(catalogue_services.description_html(text))


def _parse_months(value) -> tuple[int, ...]:
    message = _("Write harvest months as numbers 1 to 12, e.g. 9,10,11 or 9-11.")
    if isinstance(value, bool):
        raise CellError(message)
    if isinstance(value, int | float):
        if not float(value).is_integer():
            raise CellError(message)
        value = str(int(value))
    months = set()
    for token in re.split(r"[,;\s]+", _text(value)):
        if not token:
            continue
        bounds = re.fullmatch(r"(\d{1,2})-(\d{1,2})", token)
        if bounds:
            first, last = int(bounds[1]), int(bounds[2])
        elif re.fullmatch(r"\d{1,2}", token):
            first = last = int(token)
        else:
            raise CellError(message)
        if not (1 <= first <= 12 and 1 <= last <= 12):
            raise CellError(message)
        if first <= last:
            months.update(range(first, last + 1))
        else:  # a season across the new year: 11-2 is November to February
            months.update(range(first, 13))
            months.update(range(1, last + 1))
    return tuple(sorted(months))


def _parse_public(value) -> bool | None:
    if isinstance(value, bool):
        return value
    if value == "":
        return None
    word = " ".join(fold(_text(value)).casefold().split())
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_("Write có or không (yes or no)."))


class CategoryIndex:
    """The shop's categories by name and by full path ("Đặc sản > Miến"), accents ignored."""

    def __init__(self):
        self.by_key: dict[str, list[Category]] = {}
        self.full_names: dict[int, str] = {}
        names_by_path: dict[str, str] = {}
        steplen = Category.steplen
        for category in Category.objects.order_by("path"):
            names_by_path[category.path] = category.name
            ancestors = [
                names_by_path.get(category.path[:end], "")
                for end in range(steplen, len(category.path) + 1, steplen)
            ]
            full_name = Category._full_name_separator.join(ancestors)
            self.full_names[category.pk] = full_name
            for key in {self._key(category.name), self._key(full_name)}:
                self.by_key.setdefault(key, []).append(category)

    @staticmethod
    def _key(name: str) -> str:
        return " ".join(fold(unicodedata.normalize("NFC", name)).casefold().split())

    def display_name(self, category: Category) -> str:
        """The name an export writes: the short name when no other category has it."""
        if len(self.by_key.get(self._key(category.name), [])) > 1:
            return self.full_names.get(category.pk, category.name)
        return category.name

    def parse(self, value) -> tuple[Category, ...]:
        found = []
        for name in _text(value).split(";"):
            name = " ".join(name.split())
            if not name:
                continue
            matches = self.by_key.get(self._key(name), [])
            if not matches:
                raise CellError(
                    _(
                        "There is no category “%(name)s”. Use the name of one of the shop's "
                        "categories."
                    )
                    % {"name": name}
                )
            if len(matches) > 1:
                raise CellError(
                    _(
                        "Several categories are called “%(name)s”; write the full path, "
                        "e.g. “%(path)s”."
                    )
                    % {"name": name, "path": self.full_names[matches[0].pk]}
                )
            if matches[0] not in found:
                found.append(matches[0])
        return tuple(sorted(found, key=lambda category: category.pk))


PARSERS = {
    "sku": _parse_sku,
    "title": _parse_title,
    "price": _parse_price,
    "stock": _parse_stock,
    "unit": _parse_unit,
    "weight_grams": _parse_weight,
    "description": _parse_description,
    "harvest_months": _parse_months,
    "is_public": _parse_public,
}


def _current_values(stockrecord: StockRecord, categories: CategoryIndex) -> dict:
    """A stock record and its product as the import columns hold them."""
    product = stockrecord.product
    return {
        "sku": stockrecord.partner_sku,
        "title": product.title,
        "price": int(stockrecord.price) if stockrecord.price is not None else None,
        "stock": stockrecord.num_in_stock or 0,
        "unit": product.unit_label,
        "weight_grams": product.net_weight_grams,
        "category": tuple(sorted(product.categories.all(), key=lambda category: category.pk)),
        "description": catalogue_services.description_text(product.description),
        "harvest_months": tuple(product.harvest_month_numbers),
        "is_public": product.is_public,
    }


def _display(key: str, value, categories: CategoryIndex) -> str:
    """A value as the report shows it."""
    if value is None:
        return "—"
    if key == "price":
        return f"{value:,}".replace(",", ".") + "\u00a0₫"
    if key == "is_public":
        return _("yes") if value else _("no")
    if key == "category":
        return "; ".join(categories.display_name(category) for category in value) or "—"
    if key == "harvest_months":
        return ", ".join(str(month) for month in value) or "—"
    if key == "description":
        return value if len(value) <= 80 else value[:79] + "…"
    return str(value) if value != "" else "—"


@dataclass
class PlannedRow:
    number: int
    sku: str
    values: dict  # column key -> parsed value; None means "keep what the product has"
    stockrecord: StockRecord | None = None
    changes: dict = field(default_factory=dict)  # column key -> (old, new)


@dataclass
class Plan:
    """What an import would do, checked in full and not yet written."""

    columns: list = field(default_factory=list)  # (column key, header as written)
    creates: list = field(default_factory=list)
    updates: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # {"row", "column", "message"}
    error_count: int = 0
    total_rows: int = 0
    categories: CategoryIndex | None = None

    def add_error(self, *, row: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < REPORT_LIMIT:
            self.errors.append({"row": row, "column": column, "message": str(message)})

    @property
    def rows(self) -> list:
        return sorted(self.creates + self.updates + self.unchanged, key=lambda row: row.number)


def _plan(*, cooperative: Cooperative, sheet: Sheet) -> Plan:
    """Parse and check every row against the shop as it is now; write nothing."""
    plan = Plan(total_rows=len(sheet.rows))
    header_for = {}  # column key -> header as written
    index_for = {}  # column key -> position
    nameless = []
    for position, header in enumerate(sheet.header):
        if header == "":
            nameless.append(position)
            continue
        key = HEADER_ALIASES.get(_header_key(header))
        if key is None:
            plan.add_error(
                row=1,
                column=header,
                message=_("Unknown column. The columns are: %(columns)s.")
                % {"columns": ", ".join(column.header() for column in COLUMNS)},
            )
        elif key in index_for:
            plan.add_error(row=1, column=header, message=_("This column appears twice."))
        else:
            header_for[key], index_for[key] = header, position
    plan.columns = [(key, header_for[key]) for key in COLUMN_BY_KEY if key in header_for]
    if "sku" not in index_for:
        plan.add_error(
            row=1,
            column=COLUMN_BY_KEY["sku"].header(),
            message=_("The file needs a column “%(column)s” with each product's code.")
            % {"column": COLUMN_BY_KEY["sku"].header()},
        )
    if not sheet.rows:
        plan.add_error(row=2, column="", message=_("The file has no product rows."))
    if "sku" not in index_for or not sheet.rows:
        return plan
    # Other header problems are reported with the rows' own, so one upload shows them all.

    from openpyxl.utils import get_column_letter

    categories = plan.categories = CategoryIndex()
    existing = {
        stockrecord.partner_sku: stockrecord
        for stockrecord in StockRecord.objects.filter(partner=cooperative.partner)
        .select_related("product")
        .prefetch_related("product__categories")
    }
    parsers = dict(PARSERS, category=categories.parse)
    seen = {}
    reported_nameless = set()
    for number, cells in sheet.rows:
        errors_before = plan.error_count
        for position in nameless:
            if (
                position < len(cells)
                and cells[position] != ""
                and position not in reported_nameless
            ):
                reported_nameless.add(position)
                plan.add_error(
                    row=number,
                    column=get_column_letter(position + 1),
                    message=_("This column has no name in the first row."),
                )
        values, failed = {}, set()
        for key, position in index_for.items():
            raw = cells[position] if position < len(cells) else ""
            try:
                values[key] = parsers[key](raw)
            except CellError as error:
                failed.add(key)
                plan.add_error(row=number, column=header_for[key], message=str(error))
        sku = values.get("sku")
        if sku is None:
            continue
        if sku in seen:
            plan.add_error(
                row=number,
                column=header_for["sku"],
                message=_("The code %(sku)s is also on row %(row)s.")
                % {"sku": sku, "row": seen[sku]},
            )
            continue
        seen[sku] = number
        row = PlannedRow(number=number, sku=sku, values=values, stockrecord=existing.get(sku))
        if row.stockrecord is None:
            _check_create(plan, row, header_for, failed)
        else:
            _check_update(plan, row, header_for, cooperative, categories)
        if plan.error_count > errors_before:
            continue
        if row.stockrecord is None:
            plan.creates.append(row)
        elif row.changes:
            plan.updates.append(row)
        else:
            plan.unchanged.append(row)
    if plan.creates and not plan.error_count:
        _check_can_create(plan, cooperative)
    return plan


def _column_header(key: str, header_for: dict) -> str:
    return header_for.get(key) or COLUMN_BY_KEY[key].header()


def _check_create(plan: Plan, row: PlannedRow, header_for: dict, failed: set) -> None:
    """A new product needs a name and a price (unless the cell is already reported)."""
    if row.values.get("title") is None and "title" not in failed:
        plan.add_error(
            row=row.number,
            column=_column_header("title", header_for),
            message=_("A new product needs a name."),
        )
    if row.values.get("price") is None and "price" not in failed:
        plan.add_error(
            row=row.number,
            column=_column_header("price", header_for),
            message=_("A new product needs a price."),
        )


def _check_update(
    plan: Plan, row: PlannedRow, header_for: dict, cooperative, categories: CategoryIndex
) -> None:
    stockrecord = row.stockrecord
    if stockrecord.product.cooperative_id != cooperative.pk:
        plan.add_error(
            row=row.number,
            column=header_for["sku"],
            message=_("This code belongs to a product of another cooperative."),
        )
        return
    current = _current_values(stockrecord, categories)
    for key, value in row.values.items():
        if key == "sku" or (value is None and key in KEEP_WHEN_EMPTY):
            continue
        if value != current[key]:
            row.changes[key] = (current[key], value)
    stock = row.values.get("stock")
    allocated = stockrecord.num_allocated or 0
    if stock is not None and stock < allocated:
        plan.add_error(
            row=row.number,
            column=header_for["stock"],
            message=ngettext(
                "Stock cannot be less than the %(count)s item already ordered.",
                "Stock cannot be less than the %(count)s items already ordered.",
                allocated,
            )
            % {"count": allocated},
        )


def _check_can_create(plan: Plan, cooperative: Cooperative) -> None:
    """What every new product needs besides its row: an origin (its cooperative's place)."""
    first = plan.creates[0].number
    try:
        place_names(province_code=cooperative.province_code, commune_code=cooperative.commune_code)
    except ValidationError:
        plan.add_error(
            row=first,
            column="",
            message=_(
                "Your cooperative's province or commune is not in the official list, so new "
                "products have no origin; ask the Chợ Phiên team to correct it."
            ),
        )


def _report(plan: Plan, *, file_format: str) -> dict:
    def shown(key, value):
        return _display(key, value, plan.categories)

    headers = dict(plan.columns)
    return {
        "format": file_format,
        "columns": [header for _key, header in plan.columns],
        "create_count": len(plan.creates),
        "update_count": len(plan.updates),
        "unchanged_count": len(plan.unchanged),
        "error_count": plan.error_count,
        "create": [
            {
                "row": row.number,
                "sku": row.sku,
                "title": row.values.get("title") or "",
                "price": shown("price", row.values.get("price")),
                "stock": row.values.get("stock") or 0,
            }
            for row in plan.creates[:REPORT_LIMIT]
        ],
        "update": [
            {
                "row": row.number,
                "sku": row.sku,
                "title": row.stockrecord.product.title,
                "changes": [
                    {"column": headers[key], "old": shown(key, old), "new": shown(key, new)}
                    for key, (old, new) in row.changes.items()
                ],
            }
            for row in plan.updates[:REPORT_LIMIT]
        ],
        "errors": plan.errors,
        "message": "",
    }


# Services -----------------------------------------------------------------------------------


@transaction.atomic
def product_import_prepare(*, cooperative: Cooperative, user, uploaded_file) -> ProductImport:
    """Check an uploaded spreadsheet in full and keep it with its report (the dry run).

    A file that cannot be read at all (too large, too many rows, neither UTF-8 CSV
    nor XLSX) is refused with a ``ValidationError`` and nothing is stored. Otherwise
    the import is stored as ``dry_run_ok``, or ``invalid`` with an error per row.
    """
    max_bytes = _limit("PRODUCT_IMPORT_MAX_BYTES", MAX_BYTES)
    if uploaded_file.size is not None and uploaded_file.size > max_bytes:
        raise _refuse(
            _("This file is %(size)s; an import can be at most %(limit)s.")
            % {"size": filesizeformat(uploaded_file.size), "limit": filesizeformat(max_bytes)},
            "too_large",
        )
    uploaded_file.seek(0)
    content = uploaded_file.read(max_bytes + 1)
    name = PurePath(uploaded_file.name or "").name[:255] or "import"
    sheet = sheet_read(content=content, name=name)
    plan = _plan(cooperative=cooperative, sheet=sheet)
    product_import = ProductImport(
        cooperative=cooperative,
        created_by=user,
        original_name=name,
        file_format=sheet.file_format,
        status=ProductImport.INVALID if plan.error_count else ProductImport.DRY_RUN_OK,
        total_rows=plan.total_rows,
        report=_report(plan, file_format=sheet.file_format),
    )
    # Stored under a random name: the manager's file name stays in original_name only.
    product_import.file = ContentFile(content, name=f"{uuid.uuid4().hex}.{sheet.file_format}")
    product_import.full_clean()
    product_import.save()
    return product_import


def product_import_start(*, product_import: ProductImport) -> bool:
    """Apply a checked import: at once if it is small, otherwise in a Celery worker.

    Returns False when the import cannot start (it has errors, or is already
    applied or under way), so a double tap on "Apply" starts it once.
    """
    claimed = ProductImport.objects.filter(
        pk=product_import.pk, status__in=ProductImport.STARTABLE
    ).update(status=ProductImport.QUEUED)
    if not claimed:
        return False
    product_import.status = ProductImport.QUEUED
    if product_import.total_rows <= _limit("PRODUCT_IMPORT_INLINE_ROWS", INLINE_ROWS):
        product_import_apply(product_import=product_import)
    else:
        transaction.on_commit(partial(_enqueue, product_import.pk))
    return True


def _enqueue(product_import_id: int) -> None:
    from cooperatives.tasks import product_import_apply_task

    try:
        product_import_apply_task.delay(product_import_id)
    except Exception:
        # The broker is down: say so, and let the manager press "Apply" again later.
        logger.exception("Could not queue product import %s", product_import_id)
        _mark_failed(product_import_id, _("The import could not be started. Try again later."))


def _progress_key(product_import_id: int) -> str:
    return f"product-import:{product_import_id}:progress"


def product_import_progress(*, product_import: ProductImport) -> int:
    """How many rows are applied so far, as another request can see it."""
    if product_import.in_progress:
        live = cache.get(_progress_key(product_import.pk)) or 0
        return min(max(live, product_import.processed_rows), product_import.total_rows)
    return product_import.processed_rows


def product_import_apply(*, product_import: ProductImport) -> None:
    """Write a checked import: every row, or none of them if any row fails.

    The rows are checked again first, against the shop as it is now; if a row has
    become invalid (a category was removed, a code was taken), the import turns
    ``invalid`` with a fresh report and nothing is written. Applying an import that
    is done, has errors or was not started does nothing.
    """
    pk = product_import.pk
    # Only an import a manager started (queued), or one a killed worker left running:
    # a stale task message must not apply an import nobody pressed "Apply" for.
    runnable = ProductImport.IN_PROGRESS
    if not ProductImport.objects.filter(pk=pk, status__in=runnable).update(
        status=ProductImport.RUNNING
    ):
        product_import.refresh_from_db()
        return
    cache.set(_progress_key(pk), 0, PROGRESS_TIMEOUT)
    try:
        _apply_rows(pk)
    except Exception:
        logger.exception("Product import %s failed; nothing was written", pk)
        _mark_failed(
            pk, _("The import failed and nothing was changed. Try again, or ask us for help.")
        )
    finally:
        cache.delete(_progress_key(pk))
    product_import.refresh_from_db()


@transaction.atomic
def _apply_rows(pk: int) -> None:
    # The row lock makes a second worker (a redelivered task) wait, then see "done".
    product_import = ProductImport.objects.select_for_update().get(pk=pk)
    if product_import.status != ProductImport.RUNNING:
        return
    cooperative = product_import.cooperative
    with product_import.file.open("rb") as stored:
        content = stored.read()
    sheet = sheet_read(content=content, name=product_import.original_name)
    plan = _plan(cooperative=cooperative, sheet=sheet)
    product_import.total_rows = plan.total_rows
    product_import.report = _report(plan, file_format=sheet.file_format)
    if plan.error_count:
        product_import.status = ProductImport.INVALID
        product_import.processed_rows = 0
        product_import.finished_at = timezone.now()
        product_import.full_clean()
        product_import.save()
        return
    # Looked up (or made) only now: a dry run writes nothing but its own report.
    product_class = catalogue_services.product_class_default() if plan.creates else None
    for done, row in enumerate(plan.rows, start=1):
        if row.stockrecord is None:
            _create(row, cooperative=cooperative, product_class=product_class)
        elif row.changes:
            _update(row, cooperative=cooperative)
        if done % PROGRESS_EVERY == 0:
            cache.set(_progress_key(pk), done, PROGRESS_TIMEOUT)
    product_import.status = ProductImport.DONE
    product_import.processed_rows = plan.total_rows
    product_import.finished_at = timezone.now()
    product_import.full_clean()
    product_import.save()


def _create(row: PlannedRow, *, cooperative: Cooperative, product_class: ProductClass) -> None:
    values = row.values
    catalogue_services.product_create(
        cooperative=cooperative,
        product_class=product_class,
        title=values["title"],
        price=values["price"],
        num_in_stock=values.get("stock") or 0,
        sku=row.sku,
        description=catalogue_services.description_html(values.get("description", "")),
        categories=values.get("category", ()),
        unit_label=values.get("unit", ""),
        net_weight_grams=values.get("weight_grams"),
        harvest_months=values.get("harvest_months", ()),
        is_public=values.get("is_public") is not False,
    )


# Column key -> argument of catalogue.services.product_update.
UPDATE_ARGUMENTS = {
    "title": "title",
    "price": "price",
    "stock": "num_in_stock",
    "unit": "unit_label",
    "weight_grams": "net_weight_grams",
    "category": "categories",
    "harvest_months": "harvest_months",
    "is_public": "is_public",
}


def _update(row: PlannedRow, *, cooperative: Cooperative) -> None:
    arguments = {}
    for key, (_old, new) in row.changes.items():
        if key == "description":
            arguments["description"] = catalogue_services.description_html(new)
        elif key == "category":
            arguments["categories"] = list(new)
        else:
            arguments[UPDATE_ARGUMENTS[key]] = new
    catalogue_services.product_update(
        cooperative=cooperative, product=row.stockrecord.product, **arguments
    )


def _mark_failed(pk: int, message: str) -> None:
    product_import = ProductImport.objects.get(pk=pk)
    product_import.status = ProductImport.FAILED
    product_import.processed_rows = 0
    product_import.finished_at = timezone.now()
    product_import.report = {**product_import.report, "message": str(message)}
    product_import.save(update_fields=["status", "processed_rows", "finished_at", "report"])


# Export -------------------------------------------------------------------------------------


def _export_rows(cooperative: Cooperative) -> list[list]:
    categories = CategoryIndex()
    stockrecords = (
        StockRecord.objects.filter(partner=cooperative.partner, product__cooperative=cooperative)
        .select_related("product")
        .prefetch_related("product__categories")
        .order_by("product__title", "pk")
    )
    yes, no = ("có", "không") if _in_vietnamese() else ("yes", "no")
    rows = []
    for stockrecord in stockrecords:
        values = _current_values(stockrecord, categories)
        values["category"] = "; ".join(categories.display_name(c) for c in values["category"])
        values["harvest_months"] = ",".join(str(month) for month in values["harvest_months"])
        values["is_public"] = yes if values["is_public"] else no
        if values["weight_grams"] is None:
            values["weight_grams"] = ""
        if values["price"] is None:
            values["price"] = ""
        rows.append([values[column.key] for column in COLUMNS])
    return rows


def _csv_safe(value):
    """Text that a spreadsheet would run as a formula gets a leading ' (removed on import)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def product_export(*, cooperative: Cooperative, fmt: str) -> tuple[bytes, str, str]:
    """The cooperative's products in the import's columns, as CSV or XLSX.

    Importing the file unchanged changes nothing. Column names are Vietnamese when
    the page is, English otherwise; the import reads both.
    """
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"Unknown export format: {fmt!r}")
    header = [column.header() for column in COLUMNS]
    rows = _export_rows(cooperative)
    filename = f"{cooperative.slug}-san-pham-{timezone.localdate():%Y-%m-%d}.{fmt}"
    if fmt == ProductImport.CSV:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        for row in rows:
            writer.writerow(
                [
                    _csv_safe(value) if column.key in TEXT_KEYS else value
                    for column, value in zip(COLUMNS, row, strict=True)
                ]
            )
        # With a BOM, Excel opens the Vietnamese text as UTF-8.
        return buffer.getvalue().encode("utf-8-sig"), CONTENT_TYPES[fmt], filename
    return _xlsx(header, rows), CONTENT_TYPES[fmt], filename


def _xlsx(header: list, rows: list) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(_("Products"))
    worksheet.append(header)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(worksheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
            cells.append(cell)
        worksheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
