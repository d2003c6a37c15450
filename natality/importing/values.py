"""Parsing single cell values the way Chinese offices write them.

Each parser takes the cell text and returns the canonical value, or raises ``BadValue`` whose
``key`` names the message saying what was expected. Parsers are applied once per distinct value.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from natality.core.extract import AGE_BANDS

EARLIEST = date(1949, 1, 1)
EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0 (its 1900 leap-year bug included)
TOTAL_WORDS = {"合计", "总计", "小计", "全县", "全区", "全市", "total", "sum", "subtotal"}


class BadValue(ValueError):
    """A cell that cannot be read; ``key`` names the expectation, ``fmt`` fills it."""

    def __init__(self, key: str, **fmt: object) -> None:
        super().__init__(key)
        self.key = key
        self.fmt = fmt


def parse_distinct(values, parser, required: bool = False, value_map: dict | None = None):
    """Each distinct cell text parsed once: (text -> value, text -> BadValue). ``value_map`` (a
    mapping file's spellings) is applied first; an empty cell of a ``required`` column is bad."""
    replace = {str(k): str(v) for k, v in (value_map or {}).items()}
    good: dict[str, object] = {}
    bad: dict[str, BadValue] = {}
    for value in values:
        mapped = replace.get(value, value)
        try:
            if required and not mapped.strip():
                raise BadValue("required")
            good[value] = parser(mapped)
        except BadValue as exc:
            bad[value] = exc
    return good, bad


def clean(text: str) -> str:
    """NFKC (full-width digits and letters to ASCII), trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


SUBTOTAL_WORDS = {"小计", "subtotal"}  # a subtotal: the rows since the previous total


def is_total_label(text: str) -> bool:
    return clean(text).lower().replace(" ", "") in TOTAL_WORDS


def is_subtotal_label(text: str) -> bool:
    return clean(text).lower().replace(" ", "") in SUBTOTAL_WORDS


def _code_text(text: str) -> str:
    """A code cell without Excel's text markers and float tails; scientific notation refused."""
    value = clean(text).replace(" ", "").lstrip("'`")
    if value.startswith('="') and value.endswith('"'):  # Excel's way of keeping text in a CSV
        value = value[2:-1]
    if re.fullmatch(r"\d+(\.\d+)?[eE]\+?\d+", value):
        raise BadValue("code_scientific")
    if re.fullmatch(r"\d+\.0+", value):
        value = value.split(".")[0]
    return value


def parse_region_code(text: str) -> str:
    """The 6-digit code of a county, city or province (411621, 411600, 410000)."""
    value = _code_text(text)
    if not re.fullmatch(r"[0-9]{6}", value):
        raise BadValue("region_code")
    return value


def parse_code(text: str) -> str:
    """Division code as a string: 12 digits (a village's code is kept: the importer rolls it up
    to its township, ``townships.roll_up_villages``; a 9-digit township code is the same township
    padded to 12), 6 (county), or 8 digits kept as written
    (local township codes outside GB/T 2260, e.g. Taiwan's 鄉鎮市區 codes; their county is the
    boundary file's parent)."""
    value = _code_text(text)
    if not value.isdigit():
        raise BadValue("code")
    if len(value) in (6, 8):
        return value
    if len(value) == 12:
        return value
    if len(value) == 9:
        return value + "000"
    raise BadValue("code")


_SEX = {
    "M": ("男", "男性", "男孩", "男婴", "m", "male", "boy", "1", "男1"),
    "F": ("女", "女性", "女孩", "女婴", "f", "female", "girl", "2", "女2"),
    "": ("0", "9", "未知", "未说明", "不详", "未说明的性别", "未知的性别", "unknown", "u", ""),
}
_SEX_LOOKUP = {alias: sex for sex, aliases in _SEX.items() for alias in aliases}


def parse_sex(text: str) -> str | None:
    """'M' or 'F'; None for unknown / not stated (GB/T 2261.1 codes 0 and 9, or empty)."""
    value = clean(text).lower()
    if value not in _SEX_LOOKUP:
        raise BadValue("sex")
    return _SEX_LOOKUP[value] or None


_CN_DIGITS = {
    "一": "1",
    "二": "2",
    "两": "2",
    "三": "3",
    "四": "4",
    "五": "5",
    "六": "6",
    "七": "7",
    "八": "8",
    "九": "9",
    "十": "10",
}
_ORDER_THIRD_PLUS = ("及以上", "以上", "及多孩", "+", "≥", ">=", "more", "多孩", "多胎")
_ORDER_UNKNOWN = {"", "未知", "不详", "unknown", "na", "n/a", "-"}


def parse_order(text: str) -> int | None:
    """Birth order 1, 2 or 3 (third and higher); None when unknown."""
    value = clean(text).lower().replace(" ", "")
    if value in _ORDER_UNKNOWN:
        return None
    third_plus = any(mark in value for mark in _ORDER_THIRD_PLUS)
    for cn, digit in _CN_DIGITS.items():
        value = value.replace(cn, digit)
    value = re.sub(r"^第|孩|胎|个|次|child|(st|nd|rd|th)$|及以上|以上|及多孩|\+|≥|>=|more", "", value)
    if value in ("多", ""):
        if third_plus:
            return 3
        raise BadValue("order")
    if re.fullmatch(r"\d+(\.0+)?", value):
        order = int(float(value))
        if order >= 1:
            return min(order, 3)
    raise BadValue("order")


_DATE_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[T\s].*)?")
_MONTH_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?")


