"""The Map page as a leader sees it: its figure's title wrapped on a phone and in the portrait image
(the county map of a province and the township map of a county, zh and en; a date never broken
before its "月"), the classes named by the units a map shows (counties on a county map), and the
year box wide enough for "2026 (不完整年度)" on a 1,366 px laptop.

The province: the demo of 60 townships in four counties (a county map, as a province of 2,000).
"""

from __future__ import annotations

import re
from pathlib import Path

import geopandas as gpd
import polars as pl
import pytest
from shapely.geometry import box

from natality.core import i18n
from natality.demo.county import build_demo
from natality.export import narrow
from natality.export.narrow_text import wrap_text
from natality.geo.boundaries import geojson_features
from natality.maps import view as map_view
from natality.maps.charts import township_choropleth
from natality.maps.labels import text_em
from natality.ui.phone import NARROW_CSS
from tests.apptest_pages import open_app

PERIOD = {"zh": "2026年1-9月", "en": "2026 Jan-Sep"}
SCOPE = {("zh", "county"): "示范省", ("en", "county"): "Demo Province"}
SCOPE |= {("zh", "township"): "云口县", ("en", "township"): "Yunkou County"}


@pytest.fixture(scope="module")
def province(tmp_path_factory) -> Path:
    return build_demo(tmp_path_factory.mktemp("prov") / "demo", townships=60)


