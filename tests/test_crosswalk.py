"""The township crosswalk: two townships merged in 2021 imported with their old codes, the trend
of the merged township worked out by hand, a split that keeps every total, bad crosswalk files
refused with their row and column, and the Township page saying what a township was formed from."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from natality.core import db
from natality.importing import importer
from tests.import_fixtures import boundary_geojson

DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard.py"
A, B = "411621100000", "411621101000"  # 城关镇 and 王店乡 until 2020
C, D = "411621200000", "411621102000"  # 新城镇 (A + B from 2021) and 东区 (unchanged)

BIRTHS = """乡镇代码,月份,男婴数,女婴数
411621100000,2019-03,3,2
411621101000,2019-03,1,4
411621102000,2019-03,2,2
411621100000,2020-05,4,3
411621101000,2020-05,2,2
411621102000,2020-05,1,1
411621200000,2021-06,5,4
411621102000,2021-06,2,3
411621200000,2022-02,3,3
411621102000,2022-02,1,2
"""
POPULATION = """乡镇代码,年份,人口数
411621100000,2019,10000
411621101000,2019,5000
411621102000,2019,8000
411621200000,2021,14800
411621102000,2021,7900
"""
MERGE = """原乡镇代码,新乡镇代码,变更年份,比例,原乡镇名称
411621100000,411621200000,2021,,城关镇
411621101000,411621200000,2021,1,王店乡
"""


def write_inputs(root: Path, crosswalk: str = MERGE) -> dict[str, Path]:
    root.mkdir(parents=True, exist_ok=True)
    files = {
        "boundaries": ("towns.geojson", json.dumps(boundary_geojson([C, D], ["新城镇", "东区"]), ensure_ascii=False)),
        "births": ("births.csv", BIRTHS),
        "population": ("population.csv", POPULATION),
        "crosswalk": ("crosswalk.csv", crosswalk),
    }
    for name, text in files.values():
        (root / name).write_text(text, encoding="utf-8")
    return {k: root / name for k, (name, _) in files.items()}


def run_import(out: Path, files: dict[str, Path]) -> int:
    args = ["--out", str(out), "--name", "测试县", "--lang", "en"]
    for option, path in files.items():
        args += [f"--{option}", str(path)]
    return importer.main(args)


@pytest.fixture
def merged(tmp_path) -> Path:
    out = tmp_path / "ext"
    assert run_import(out, write_inputs(tmp_path / "in")) == 0
    return out


def test_merged_township_trend_is_continuous(merged):
    rows = db.run_query("srb_township_by_year", merged, township_code=C).select("year", "births", "boys", "girls")
    # 2019: 城关镇 3 + 2 and 王店乡 1 + 4 = 10 (boys 3 + 1 = 4, girls 2 + 4 = 6)
    # 2020: 城关镇 4 + 3 and 王店乡 2 + 2 = 11 (boys 6, girls 5); 2021: 5 + 4 = 9; 2022: 3 + 3 = 6
    assert rows.rows() == [(2019, 10, 4, 6), (2020, 11, 6, 5), (2021, 9, 5, 4), (2022, 6, 3, 3)]
    unchanged = db.run_query("srb_township_by_year", merged, township_code=D)
    assert unchanged["births"].to_list() == [4, 2, 5, 3]
    # no old code is left anywhere: the county's 2019 total is 10 + 4 = 14 as registered
    year = db.run_query("births_by_township_year", merged, year=2019).select("township_code", "births")
    assert sorted(year.rows()) == [(D, 4), (C, 10)]


def test_population_and_birth_rate_on_todays_township(merged):
    rate = db.run_query("indicator_birth_rate", merged).filter(pl.col("township_code") == C)
    # 2019: births 10 on 城关镇 10,000 + 王店乡 5,000 = 15,000 people; 2021: 9 on 14,800
    assert rate.filter(pl.col("year") == 2019).select("numerator", "denominator").row(0) == (10.0, 15000.0)
    assert rate.filter(pl.col("year") == 2021).select("numerator", "denominator").row(0) == (9.0, 14800.0)


def test_the_scorecard_and_compare_see_the_same_townships(merged):
    # the scorecard's births indicator: 新城镇 10, 11, 9, 6 by year (as the trend above); no old code
    births = db.run_query("indicator_births", merged)
    assert set(births["township_code"]) == {C, D}
    assert births.filter(pl.col("township_code") == C)["numerator"].to_list() == [10.0, 11.0, 9.0, 6.0]
    # the Compare page's two years side by side: 2020 -> 2021 for 新城镇 is 11 -> 9, not 0 -> 9
    before = db.run_query("map_township_year", merged, year=2020, last_month=12)
    after = db.run_query("map_township_year", merged, year=2021, last_month=12)
    assert sorted(before["township_code"]) == [D, C]
    assert [f.filter(pl.col("township_code") == C)["births"].item() for f in (before, after)] == [11, 9]


def test_the_crosswalk_is_stored_and_the_old_codes_are_not_townships(merged):
    live = merged.resolve()
    stored = pl.read_parquet(live / "crosswalk.parquet")
    assert stored.rows() == [(A, C, 2021, 1.0, "城关镇"), (B, C, 2021, 1.0, "王店乡")]
    towns = pl.read_parquet(live / "townships.parquet", columns=["township_code"])["township_code"].to_list()
    assert sorted(towns) == [D, C]
    # births.parquet keeps the codes as registered: a corrected crosswalk needs no re-import
    assert {A, B} <= set(pl.read_parquet(live / "births.parquet")["township_code"])
    assert json.loads((live / "manifest.json").read_text())["row_counts"]["crosswalk"] == 2


def test_a_later_births_import_keeps_the_crosswalk(merged, tmp_path):
    extra = tmp_path / "more.csv"
    extra.write_text("乡镇代码,月份,男婴数,女婴数\n411621100000,2018-04,2,1\n", encoding="utf-8")
    assert importer.main(["--out", str(merged), "--births", str(extra), "--months-only", "--lang", "en"]) == 0
    rows = db.run_query("srb_township_by_year", merged, township_code=C).select("year", "births")
    assert rows.rows()[0] == (2018, 3)  # the old code, accepted and mapped by the live crosswalk


def test_a_split_keeps_every_total(tmp_path):
    # 城关镇 (A) split 50 / 50 into 新城镇 (C) and 东区 (D); 王店乡 (B) merged into C.
    # Each cell of A is split by the largest remainder: 2019-03 boys 3 -> 1 + 2 (1.5 each, the extra
    # one to the hashed first), girls 2 -> 1 + 1; 2020-05 boys 4 -> 2 + 2, girls 3 -> 1 + 2 or 2 + 1.
    split = "old_code,new_code,from_year,share\n411621100000,411621200000,2021,0.5\n"
    split += "411621100000,411621102000,2021,50%\n411621101000,411621200000,2021,1\n"
    out = tmp_path / "ext"
    assert run_import(out, write_inputs(tmp_path / "in", split)) == 0
    c = db.run_query("srb_township_by_year", out, township_code=C)
    d = db.run_query("srb_township_by_year", out, township_code=D)
    both = [x + y for x, y in zip(c["births"].to_list(), d["births"].to_list(), strict=True)]
    assert both == [14, 13, 14, 9]  # the county's totals by year, as registered (10+4, 11+2, 9+5, 6+3)
    # A's 5 births of 2019 are split 2 / 3 or 3 / 2 (each half 2.5): C has B's 5 plus 2 or 3
    assert c["births"][0] in (7, 8) and d["births"][0] == 14 - c["births"][0]
    births = pl.read_parquet(out.resolve() / "births.parquet")
    assert int(births["births"].sum()) == sum(both)


@pytest.mark.parametrize(
    ("crosswalk", "expected"),
    [
        (
            MERGE.replace(",,城关镇", ",0.6,城关镇"),
            'row 2, column "比例": found "411621100000", the shares of this old township add up to 0.6, not 1',
        ),
        (
            MERGE.replace("411621200000,2021,1,王店乡", "411621100000,2021,1,王店乡"),
            'row 3, column "新乡镇代码": found "411621100000", this new code is an old code in another row',
        ),
        (
            MERGE.replace("411621200000,2021,1,王店乡", "411621999000,2021,1,王店乡"),
            'crosswalk.csv: found "411621999000", the new code is not a township of this extract',
        ),
        (MERGE.replace(",2021,1,", ",2021,60,"), 'row 3, column "比例": found "60", expected the share'),
        (
            "old_code,new_code\n411621100000,411621200000\n",
            "crosswalk.csv: a required column is missing; expected a header such as from_year / 起始年份",
        ),
    ],
)
def test_bad_crosswalk_files_are_refused_and_change_nothing(tmp_path, capsys, crosswalk, expected):
    out = tmp_path / "ext"
    assert run_import(out, write_inputs(tmp_path / "in", crosswalk)) == 2
    assert expected in capsys.readouterr().err
    assert not out.exists()


def test_chained_codes_are_refused(tmp_path, capsys):
    chain = MERGE + "411621200000,411621102000,2022,1,新城镇\n"
    assert run_import(tmp_path / "ext", write_inputs(tmp_path / "in", chain)) == 2
    err = capsys.readouterr().err
    assert "is an old code in another row" in err and "row 2" in err


@pytest.mark.parametrize(
    ("lang", "sentence"),
    [("zh", "2021年由城关镇和王店乡合并（调整）而成"), ("en", "Formed in 2021 from 城关镇 and 王店乡")],
)
def test_township_page_says_what_it_was_formed_from(merged, monkeypatch, lang, sentence):
    monkeypatch.setenv("NATALITY_DATA", str(merged))
    at = AppTest.from_file(str(DASHBOARD), default_timeout=120)
    at.query_params["lang"] = lang
    at.query_params["township"] = C
    at.run()
    at.switch_page("pages/township.py")
    at.run()
    assert not at.exception, at.exception
    assert any(sentence in i.value for i in at.info)
    srb = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if "township_srb" in c.proto.id)
    assert srb["data"][0]["x"][:2] == ["2019", "2020"]  # the years before the merger are drawn
    at.query_params["township"] = D
    at.selectbox(key="township").set_value(D).run()
    assert not any("2021" in i.value for i in at.info)


@pytest.mark.parametrize(("lang", "fact"), [("zh", "2行对照"), ("en", "2 crosswalk rows")])
def test_data_page_lists_the_crosswalk(merged, monkeypatch, lang, fact):
    monkeypatch.setenv("NATALITY_DATA", str(merged))
    at = AppTest.from_file(str(DASHBOARD), default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    at.switch_page("pages/data.py")
    at.run()
    assert not at.exception, at.exception
    cells = " ".join(str(v) for d in at.dataframe for v in d.value.to_numpy().ravel())
    assert fact in cells  # the facts table
    assert ("区划调整对照" if lang == "zh" else "Crosswalk of changed townships") in cells  # the sources table


def test_an_uneven_split_gives_each_left_over_birth_to_the_largest_remainder(tmp_path):
    # 城关镇 (A) split 30 % to 新城镇 (C) and 70 % to 东区 (D); 王店乡 (B) merged into C. Cell by cell
    # of A (floor of n * share, then the n - sum(floor) left over to the largest fractional parts):
    #   2019-03 boys 3:  C 0.9 -> 0 (.9), D 2.1 -> 2 (.1): the 1 left over to C: C 1, D 2
    #   2019-03 girls 2: C 0.6 -> 0 (.6), D 1.4 -> 1 (.4): to C: C 1, D 1
    #   2020-05 boys 4:  C 1.2 -> 1 (.2), D 2.8 -> 2 (.8): to D: C 1, D 3
    #   2020-05 girls 3: C 0.9 -> 0 (.9), D 2.1 -> 2 (.1): to C: C 1, D 2
    # (the smallest remainder first would give C 0 / 0 / 2 / 0 instead)
    split = "old_code,new_code,from_year,share\n411621100000,411621200000,2021,0.3\n"
    split += "411621100000,411621102000,2021,0.7\n411621101000,411621200000,2021,1\n"
    files = write_inputs(tmp_path / "in", split)
    # A's people in 2019, 10,003: C 3,000.9 -> 3,000 (.9), D 7,002.1 -> 7,002 (.1): the 1 left over to C
    # (the largest remainder, not the largest part); in 2020, 16,667: C 5,000.1 -> 5,000 (.1), D 11,666.9 ->
    # 11,666 (.9): the 1 to D. B's 5,000 of 2020 go to C beside A's 5,000: two equal parts, both counted.
    population = POPULATION.replace(",2019,10000", ",2019,10003") + "411621100000,2020,16667\n411621101000,2020,5000\n"
    files["population"].write_text(population, encoding="utf-8")
    # reported indicators: A's 30 of 50 split into 9 of 15 (C) and 21 of 35 (D); B's 9 of 15 go to C too
    files["reported"] = tmp_path / "in" / "reported.csv"
    files["reported"].write_text(
        f"乡镇代码,年份,指标,分子,分母\n{A},2019,出生统计准确率,30,50\n{B},2019,出生统计准确率,9,15\n"
        f"{D},2019,出生统计准确率,19,20\n",
        encoding="utf-8",
    )
    out = tmp_path / "ext"
    assert run_import(out, files) == 0
    reported = db.run_query("indicator_reported", out, indicator="stats_accuracy")
    # C: 9 + 9 = 18 of 15 + 15 = 30 (two equal parts, both counted); D: 21 + 19 = 40 of 35 + 20 = 55
    assert reported.rows() == [(D, 2019, 40.0, 55.0), (C, 2019, 18.0, 30.0)]
    c = db.run_query("srb_township_by_year", out, township_code=C).select("year", "births", "boys", "girls")
    d = db.run_query("srb_township_by_year", out, township_code=D).select("year", "births", "boys", "girls")
    # C 2019: from A boys 1, girls 1 + B's 1 and 4; 2020: A 1 and 1 + B 2 and 2; then C's own rows
    assert c.rows() == [(2019, 7, 2, 5), (2020, 6, 3, 3), (2021, 9, 5, 4), (2022, 6, 3, 3)]
    # D 2019: from A boys 2, girls 1 + D's own 2 and 2; 2020: A 3 and 2 + D's own 1 and 1
    assert d.rows() == [(2019, 7, 4, 3), (2020, 7, 4, 3), (2021, 5, 2, 3), (2022, 3, 1, 2)]
    # the split old code is gone from every sum: the county's 2019 is 7 + 7 = 14 as registered, not 14 + A's 5
    year = db.run_query("births_by_township_year", out, year=2019).select("township_code", "births")
    assert sorted(year.rows()) == [(D, 7), (C, 7)]
    assert db.run_query("srb_county", out, year_from=2019, year_to=2019)["births"].to_list() == [14]
    rate = db.run_query("indicator_birth_rate", out).filter(pl.col("year") <= 2020).sort("year", "township_code")
    # 2019: C 3,001 + B's 5,000 = 8,001; D 7,002 + its own 8,000 = 15,002 (the total 23,003 kept);
    # 2020: C 5,000 + 5,000 = 10,000; D 11,667
    assert rate.select("year", "township_code", "denominator").rows() == [
        (2019, D, 15002.0),
        (2019, C, 8001.0),
        (2020, D, 11667.0),
        (2020, C, 10000.0),
    ]
    # the population view itself: today's townships only, the old codes' people moved, not kept as well
    people = db.connection(str(out.resolve())).sql("select township_code, year, population from population")
    assert sorted(people.fetchall()) == [
        (D, 2019, 15002),
        (D, 2020, 11667),
        (D, 2021, 7900),
        (C, 2019, 8001),
        (C, 2020, 10000),
        (C, 2021, 14800),
    ]
