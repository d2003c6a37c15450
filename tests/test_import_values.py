"""Cell parsers and header recognition: the spellings real exports use."""

from __future__ import annotations

from datetime import date
from functools import partial

import pytest

from natality.importing.headers import alias_lookup, is_personal_header, looks_personal, normalize_header
from natality.importing.values import (
    BadValue,
    age_band,
    is_total_label,
    parse_age,
    parse_age_band,
    parse_bool,
    parse_code,
    parse_count,
    parse_date,
    parse_month,
    parse_month_number,
    parse_number,
    parse_order,
    parse_region_code,
    parse_sex,
    parse_year,
)

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize("text", ["0", "-1", "first?", "2.5", "孩"])
def test_order_refused(text):
    with pytest.raises(BadValue):
        parse_order(text)


PARSERS = {
    "sex": parse_sex,
    "date": partial(parse_date, today=TODAY),
    "month": partial(parse_month, today=TODAY),
    "order": parse_order,
    "code": parse_code,
}


PARSED = {  # the value each parser reads from a cell's text
    "sex": {
        "男": "M", "女": "F", "M": "M", "f": "F", "1": "M", "2": "F", "0": None, "9": None, "": None, "男性": "M",
        "Female": "F", " 女 ": "F", "１": "M",
    },
    "order": {
        "1": 1, "2": 2, "3": 3, "3+": 3, "4": 3, "一孩": 1, "二孩": 2, "三孩及以上": 3, "多孩": 3, "第二胎": 2,
        "1.0": 1, "": None, "未知": None, "≥3": 3, "三孩以上": 3, "十": 3,
    },
    "date": {
        "2024-03-05": date(2024, 3, 5), "2024/3/5": date(2024, 3, 5), "2024年3月5日": date(2024, 3, 5),
        "2024.3.5": date(2024, 3, 5), "20240305": date(2024, 3, 5), "45356": date(2024, 3, 5),
        "45356.0": date(2024, 3, 5), "2024-03-05 08:30:00": date(2024, 3, 5), "２０２４-03-05": date(2024, 3, 5),
    },
    "month": {
        "2024-03": date(2024, 3, 1), "2024/3": date(2024, 3, 1), "2024年3月": date(2024, 3, 1),
        "202403": date(2024, 3, 1), "2024-03-17": date(2024, 3, 1), "2026-11": date(2026, 11, 1),
    },
    "code": {
        "411621100000": "411621100000", "411621100": "411621100000", "411621100203": "411621100203",
        "411621": "411621", "411621100000.0": "411621100000", " 411621100000 ": "411621100000",
        "041162110000": "041162110000", "63000010": "63000010", "０９００７０１０": "09007010",
    },
}  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "text", "value"), [(kind, text, value) for kind, cells in PARSED.items() for text, value in cells.items()]
)
def test_a_cell_parsed(kind, text, value):
    assert PARSERS[kind](text) == value


REFUSED = {  # the BadValue key each parser refuses a cell's text with
    "sex": {"X": "sex", "3": "sex", "男女": "sex", "boy?": "sex"},
    "date": {
        "2024-02-30": "date", "05/03/2024": "date", "2027-01-01": "date_future", "1948-12-31": "date_too_early",
        "abc": "date", "2024-13-01": "date",
    },
    "month": {"2026-12": "date_future", "2024-13": "month", "March": "month"},
    "code": {"4.11621E+11": "code_scientific", "4116211": "code", "4116211000": "code", "城关镇": "code"},
}  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "text", "key"), [(kind, text, key) for kind, cells in REFUSED.items() for text, key in cells.items()]
)
def test_a_cell_refused_with_its_key(kind, text, key):
    with pytest.raises(BadValue) as exc:
        PARSERS[kind](text)
    assert exc.value.key == key


