"""The bundled table of Vietnamese banks that receive VietQR transfers (data/banks.json).

It lives with payments; cooperatives choose their bank from it for VietQR.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "banks.json"


@dataclass(frozen=True)
class Bank:
    bin: str  # NAPAS bank identification number, 6 digits: what a VietQR payload names
    code: str
    short_name: str
    name: str
    swift_code: str


@cache
def banks() -> dict[str, Bank]:
    """Banks by BIN, in the order shoppers recognise them (short name)."""
    with DATA.open(encoding="utf-8") as data:
        return {row["bin"]: Bank(**row) for row in json.load(data)["banks"]}


def bank_choices() -> list[tuple[str, str]]:
    return [(bank.bin, f"{bank.short_name} ({bank.name})") for bank in banks().values()]
