"""Cell parsers and header recognition: the spellings real exports use."""

from __future__ import annotations

from datetime import date

import pytest

from natality.importing.headers import alias_lookup, is_personal_header, looks_personal, normalize_header
from natality.importing.values import (
    BadValue,
    age_band,
    parse_age,
    parse_age_band,
    parse_bool,
    parse_code,
    parse_count,
    parse_date,
    parse_month,
    parse_number,
    parse_order,
    parse_sex,
    parse_year,
)

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("text", "sex"),
    [("男", "M"), ("女", "F"), ("M", "M"), ("f", "F"), ("1", "M"), ("2", "F"), ("0", None), ("9", None),
     ("", None), ("男性", "M"), ("Female", "F"), (" 女 ", "F"), ("１", "M")],
)  # fmt: skip
def test_sex(text, sex):
    assert parse_sex(text) == sex


@pytest.mark.parametrize("text", ["X", "3", "男女", "boy?"])
def test_sex_refused(text):
    with pytest.raises(BadValue) as exc:
        parse_sex(text)
    assert exc.value.key == "sex"


@pytest.mark.parametrize(
    ("text", "order"),
    [("1", 1), ("2", 2), ("3", 3), ("3+", 3), ("4", 3), ("一孩", 1), ("二孩", 2), ("三孩及以上", 3), ("多孩", 3),
     ("第二胎", 2), ("1.0", 1), ("", None), ("未知", None), ("≥3", 3), ("三孩以上", 3), ("十", 3)],
)  # fmt: skip
def test_order(text, order):
    assert parse_order(text) == order


@pytest.mark.parametrize("text", ["0", "-1", "first?", "2.5", "孩"])
def test_order_refused(text):
    with pytest.raises(BadValue):
        parse_order(text)


@pytest.mark.parametrize(
    ("text", "day"),
    [("2024-03-05", date(2024, 3, 5)), ("2024/3/5", date(2024, 3, 5)), ("2024年3月5日", date(2024, 3, 5)),
     ("2024.3.5", date(2024, 3, 5)), ("20240305", date(2024, 3, 5)), ("45356", date(2024, 3, 5)),
     ("45356.0", date(2024, 3, 5)), ("2024-03-05 08:30:00", date(2024, 3, 5)), ("２０２４-03-05", date(2024, 3, 5))],
)  # fmt: skip
def test_date(text, day):
    assert parse_date(text, TODAY) == day


@pytest.mark.parametrize(
    ("text", "key"),
    [("2024-02-30", "date"), ("05/03/2024", "date"), ("2027-01-01", "date_future"), ("1948-12-31", "date_too_early"),
     ("abc", "date"), ("2024-13-01", "date")],
)  # fmt: skip
def test_date_refused(text, key):
    with pytest.raises(BadValue) as exc:
        parse_date(text, TODAY)
    assert exc.value.key == key


@pytest.mark.parametrize(
    ("text", "month"),
    [("2024-03", date(2024, 3, 1)), ("2024/3", date(2024, 3, 1)), ("2024年3月", date(2024, 3, 1)),
     ("202403", date(2024, 3, 1)), ("2024-03-17", date(2024, 3, 1)), ("2026-11", date(2026, 11, 1))],
)  # fmt: skip
def test_month(text, month):
    assert parse_month(text, TODAY) == month


@pytest.mark.parametrize(("text", "key"), [("2026-12", "date_future"), ("2024-13", "month"), ("March", "month")])
def test_month_refused(text, key):
    with pytest.raises(BadValue) as exc:
        parse_month(text, TODAY)
    assert exc.value.key == key


@pytest.mark.parametrize(
    ("text", "code"),
    [("411621100000", "411621100000"), ("411621100", "411621100000"), ("411621100203", "411621100000"),
     ("411621", "411621"), ("411621100000.0", "411621100000"), (" 411621100000 ", "411621100000"),
     ("041162110000", "041162110000"), ("63000010", "63000010"), ("０９００７０１０", "09007010")],
)  # fmt: skip
def test_code_keeps_leading_zeros_and_rolls_villages_up(text, code):
    assert parse_code(text) == code


@pytest.mark.parametrize(
    ("text", "key"),
    [("4.11621E+11", "code_scientific"), ("4116211", "code"), ("4116211000", "code"), ("城关镇", "code")],
)
def test_code_refused(text, key):
    with pytest.raises(BadValue) as exc:
        parse_code(text)
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
    [("乡镇（街道）代码", "township_code"), ("TOWNCODE", "township_code"), ("Township Code", "township_code"),
     ("出生日期", "birth_date"), ("性别", "sex"), ("孩次", "birth_order"), ("母亲年龄", "mother_age"),
     ("出生人数", "births"), ("年份", "year"), ("人口数", "population"), ("目标值", "target")],
)  # fmt: skip
def test_header_aliases(header, canon):
    assert alias_lookup()[normalize_header(header)] == canon


@pytest.mark.parametrize(
    "header", ["姓名", "婴儿姓名", "母亲姓名", "身份证号", "母亲身份证号码", "联系电话", "手机号", "家庭住址", "name",
               "Mother Name", "ID_Number", "phone", "Address"],
)  # fmt: skip
def test_personal_headers(header):
    assert is_personal_header(header)


@pytest.mark.parametrize("header", ["乡镇名称", "乡镇代码", "出生日期", "性别", "township_name"])
def test_not_personal_headers(header):
    assert not is_personal_header(header)


def test_personal_values_under_an_innocent_header():
    assert looks_personal(["41162119900101123X", "411621199001011234", ""])
    assert looks_personal(["13812345678", "15912345678"])
    assert not looks_personal(["411621100000", "411621101000"])
