"""Writes to Vietnam's official list of provinces and communes."""

import json
import unicodedata
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from address.models import Commune, Province
from shop.page_cache import pages_invalidate

BUNDLED_DATA = Path(__file__).resolve().parent / "data" / "administrative_units.json"

PROVINCE_CODE_LENGTH = 2  # official codes keep their leading zeros: "01" is Hà Nội
COMMUNE_CODE_LENGTH = 5  # "01906" is Xã Ba Bể
BATCH_SIZE = 500
MAX_ERRORS = 20


@dataclass
class UpdateReport:
    """What one update changed; all zero when the list was already up to date."""

    version: str = ""
    provinces_created: int = 0
    provinces_updated: int = 0
    provinces_deactivated: int = 0
    communes_created: int = 0
    communes_updated: int = 0
    communes_deactivated: int = 0

    @property
    def changed(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self) if f.name != "version")

    def __str__(self) -> str:
        return (
            f"Administrative units {self.version}: "
            f"provinces {self.provinces_created} created, {self.provinces_updated} updated, "
            f"{self.provinces_deactivated} deactivated; "
            f"communes {self.communes_created} created, {self.communes_updated} updated, "
            f"{self.communes_deactivated} deactivated."
        )


def administrative_units_read(*, path: Path | str = BUNDLED_DATA) -> dict:
    """The JSON list at ``path`` (the bundled file by default), not yet validated."""
    try:
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    except (OSError, ValueError) as error:
        raise ValidationError(f"Cannot read {path}: {error}") from error


@transaction.atomic
def administrative_units_update(*, data: dict) -> UpdateReport:
    """Make the database match the official list in ``data``, matched by code.

    New units are created, renamed or retyped ones updated, and units missing from
    ``data`` deactivated, never deleted: orders and addresses keep their code and name.
    Malformed ``data`` is refused as a whole with a ValidationError; nothing is written.
    The file format is described in ``address/data/README.md``.
    """
    report = administrative_units_apply(data=data, province_model=Province, commune_model=Commune)
    # Bulk writes send no signals: the lists web processes hold (address.selectors) go.
    transaction.on_commit(pages_invalidate)
    return report


@transaction.atomic
def administrative_units_apply(
    *, data: dict, province_model: type[models.Model], commune_model: type[models.Model]
) -> UpdateReport:
    """The update itself, on the given models: the data migration passes its historical ones.

    Touch only the fields that ``address/migrations/0008`` creates (code, name,
    full_name, division_type, is_active, province): a fresh database runs the data
    migration 0009 before any later schema change of these models.
    """
    provinces, communes = _validated(data, province_model, commune_model)
    report = UpdateReport(version=data["version"])
    report.provinces_created, report.provinces_updated, report.provinces_deactivated = _sync(
        province_model, provinces
    )
    report.communes_created, report.communes_updated, report.communes_deactivated = _sync(
        commune_model, communes, extra_fields=("province_id",)
    )
    return report


def _sync(model, rows: list[dict], extra_fields: tuple[str, ...] = ()) -> tuple[int, int, int]:
    """Create rows with new codes, update those that differ, deactivate missing codes.

    Returns (created, updated, deactivated). Rows are compared in Python, so an
    unchanged list costs two queries per model and writes nothing.
    """
    compared = ("name", "full_name", "division_type", *extra_fields, "is_active")
    existing = {unit.code: unit for unit in model.objects.all()}
    to_create, to_update = [], []
    for row in rows:
        values = {**row, "is_active": True}
        current = existing.get(row["code"])
        if current is None:
            to_create.append(model(**values))
        elif any(getattr(current, name) != values[name] for name in compared):
            for name in compared:
                setattr(current, name, values[name])
            to_update.append(current)
    listed = {row["code"] for row in rows}
    missing = [code for code, unit in existing.items() if unit.is_active and code not in listed]
    model.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    model.objects.bulk_update(to_update, compared, batch_size=BATCH_SIZE)
    for start in range(0, len(missing), BATCH_SIZE):
        model.objects.filter(code__in=missing[start : start + BATCH_SIZE]).update(is_active=False)
    return len(to_create), len(to_update), len(missing)


def _validated(data: Any, province_model, commune_model) -> tuple[list[dict], list[dict]]:
    """Flatten ``data`` into province and commune rows (model field names), or raise one
    ValidationError that lists the problems found, each with its place in the file."""
    if not isinstance(data, dict) or not isinstance(data.get("provinces"), list):
        raise ValidationError("The data must be a JSON object with a list of provinces.")
    errors: list[str] = []
    if not isinstance(data.get("version"), str) or not data["version"].strip():
        errors.append("version: missing")
    if not data["provinces"]:
        errors.append("provinces: the list is empty")
    provinces: list[dict] = []
    communes: list[dict] = []
    province_codes: set[str] = set()
    commune_codes: set[str] = set()
    for i, province in enumerate(data["provinces"]):
        where = f"provinces[{i}]"
        row = _unit(province_model, province, where, PROVINCE_CODE_LENGTH, province_codes, errors)
        if row is None:
            continue
        provinces.append(row)
        where = f"province {row['code']}"
        if not isinstance(province.get("communes"), list) or not province["communes"]:
            errors.append(f"{where}: communes missing or empty")
            continue
        for j, commune in enumerate(province["communes"]):
            commune_row = _unit(
                commune_model,
                commune,
                f"{where}, communes[{j}]",
                COMMUNE_CODE_LENGTH,
                commune_codes,
                errors,
            )
            if commune_row is not None:
                communes.append({**commune_row, "province_id": row["code"]})
    if errors:
        more = [f"... and {len(errors) - MAX_ERRORS} more"] if len(errors) > MAX_ERRORS else []
        raise ValidationError(errors[:MAX_ERRORS] + more)
    return provinces, communes


def _unit(model, unit: Any, where: str, code_length: int, seen: set[str], errors: list[str]):
    """One province or commune as model field values, or None after adding its errors.

    Field rules (length, required, choices) come from the model's own ``clean_fields``;
    the province link is checked by the nesting, so it needs no query per row.
    """
    if not isinstance(unit, dict):
        errors.append(f"{where}: not an object")
        return None
    code = unit.get("code")
    if (
        not isinstance(code, str)
        or len(code) != code_length
        or not code.isascii()
        or not code.isdigit()
    ):
        errors.append(f"{where}: code {code!r} is not {code_length} digits")
        return None
    if code in seen:
        errors.append(f"{where}: code {code} appears twice")
        return None
    seen.add(code)
    values = {
        "code": code,
        "name": _tidy(unit.get("name")),
        "full_name": _tidy(unit.get("full_name")),
        "division_type": unit.get("type"),
    }
    try:
        model(**values).clean_fields(exclude=["province"])
    except ValidationError as error:
        for field, messages in error.message_dict.items():
            errors.extend(f"{where} ({code}): {field}: {message}" for message in messages)
        return None
    return values


def _tidy(name: Any) -> Any:
    """One composed form (NFC) and single spaces, so that equal names compare equal."""
    if not isinstance(name, str):
        return name
    return unicodedata.normalize("NFC", " ".join(name.split()))
