"""Township names instead of codes (normalised, never guessed), Traditional names, 8-digit codes."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest
import zhconv
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from natality.core import db
from natality.importing import importer
from natality.importing.names import NameIndex, bare_key, edit_distance, name_key
from natality.importing.values import BadValue
from tests.apptest_pages import open_boxes
from tests.import_fixtures import CODES, boundary_geojson, tree_digest

C0, C1, C2 = CODES  # 城关镇, 王店乡, 东区
DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard.py"


def _births(out) -> list[tuple]:
    frame = pl.read_parquet(out / "births.parquet").sort("township_code", "month", "sex")
    return [tuple(r) for r in frame.select("township_code", "month", "sex", "births").iter_rows()]


def _counts_file(path: Path, names: list[str]) -> Path:
    rows = "".join(f"{name},2024-05,男,{i + 1}\n" for i, name in enumerate(names))
    path.write_text("乡镇名称,月份,性别,出生数\n" + rows, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("written", "key", "bare"),
    [
        ("城關鎮", "城关镇", "城关"),
        ("王店　乡", "王店乡", "王店"),
        (" 东 区 ", "东区", "东区"),
        ("城关街道办事处", "城关街道办事处", "城关"),
        ("ＡＢ镇", "ab镇", "ab"),
        ("镇", "镇", "镇"),
    ],
)
def test_name_keys(written, key, bare):
    assert name_key(written) == key
    assert bare_key(name_key(written)) == bare


@pytest.mark.parametrize(
    ("a", "b", "d"),
    [
        ("城关", "城关", 0),
        ("城关", "城官", 1),
        ("王店", "王店村", 1),
        ("东区", "西区", 1),
        ("", "王店", 2),
        ("新村", "村新", 2),
    ],
)
def test_edit_distance(a, b, d):
    assert edit_distance(a, b) == d == edit_distance(b, a)


def test_names_match_after_normalising(ext, tmp_path):
    # Traditional 城關鎮, 王店 without its 乡, 王店镇 with another suffix, 东区 with a full-width space.
    path = _counts_file(tmp_path / "b.csv", ["城關鎮", "王店", "王店镇", "东\u3000区"])
    assert importer.main(["--out", str(ext), "--births", str(path), "--lang", "en", "--sum-duplicates"]) == 0
    # 王店 (2) and 王店镇 (3) both mean 王店乡: 2 + 3 = 5 boys; added up as asked.
    assert _births(ext) == [
        (C0, date(2024, 5, 1), "M", 1),
        (C1, date(2024, 5, 1), "M", 5),
        (C2, date(2024, 5, 1), "M", 4),
    ]


def test_near_misses_are_refused_with_the_closest_names(ext, tmp_path, capsys):
    path = _counts_file(tmp_path / "b.csv", ["城关真", "王电乡", "北京"])
    before = tree_digest(ext)
    assert importer.main(["--out", str(ext), "--births", str(path), "--lang", "en"]) == 2
    lines = capsys.readouterr().err.splitlines()[1:]
    why = (
        "this name matches none of the 3 known township names (spaces, full-width forms, Traditional "
        "characters and the 镇/乡/街道 suffix ignored); closest: "
    )
    tail = "; expected a township code or a name as in the boundary file"
    assert lines == [
        # 城关真 -> stem 城关真, one character from 城关 (城关镇's stem); the only name sharing a character.
        f'b.csv, row 2, column "乡镇名称": found "城关真", {why}城关镇（{C0}）{tail}',
        # 王电 is one substitution from 王店.
        f'b.csv, row 3, column "乡镇名称": found "王电乡", {why}王店乡（{C1}）{tail}',
        # 北京 shares no character with any name: every name, by distance (2 each), then by name.
        f'b.csv, row 4, column "乡镇名称": found "北京", {why}东区（{C2}）、城关镇（{C0}）、王店乡（{C1}）{tail}',
    ]
    assert tree_digest(ext) == before


def test_a_name_matching_several_townships_lists_them(tmp_path, capsys):
    codes = ["411621100000", "411621101000", "411621102000"]
    geo = tmp_path / "towns.geojson"
    geo.write_text(json.dumps(boundary_geojson(codes, ["新村乡", "新村镇", "城关镇"]), ensure_ascii=False), "utf-8")
    path = _counts_file(tmp_path / "b.csv", ["新村乡", "新村", "新村鎮"])
    out = tmp_path / "ext"
    args = ["--out", str(out), "--boundaries", str(geo), "--births", str(path), "--lang", "zh"]
    assert importer.main(args) == 2
    # 新村乡 and (Traditional) 新村鎮 are exact; the bare 新村 is the stem of both, so it is refused.
    assert capsys.readouterr().err.splitlines()[1:] == [
        "b.csv，第 3 行，“乡镇名称”列：值为“新村”，有多个乡镇符合这个名称：新村乡（411621100000）、"
        "新村镇（411621101000），无法判断是哪一个；请改用乡镇代码"
    ]
    path = _counts_file(tmp_path / "b.csv", ["新村乡", "新村鎮"])
    assert importer.main(args) == 0
    assert _births(out) == [("411621100000", date(2024, 5, 1), "M", 1), ("411621101000", date(2024, 5, 1), "M", 2)]


TW_CODES = ["63000010", "63000020", "63000030"]
TW_NAMES = ["中正區", "大安區", "信義區"]


@pytest.fixture
def taiwan(tmp_path, monkeypatch):
    """An extract of 8-digit codes and Traditional names; births by code and by Simplified name."""
    geo = tmp_path / "towns.geojson"
    geo.write_text(json.dumps(boundary_geojson(TW_CODES, TW_NAMES), ensure_ascii=False), "utf-8")
    births = tmp_path / "b.csv"
    births.write_text(
        "乡镇代码,乡镇名称,月份,性别,出生数\n63000010,,2024-01,男,3\n,大安区,2024-01,女,2\n63000030,,2024-02,男,4\n"
        "63000010,,2024-02,女,1\n",
        encoding="utf-8",
    )
    out = tmp_path / "ext"
    # A code column with a gap (the name given instead, in another column) is refused: the code
    # column is the one read ...
    assert importer.main(["--out", str(out), "--boundaries", str(geo), "--births", str(births)]) == 2
    births.write_text(
        "乡镇名称,月份,性别,出生数\n63000010,2024-01,男,3\n大安区,2024-01,女,2\n63000030,2024-02,男,4\n"
        "中正区,2024-02,女,1\n",
        encoding="utf-8",
    )
    # ... while a name column holding codes for some rows and names for others is fine.
    assert importer.main(["--out", str(out), "--boundaries", str(geo), "--births", str(births)]) == 0
    monkeypatch.setenv("NATALITY_DATA", str(out))
    return out


def test_eight_digit_codes_and_traditional_names_join_and_keep_their_spelling(taiwan):
    rows = db.run_query("births_by_township_year", taiwan, year=2024).to_dicts()
    # 中正區 3 boys (Jan) + 1 girl (Feb) = 4; 信義區 4 boys; 大安區 2 girls. Codes stay 8 digits.
    assert [(r["township_code"], r["township_name"], r["births"], r["boys"], r["girls"]) for r in rows] == [
        ("63000010", "中正區", 4, 3, 1),
        ("63000030", "信義區", 4, 4, 0),
        ("63000020", "大安區", 2, 0, 2),
    ]
    towns = pl.read_parquet(taiwan / "townships.parquet", columns=["township_code", "parent_code"])
    assert towns.to_dicts() == [{"township_code": c, "parent_code": None} for c in TW_CODES]  # no county digits


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_births_page_of_eight_digit_codes(taiwan, lang):
    at = AppTest.from_file(str(DASHBOARD), default_timeout=120)
    at.query_params["lang"] = lang
    at.query_params["year"] = "2024"
    at.run()
    at.switch_page("pages/births.py")
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    table = open_boxes(at).dataframe[0].value  # "Show the table", as a leader clicks it
    assert table["township_code"].tolist()[:3] == ["63000010", "63000030", "63000020"]
    assert table["township_name"].tolist()[:3] == ["中正區", "信義區", "大安區"]
    assert int(table["births"].iloc[-1]) == 10  # the total: 4 + 4 + 2


KNOWN = [
    ("城关镇", "411621100000"),
    ("王店乡", "411621101000"),
    ("东区", "411621102000"),
    ("凤凰街道", "411621103000"),
    ("龙泉乡", "411621104000"),
]


@settings(max_examples=80, deadline=None)
@given(
    pick=st.integers(0, len(KNOWN) - 1),
    spaces=st.lists(st.sampled_from([" ", "\u3000", "\t"]), max_size=3),
    at=st.integers(0, 5),
    traditional=st.booleans(),
    suffix=st.sampled_from(["keep", "drop", "街道办事处", "镇", "乡"]),
)
def test_any_spelling_of_a_known_name_finds_its_code(pick, spaces, at, traditional, suffix):
    name, code = KNOWN[pick]
    stem = bare_key(name)
    written = name if suffix == "keep" else stem if suffix == "drop" else stem + suffix
    if traditional:
        written = zhconv.convert(written, "zh-hant")
    written = written[:at] + "".join(spaces) + written[at:]
    assert NameIndex(KNOWN).code_for(written) == code


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="城关王店东区凤凰龙泉北京新村", min_size=1, max_size=4))
def test_a_name_is_found_or_refused_with_known_candidates(text):
    index = NameIndex(KNOWN)
    try:
        code = index.code_for(text)
    except BadValue as exc:
        assert exc.key == "unknown_name"
        listed = str(exc.fmt["candidates"]).split("、")
        assert 1 <= len(listed) <= 3
        assert all(any(item == f"{n}（{c}）" for n, c in KNOWN) for item in listed)
    else:
        assert bare_key(name_key(text)) in {bare_key(n) for n, _ in KNOWN}
        assert code in {c for _, c in KNOWN}
