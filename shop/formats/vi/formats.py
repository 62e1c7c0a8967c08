"""Vietnamese formats, replacing Django's ``vi`` module.

Django's own module leaves ``NUMBER_GROUPING`` unset (so 125000 shows without a
thousands separator) and has no input formats, so typed dates fall back to the
US month-first ``%m/%d/%Y``. Vietnamese write day first: 05/03/2026 is 5 March.
"""

DATE_FORMAT = "d/m/Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "H:i d/m/Y"
YEAR_MONTH_FORMAT = r"\t\há\n\g n/Y"
MONTH_DAY_FORMAT = "d/m"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "H:i d/m/Y"
FIRST_DAY_OF_WEEK = 1  # Monday

DATE_INPUT_FORMATS = [
    "%d/%m/%Y",  # 25/10/2026
    "%d-%m-%Y",  # 25-10-2026
    "%d.%m.%Y",  # 25.10.2026
    "%d/%m/%y",  # 25/10/26
    "%Y-%m-%d",  # ISO, as sent by <input type="date">
]
TIME_INPUT_FORMATS = ["%H:%M", "%H:%M:%S", "%Hh%M", "%Hh"]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%H:%M %d/%m/%Y",
    "%d-%m-%Y %H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
]

DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