def _excel_serial(value: str) -> date | None:
    if re.fullmatch(r"\d{5}(\.\d+)?", value):
        serial = int(float(value))
        if 10000 <= serial <= 80000:
            return EXCEL_EPOCH + timedelta(days=serial)
    return None


def _checked(day: date, today: date) -> date:
    if day < EARLIEST:
        raise BadValue("date_too_early")
    if day > today:
        raise BadValue("date_future", today=today.isoformat())
    return day


def parse_date(text: str, today: date | None = None) -> date:
    """A day: 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日, 20240305 or an Excel serial."""
    today = today or date.today()
    value = clean(text)
    day = _excel_serial(value)
    if day is None:
        m = _DATE_RE.fullmatch(value) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", value)
        if not m:
            raise BadValue("date")
        try:
            day = date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise BadValue("date") from None
    return _checked(day, today)


def parse_month(text: str, today: date | None = None) -> date:
    """The 1st of a month: 2024-03, 2024/3, 2024年3月, 202403, or any full date in that month."""
    today = today or date.today()
    value = clean(text)
    m = _MONTH_RE.fullmatch(value) or re.fullmatch(r"(\d{4})(\d{2})", value)
    if m is None:
        try:
            day = parse_date(value, today)
        except BadValue as exc:
            raise BadValue("month" if exc.key == "date" else exc.key, **exc.fmt) from None
        return day.replace(day=1)
    if not 1 <= int(m[2]) <= 12:
        raise BadValue("month")
    month = date(int(m[1]), int(m[2]), 1)
    return _checked(month, today.replace(day=1))


def parse_year(text: str, latest: int) -> int:
    value = clean(text).removesuffix("年").removesuffix("年度")
    if re.fullmatch(r"\d{4}(\.0+)?", value):
        year = int(float(value))
        if EARLIEST.year <= year <= latest:
            return year
    raise BadValue("year", latest=latest)


def parse_month_number(text: str) -> int:
    value = clean(text).removesuffix("月")
    if re.fullmatch(r"\d{1,2}(\.0+)?", value) and 1 <= int(float(value)) <= 12:
        return int(float(value))
    raise BadValue("month_number")


def parse_count(text: str) -> int:
    """A non-negative whole number of births or people; '1,234' and '12.0' are fine."""
    value = clean(text).replace(",", "").replace(" ", "").removesuffix("人")
    if value == "":
        raise BadValue("count_missing")
    try:
        number = float(value)
    except ValueError:
        raise BadValue("count") from None
    if number < 0:
        raise BadValue("count_negative")
    if not number.is_integer():
        raise BadValue("count_integer")
    return int(number)


def parse_number(text: str) -> float:
    """A decimal number; a trailing '%' or '‰' is dropped (values are in the indicator's unit)."""
    value = clean(text).replace(",", "").replace(" ", "").rstrip("%‰")
    try:
        number = float(value)
    except ValueError:
        raise BadValue("number") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise BadValue("number")
    return number


def parse_age(text: str) -> int:
    """Mother's age in completed years (10-60; bands are made from it later)."""
    value = clean(text).removesuffix("周岁").removesuffix("岁")
    if re.fullmatch(r"\d{1,2}(\.0+)?", value) and 10 <= int(float(value)) <= 60:
        return int(float(value))
    raise BadValue("age")


def age_band(age: int | None) -> str | None:
    """'15-19' ... '45-49'; None outside 15-49 (counted and reported as a warning)."""
    if age is None or not 15 <= age <= 49:
        return None
    low = age - age % 5
    return f"{low}-{low + 4}"


def parse_age_band(text: str) -> str | None:
    value = clean(text).replace(" ", "").removesuffix("岁")
    if value in ("", "未知", "不详"):
        return None
    value = re.sub(r"[~～—–至到_]", "-", value).replace("岁", "")
    if value in AGE_BANDS:
        return value
    raise BadValue("age_band", bands=", ".join(AGE_BANDS))


_YES = {"是", "y", "yes", "true", "1", "政策内", "符合", "符合政策", "合规", "t"}
_NO = {"否", "n", "no", "false", "0", "政策外", "不符合", "不符合政策", "违规", "f"}


def parse_bool(text: str) -> bool | None:
    value = clean(text).lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    if value in ("", "未知", "不详"):
        return None
    raise BadValue("bool")
