"""Rebuild ``administrative_units.json`` from the PyPI package ``vietnam-provinces``.

Not part of the running site: the package is not a project dependency. Run it in a
throwaway virtualenv (the package needs Python 3.12 or newer)::

    python3.12 -m venv /tmp/vp && /tmp/vp/bin/pip install vietnam-provinces==2026.9.0
    /tmp/vp/bin/python address/data/build_from_vietnam_provinces.py \\
        > address/data/administrative_units.json

then load it with ``./manage.py load_administrative_units`` and a data migration.
The package's Python API is read (not its bundled JSON files, which lag behind it).
"""

import json
import sys

import vietnam_provinces
from vietnam_provinces import Province, Ward

# The package's division types -> ours (the values stored in the database).
TYPES = {
    "tỉnh": ("tinh", "Tỉnh"),
    "thành phố trung ương": ("thanh_pho_trung_uong", "Thành phố"),
    "xã": ("xa", "Xã"),
    "phường": ("phuong", "Phường"),
    "đặc khu": ("dac_khu", "Đặc khu"),
}


def split_name(full_name: str, division_type: str) -> tuple[str, str, str]:
    """("Tỉnh Thái Nguyên", "tỉnh") -> ("tinh", "Thái Nguyên", "Tỉnh Thái Nguyên").

    The prefix is compared without case: the source spells one unit "xã Bắc Sơn".
    """
    type_value, prefix = TYPES[division_type]
    full_name = " ".join(full_name.split())
    if not full_name.casefold().startswith(prefix.casefold() + " "):
        raise SystemExit(f"{full_name!r} does not start with {prefix!r}")
    name = full_name[len(prefix) + 1 :]
    return type_value, name, f"{prefix} {name}"


def unit(full_name: str, division_type: str, code: str) -> dict[str, str]:
    type_value, name, full_name = split_name(full_name, str(division_type))
    return {"code": code, "name": name, "full_name": full_name, "type": type_value}


def build() -> dict:
    provinces = []
    for province in sorted(Province.iter_all(), key=lambda p: int(p.code)):
        code = f"{int(province.code):02d}"
        communes = [
            unit(ward.name, ward.division_type, f"{int(ward.code):05d}")
            for ward in sorted(Ward.iter_by_province(province.code), key=lambda w: int(w.code))
        ]
        provinces.append(
            {**unit(province.name, province.division_type, code), "communes": communes}
        )
    return {
        "version": vietnam_provinces.__data_version__,
        "source": (
            f"PyPI vietnam-provinces {vietnam_provinces.__version__} "
            "(https://github.com/sunshine-tech/VietnamProvinces), names and codes from the "
            "National Statistics Office catalogue https://danhmuchanhchinh.nso.gov.vn/"
        ),
        "licence": "GPL-3.0-or-later",
        "provinces": provinces,
    }


def dump(data: dict) -> str:
    """JSON with one province header and one commune per line: small, diffable."""
    header = {key: value for key, value in data.items() if key != "provinces"}
    lines = ["{"] + [
        f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in header.items()
    ]
    lines.append('  "provinces": [')
    for i, province in enumerate(data["provinces"]):
        fields = ", ".join(
            f"{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}"
            for k, v in province.items()
            if k != "communes"
        )
        lines.append(f'    {{{fields}, "communes": [')
        communes = province["communes"]
        for j, commune in enumerate(communes):
            comma = "," if j < len(communes) - 1 else ""
            lines.append(f"      {json.dumps(commune, ensure_ascii=False)}{comma}")
        lines.append("    ]}" + ("," if i < len(data["provinces"]) - 1 else ""))
    lines += ["  ]", "}"]
    text = "\n".join(lines) + "\n"
    assert json.loads(text) == data
    return text


if __name__ == "__main__":
    sys.stdout.write(dump(build()))
