"""The Sex ratio page through AppTest: both languages, URL state, the demo's planted hotspots,
and an extract with a 1-birth township and a township without girls."""

from __future__ import annotations

import json
import math

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest_pages import open_page
from tests.factory import make_extract

PAGE = "pages/sex-ratio.py"
CLASS_COL = {"zh": "判断（99.8%）", "en": "Assessment (99.8%)"}


def run_page(lang: str, **params) -> AppTest:
    return open_page(PAGE, lang=lang, **params)


def township_table(at: AppTest, lang: str):
    tables = [d.value for d in at.dataframe if CLASS_COL[lang] in d.value.columns]
    assert len(tables) == 1
    return tables[0]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_demo_page_flags_exactly_the_planted_hotspots(demo_env, lang):
    at = run_page(lang)
    assert at.title[0].value == ("出生人口性别比" if lang == "zh" else "Sex ratio at birth")
    assert len(at.get("plotly_chart")) == 5
    assert at.selectbox(key="window").value == 3 and at.selectbox(key="ref").value == "county"
    table = township_table(at, lang)
    assert len(table) == 19
    hotspots = set(json.loads((demo_env / "manifest.json").read_text())["demo_hotspots"])
    from natality.core import db

    names = db.run_query("srb_by_township", demo_env, year_from=2024, year_to=2026)
    col = "township_name" if lang == "zh" else "township_name_en"
    hot_names = set(names.filter(names["township_code"].is_in(list(hotspots)))[col].to_list())
    flagged = table[table[CLASS_COL[lang]].str.startswith("▲") | table[CLASS_COL[lang]].str.startswith("▼")]
    assert set(flagged.iloc[:, 0]) == hot_names
    sentence = next(m.value for m in at.markdown if "99.8%" in m.value)
    assert all(name in sentence for name in hot_names)
    captions = " ".join(c.value for c in at.caption)
    assert ("95%区间" in captions) if lang == "zh" else ("95 % interval" in captions)


def test_page_state_comes_from_the_url(demo_env):
    at = run_page("en", year=2020, window=1, ref="natural", township="419901105000")
    assert at.selectbox(key="year").value == 2020
    assert at.selectbox(key="window").value == 1
    assert at.selectbox(key="ref").value == "natural"
    assert at.selectbox(key="township").value == "419901105000"
    assert at.subheader[0].value == "Sex ratio at birth by township, 2020"


def test_choosing_the_target_as_reference(demo_env):
    at = run_page("zh", year=2025, window=3)
    at.selectbox(key="ref").set_value("target").run()
    assert not at.exception
    assert at.query_params["ref"] in ("target", ["target"])
    assert at.selectbox(key="ref").value == "target"


A, B, C, D = "419901101000", "419901102000", "419901103000", "419901104000"


@pytest.fixture
def tiny_extract(tmp_path, monkeypatch):
    data = make_extract(
        tmp_path / "tiny",
        [(A, "城关镇", "Chengguan"), (B, "一人乡", "One Birth"), (C, "无女乡", "No Girls"), (D, "空乡", "Empty")],
        [
            (A, "2024-01", "M", 1, "25-29", None, 160),
            (A, "2024-02", "F", 1, "25-29", None, 150),
            (B, "2024-03", "F", 2, "25-29", None, 1),
            (C, "2024-01", "M", 1, "20-24", None, 4),
        ],
        cutoff="2024-06",
    )
    monkeypatch.setenv("NATALITY_DATA", str(data))
    return data


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_one_birth_and_no_girls_are_too_few_not_a_crash(tiny_extract, lang):
    at = run_page(lang, window=1, township=C)
    table = township_table(at, lang)
    marks = dict(zip(table.iloc[:, 0], table[CLASS_COL[lang]], strict=True))
    few = "○ 出生太少，无法判断" if lang == "zh" else "○ Too few births to judge"
    names = ["一人乡", "无女乡", "空乡"] if lang == "zh" else ["One Birth", "No Girls", "Empty"]
    assert [marks[n] for n in names] == [few, few, few]
    # undefined values are missing (the browser shows "–"), never infinite or a text "None"
    numbers = table.select_dtypes("number").to_numpy().ravel()
    assert all(math.isnan(v) or math.isfinite(v) for v in numbers)
    text = " ".join(table.select_dtypes(exclude="number").astype(str).to_numpy().ravel())
    assert "None" not in text and "inf" not in text and "nan" not in text
    assert table[table.columns[4]].isna().tolist() == [False, True, False, True]  # SRB: 城关镇, 无女乡, 一人乡, 空乡
    # the no-girls township's own chart renders with nothing to draw rather than failing
    assert len(at.get("plotly_chart")) == 5