def squares(n: int) -> dict:
    """``n`` squares of 0.1 degree in rows of 5, coded 9901xx."""
    frame = gpd.GeoDataFrame(
        {"township_code": [f"9901{i:02d}" for i in range(n)], "name": [f"县{i:02d}" for i in range(n)]},
        geometry=[
            box(114 + 0.1 * (i % 5), 33 + 0.1 * (i // 5), 114.1 + 0.1 * (i % 5), 33.1 + 0.1 * (i // 5))
            for i in range(n)
        ],
        crs="EPSG:4326",
    )
    return geojson_features(frame)


def map_figure(lang: str, unit: str):
    texts = map_view.map_texts("births", "quantiles", PERIOD[lang], "f", lang, unit=unit, scope=SCOPE[lang, unit])
    df = pl.DataFrame({"township_code": [f"9901{i:02d}" for i in range(10)], "value": [float(i) for i in range(10)]})
    return township_choropleth(squares(10), df, "value", texts, lang)


def heading_lines(fig) -> list[str]:
    """The bold lines of a narrow figure's title (the subtitle's lines are spans after them)."""
    return [re.sub(r"</?b>", "", line) for line in fig.layout.title.text.split("<br>") if line.startswith("<b>")]


# The titles as narrow_figure breaks them, worked out with text_em (CJK 0.95 em, Latin 0.55) and
# bold type 1.06 wide: a phone's line is 320 / (16 x 1.06) = 18.9 em; "示范省各县（市、区）出生人数
# （人），" is 18 x 0.95 = 17.1 em and "2026年1-9月" another 5.4; the portrait's 512 / (21 x 1.06)
# = 23.0 em takes the county title whole (22.5 em).
PHONE_TITLES = {
    ("zh", "county"): ["示范省各县（市、区）出生人数（人），", "2026年1-9月"],
    ("zh", "township"): ["云口县各乡镇出生人数（人），", "2026年1-9月"],  # was "…2026年1-9" and "月"
    ("en", "county"): ["Births by county, Demo Province", "(births), 2026 Jan-Sep"],
    ("en", "township"): ["Births by township, Yunkou County", "(births), 2026 Jan-Sep"],
}


@pytest.mark.parametrize(("lang", "unit"), list(PHONE_TITLES))
def test_the_map_title_is_wrapped_for_a_phone_and_the_portrait_image(lang, unit):
    fig = map_figure(lang, unit)
    assert text_em(re.sub(r"</?b>", "", fig.layout.title.text)) * 16 * 1.06 > narrow.PHONE_TEXT_WIDTH  # too long
    phone = narrow.phone_figure(fig)
    assert heading_lines(phone) == PHONE_TITLES[lang, unit]
    for line in heading_lines(phone):
        assert text_em(line) * narrow.PHONE.title * 1.06 <= narrow.PHONE_TEXT_WIDTH
    assert phone.layout.title.font.size == 16 and phone.layout.margin.r == 10
    portrait = narrow.portrait_figure(fig)  # the meeting pack's / share image of the map
    for line in heading_lines(portrait):
        assert text_em(line) * narrow.PORTRAIT.title * 1.06 <= narrow.PORTRAIT.text_width
    assert portrait.layout.width == 540


def test_a_date_is_never_broken_before_its_unit():
    assert wrap_text("云口县各乡镇出生人数（人），2026年1-9月", 320, 16, bold=True) == [
        "云口县各乡镇出生人数（人），",
        "2026年1-9月",
    ]
    # 8 CJK of 0.95 and "2026年9月" (2.2 + 0.95 + 0.55 + 0.95 = 4.65 em) in 10 em: the date whole
    assert wrap_text("数据截至至数据截至2026年9月。", 160, 16) == ["数据截至至数据截至", "2026年9月。"]
    assert wrap_text("a 2026-09 b", 1000, 16) == ["a 2026-09 b"]


def test_no_toolbar_over_a_title_in_a_narrow_window():
    """A narrow window the headers do not call a phone gets the desktop figure: its toolbar hidden."""
    narrow_rules = NARROW_CSS.split("@media (max-width: 640px)")[1]
    assert re.search(r"\.modebar-container \{display: none !important;\}", narrow_rules)


def test_quantile_classes_of_a_county_map_say_counties():
    assert map_view.method_key("quantiles", "county") == "maps.method_county.quantiles"
    assert map_view.method_key("quantiles") == "maps.method.quantiles"
    assert map_view.method_key("equal", "county") == "maps.method.equal"
    county = map_view.map_texts("births", "quantiles", "2026年", "f", "zh", unit="county")
    assert county.subtitle == "按分位数分级（各级区县数相近）；出生人数为期内合计"
    township = map_view.map_texts("births", "quantiles", "2026年", "f", "zh")
    assert township.subtitle == "按分位数分级（各级乡镇数相近）；出生人数为期内合计"
    english = map_view.map_texts("births", "quantiles", "2026", "f", "en", unit="county").subtitle
    assert english == "Quantile classes (similar numbers of counties); births in the period"


# Chromium at 14 px (measured on the Map page, 7 December): "2026 (不完整年度)" 109 px, "2026
# (partial year)" 105 px; a select box takes 50 px more (8 + 8 padding, 34 arrow and border).
# Streamlit's wide page at a W px window: W - 300 (sidebar) - 160 (padding), less 4 gaps of 16 px.
YEAR_TEXT = {"zh": 109, "en": 105}
BOX = 50


def year_column(window: int, weights=map_view.CONTROL_COLUMNS) -> float:
    return (window - 300 - 160 - 4 * 16) * weights[0] / sum(weights)


def test_the_year_column_holds_the_partial_year_on_a_laptop():
    # 1,366 px: 842 x 1.7 / 8.5 = 168.4; 1,600 px: 1,076 x 1.7 / 8.5 = 215.2
    assert round(year_column(1366), 1) == 168.4 and round(year_column(1600), 1) == 215.2
    for window in (1366, 1600):
        assert year_column(window) >= max(YEAR_TEXT.values()) + BOX
    # the weights before 7 December cut it even at 1,600 px (153.7), those of 7 December at 1,366 (148.6)
    assert year_column(1600, (1, 2, 2, 1, 1)) < YEAR_TEXT["zh"] + BOX
    assert year_column(1366, (1.5, 2, 2, 1.2, 1.8)) < YEAR_TEXT["zh"] + BOX


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_county_map_page_uses_the_weights_and_names_counties(province, monkeypatch, lang):
    monkeypatch.setenv("NATALITY_DATA", str(province))
    at = open_app("pages/map.py", 180, lang=lang)
    assert not at.exception, at.exception
    assert at.title[0].value == i18n.t("maps.page_title_county", lang)
    # Streamlit keeps each column's share of the row: the year's 1.7 / 8.5 = 0.2
    weights = [c.weight for c in at.columns]
    shares = [w / sum(map_view.CONTROL_COLUMNS) for w in map_view.CONTROL_COLUMNS]
    assert any(weights[i : i + 5] == pytest.approx(shares) for i in range(len(weights) - 4)), weights
    assert shares[0] == pytest.approx(0.2)
    classes = at.selectbox(key="classes")
    assert classes.value == "quantiles"
    assert classes.options[0] == (
        "按分位数分级（各级区县数相近）" if lang == "zh" else "Quantile classes (similar numbers of counties)"
    )
    assert not [o for o in classes.options if "乡镇" in o or "township" in o]