def test_counts_numbers_ages_years_bools():
    assert parse_count("1,234") == 1234
    assert parse_count("12.0") == 12
    for text, key in (("-1", "count_negative"), ("1.5", "count_integer"), ("x", "count"), ("", "count_missing")):
        with pytest.raises(BadValue) as exc:
            parse_count(text)
        assert exc.value.key == key
    assert parse_number("93.5%") == 93.5
    assert parse_age("28岁") == 28
    assert [age_band(a) for a in (14, 15, 19, 20, 49, 50, None)] == [
        None,
        "15-19",
        "15-19",
        "20-24",
        "45-49",
        None,
        None,
    ]
    assert parse_age_band("15～19岁") == "15-19"
    assert parse_year("2024年", 2026) == 2024
    with pytest.raises(BadValue):
        parse_year("2030", 2026)
    assert [parse_bool(v) for v in ("是", "否", "政策内", "0", "")] == [True, False, True, False, None]


@pytest.mark.parametrize(
    ("header", "canon"),
    [
        ("乡镇（街道）代码", "township_code"),
        ("TOWNCODE", "township_code"),
        ("Township Code", "township_code"),
        ("出生日期", "birth_date"),
        ("性别", "sex"),
        ("孩次", "birth_order"),
        ("母亲年龄", "mother_age"),
        ("出生人数", "births"),
        ("年份", "year"),
        ("人口数", "population"),
        ("目标值", "target"),
    ],
)
def test_header_aliases(header, canon):
    assert alias_lookup()[normalize_header(header)] == canon


@pytest.mark.parametrize(
    "header",
    [
        "姓名",
        "婴儿姓名",
        "母亲姓名",
        "身份证号",
        "母亲身份证号码",
        "联系电话",
        "手机号",
        "家庭住址",
        "name",
        "Mother Name",
        "ID_Number",
        "phone",
        "Address",
    ],
)
def test_personal_headers(header):
    assert is_personal_header(header)


@pytest.mark.parametrize("header", ["乡镇名称", "乡镇代码", "出生日期", "性别", "township_name"])
def test_not_personal_headers(header):
    assert not is_personal_header(header)


def test_personal_values_under_an_innocent_header():
    assert looks_personal(["41162119900101123X", "411621199001011234", ""])
    assert looks_personal(["13812345678", "15912345678"])
    assert not looks_personal(["411621100000", "411621101000"])


def _key(parse, *args) -> tuple[str, dict]:
    with pytest.raises(BadValue) as exc:
        parse(*args)
    assert str(exc.value) == exc.value.key  # the exception says which expectation failed
    return exc.value.key, exc.value.fmt


# The edges of every parser: the first and last value accepted, the first refused, and the key that
# names the message (found by mutation testing: each case below fails on a one-character change).
@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("'411621100000", "411621100000"),
        ("`411621100000", "411621100000"),
        ('="411621100000"', "411621100000"),
        ("4116 2110 0000", "411621100000"),
        ("411621100000.00", "411621100000"),
    ],
)
def test_code_without_excel_text_markers(text, code):
    assert parse_code(text) == code


@pytest.mark.parametrize("text", ["4.11621e+11", "4E11", '="4116211"', '411621100000"', "411621100000'"])
def test_code_markers_only_where_excel_puts_them(text):
    assert _key(parse_code, text)[0] in ("code", "code_scientific")
    assert _key(parse_code, "4.11621e+11")[0] == "code_scientific"


def test_region_codes():
    codes = [parse_region_code(v) for v in ("411621", " 410000 ", "'411600", "411621.0")]
    assert codes == ["411621", "410000", "411600", "411621"]
    for text in ("41162", "4116211", "411621100000", "县"):
        assert _key(parse_region_code, text)[0] == "region_code"


def test_total_labels():
    labels = [is_total_label(v) for v in ("合计", " 总 计 ", "Total", "SUBTOTAL", "城关镇", "")]
    assert labels == [True] * 4 + [False] * 2


@pytest.mark.parametrize(
    ("text", "order"),
    [
        ("2ND", 2),
        ("1st", 1),
        ("Third", None),
        ("3RD", 3),
        ("Child 2", 2),
        ("第1次", 1),
        ("MORE", 3),
        ("3 or more", None),
    ],
)
def test_order_in_capitals_and_words(text, order):
    if order is None:
        assert _key(parse_order, text)[0] == "order"
    else:
        assert parse_order(text) == order


@pytest.mark.parametrize("text", ["多", "first?", "0", "孩"])
def test_order_refusals_name_the_order(text):
    assert _key(parse_order, text) == ("order", {})


def test_excel_serial_days_and_their_range():
    assert parse_date("80000", date(2200, 1, 1)) == date(2119, 1, 11)  # 1899-12-30 + 80,000 days (Excel: 11 Jan 2119)
    assert _key(parse_date, "80001", date(2200, 1, 1))[0] == "date"  # not a serial: five digits, no date
    assert _key(parse_date, "10000", TODAY)[0] == "date_too_early"  # serial 10,000: 1927-05-18
    assert parse_date("18264", TODAY) == date(1950, 1, 1)


def test_date_range_ends_are_inside():
    assert parse_date("1949-01-01", TODAY) == date(1949, 1, 1)
    assert parse_date("2026-11-22", TODAY) == TODAY
    assert _key(parse_date, "2026-11-23", TODAY) == ("date_future", {"today": "2026-11-22"})
    assert parse_date("2000-01-01") == date(2000, 1, 1)  # today defaults to the real today
    assert parse_month("2000-01") == date(2000, 1, 1)


def test_month_range_ends():
    assert parse_month("2024-01", TODAY) == date(2024, 1, 1) and parse_month("2024-12", TODAY) == date(2024, 12, 1)
    assert _key(parse_month, "2024-00", TODAY)[0] == "month"
    assert parse_month("1949-01", TODAY) == date(1949, 1, 1)
    # a full date in the future keeps its own message and the day it was judged on
    assert _key(parse_month, "2026-12-05", TODAY) == ("date_future", {"today": "2026-11-22"})
    assert _key(parse_month, "1948-12-31", TODAY)[0] == "date_too_early"


def test_years_and_month_numbers():
    assert [parse_year(v, 2026) for v in ("1949", "2026", "2024.0", "2024年度")] == [1949, 2026, 2024, 2024]
    assert _key(parse_year, "1948", 2026) == ("year", {"latest": 2026})
    assert _key(parse_year, "2027", 2026) == ("year", {"latest": 2026})
    assert [parse_month_number(v) for v in ("1", "12", "3月", "03", "7.0", "１２")] == [1, 12, 3, 3, 7, 12]
    for text in ("0", "13", "1.5", "三月", "", "100"):
        assert _key(parse_month_number, text)[0] == "month_number"


def test_counts_and_numbers_spelled_as_offices_do():
    assert [parse_count(v) for v in ("0", "1 234", "5人", "1,000.0")] == [0, 1234, 5, 1000]
    assert [parse_number(v) for v in ("1,234.5", "3‰", "-2.5", "0", "7 %")] == [1234.5, 3.0, -2.5, 0.0, 7.0]
    for text in ("nan", "inf", "-inf", "x", ""):
        assert _key(parse_number, text)[0] == "number"


def test_ages_and_bands():
    assert [parse_age(v) for v in ("10", "60", "25周岁", "25.0")] == [10, 60, 25, 25]
    for text in ("9", "61", "25.5", "二十"):
        assert _key(parse_age, text)[0] == "age"
    assert [parse_age_band(v) for v in ("20~24", "20至24岁", "20—24", "20_24", "45-49", "", "未知", "不详")] == [
        "20-24",
        "20-24",
        "20-24",
        "20-24",
        "45-49",
        None,
        None,
        None,
    ]
    key, fmt = _key(parse_age_band, "50-54")
    assert key == "age_band" and fmt["bands"].startswith("15-19, 20-24")


def test_booleans():
    flags = [parse_bool(v) for v in ("YES", "True", "T", "符合政策", "No", "F", "违规", "未知", "不详")]
    assert flags == [True] * 4 + [False] * 3 + [None] * 2
    assert _key(parse_bool, "maybe") == ("bool", {})
