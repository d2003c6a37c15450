"""Classification and map figures, asserted on the figure's data (not pixels)."""

from __future__ import annotations

import geopandas as gpd
import plotly.graph_objects as go
import polars as pl
import pytest
from shapely.geometry import box

from natality.geo.boundaries import geojson_features
from natality.maps.charts import MapTexts, locator_map, township_choropleth
from natality.maps.classes import (
    assign_classes,
    class_breaks,
    class_colours,
    with_zero_break,
)
from natality.maps.frame import bulk_frame

TEXTS = MapTexts(
    title="出生率（‰），2025年",
    subtitle="",
    footnote="数据截至2026年9月",
    legend_title="出生率（‰）",
    no_data="无数据",
    too_few="出生数不足",
    met="达标",
    missed="未达标",
    value_format=".1f",
    outside="图外：{names}",
    panel_counts="乡镇数：{panels}",
)


@pytest.mark.parametrize(
    ("values", "method", "k", "expected"),
    [
        (list(range(1, 11)), "quantiles", 5, [1.0, 2.8, 4.6, 6.4, 8.2, 10.0]),
        ([0, 3, 10, None], "equal", 5, [0.0, 2.0, 4.0, 6.0, 8.0, 10.0]),
        ([1, 2, 3, 10, 11, 12, 30], "natural", 3, [1.0, 3.0, 12.0, 30.0]),
        ([4, 4, 4], "quantiles", 5, [4.0, 4.0]),
        ([1, 2], "natural", 5, [1.0, 2.0]),
        ([None], "equal", 5, []),
    ],
)
def test_class_breaks(values, method, k, expected) -> None:
    assert class_breaks(values, method, k) == pytest.approx(expected)


def test_assign_classes_right_closed_and_missing() -> None:
    breaks = [1.0, 3.0, 12.0, 30.0]
    assert assign_classes([1, 3, 3.5, 12, 30, None], breaks) == [0, 0, 1, 1, 2, None]


def test_diverging_colours_split_at_zero() -> None:
    breaks = with_zero_break([-20.0, -5.0, 10.0])
    assert breaks == [-20.0, -5.0, 0.0, 10.0]
    colours = class_colours(breaks, diverging=True)
    assert colours == ["#08519c", "#bdd7e7", "#de2d26"]  # dark blue far below, light near 0, red


def _boxes(columns: dict, boxes: list[tuple[float, float, float, float]]) -> dict:
    """GeoJSON features of one box (min lon, min lat, max lon, max lat) per township of ``columns``."""
    return geojson_features(gpd.GeoDataFrame(columns, geometry=[box(*b) for b in boxes], crs="EPSG:4326"))


def _county() -> dict:
    """Three squares side by side and one far-away island township with a leading-zero code."""
    columns = {
        "township_code": ["010001000", "010002000", "010003000", "010004000"],
        "name": ["甲镇", "乙乡", "丙镇", "海岛乡"],
        "name_en": ["Jia", "Yi", "Bing", "Island"],
    }
    boxes = [
        (114.0, 33.0, 114.1, 33.1), (114.1, 33.0, 114.2, 33.1), (114.2, 33.0, 114.3, 33.1),
        (118.0, 30.0, 118.02, 30.02),
    ]  # fmt: skip
    return _boxes(columns, boxes)


def test_choropleth_locations_classes_legend_and_frame() -> None:
    df = pl.DataFrame(
        {
            "township_code": ["010001000", "010002000", "010003000", "010004000"],
            "rate": [4.0, 6.0, 8.0, None],
            "too_few": [False, False, True, False],
            "hover": ["甲镇 4.0", "乙乡 6.0", "丙镇 8.0", "海岛乡"],
        }
    )
    fig = township_choropleth(_county(), df, "rate", TEXTS, "zh", method="equal", k=2, label_mode="name_value")
    choro = [t for t in fig.data if isinstance(t, go.Choropleth)]
    assert len(choro) == 1
    assert list(choro[0].locations) == ["010001000", "010002000", "010003000", "010004000"]
    # breaks 4, 5, 6 (丙镇 is too few to judge): classes 0, 1, then too-few (2), no data (3)
    assert list(choro[0].z) == [0.5, 1.5, 2.5, 3.5]
    assert [row[1] for row in choro[0].customdata] == ["甲镇 4.0", "乙乡 6.0", "丙镇 8.0", "海岛乡"]
    legend = [t.name for t in fig.data if t.showlegend]
    assert legend == ["4.0 – 5.0 (1)", "5.0 – 6.0 (1)", "出生数不足 (1)", "无数据 (1)"]
    # the island is left out of the frame and named in the footnote
    assert fig.layout.geo.lonaxis.range[1] < 115 and fig.layout.geo.lataxis.range[0] > 32.9
    assert any("图外：海岛乡" in (a.text or "") for a in fig.layout.annotations)
    # offline: the first trace on the geo is a lon/lat scattergeo, so plotly.js loads no TopoJSON
    assert isinstance(fig.data[0], go.Scattergeo) and fig.data[0].locationmode is None
    labels = [s for t in fig.data if isinstance(t, go.Scattergeo) and t.mode == "text" for s in t.text]
    assert "甲镇<br>4.0" in labels


def test_two_years_share_one_scale() -> None:
    codes = ["010001000", "010002000", "010003000"]
    df = pl.DataFrame(
        {
            "township_code": codes * 2,
            "births": [10.0, 20.0, 30.0, 30.0, 40.0, 50.0],
            "year": ["2024"] * 3 + ["2025"] * 3,
        }
    )
    fig = township_choropleth(_county(), df, "births", TEXTS, "zh", method="equal", k=4, panel_col="year")
    choro = [t for t in fig.data if isinstance(t, go.Choropleth)]
    assert [c.geo for c in choro] == ["geo", "geo2"]
    # one scale 10-50 in steps of 10 (classes closed on the right): 30 is class 1 in both years
    assert list(choro[0].z)[:3] == [0.5, 0.5, 1.5]
    assert list(choro[1].z)[:3] == [1.5, 2.5, 3.5]
    assert [t.name for t in fig.data if t.showlegend][:2] == ["10.0 – 20.0 (2 | 0)", "20.0 – 30.0 (1 | 1)"]
    for geo in ("geo", "geo2"):
        first = next(t for t in fig.data if (t.geo or "geo") == geo)
        assert isinstance(first, go.Scattergeo)


def test_target_classes() -> None:
    df = pl.DataFrame({"township_code": ["010001000", "010002000", "010003000"], "met": [True, False, None]})
    fig = township_choropleth(_county(), df, "met", TEXTS, "en", method="target")
    choro = next(t for t in fig.data if isinstance(t, go.Choropleth))
    assert list(choro.z) == [0.5, 1.5, 3.5, 3.5]
    assert [t.name for t in fig.data if t.showlegend] == ["达标 (1)", "未达标 (1)", "无数据 (2)"]


def test_locator_map_highlights_one_township() -> None:
    fig = locator_map(_county(), "010002000", "en")
    choro = next(t for t in fig.data if isinstance(t, go.Choropleth))
    assert list(choro.z) == [0, 1, 0, 0]
    assert isinstance(fig.data[0], go.Scattergeo) and list(fig.data[0].text) == ["Yi"]


def test_bulk_frame_keeps_a_compact_county_whole() -> None:
    fc = _county()
    fc["features"] = fc["features"][:3]
    bounds, outside = bulk_frame(fc)
    assert bounds == pytest.approx((114.0, 33.0, 114.3, 33.1))
    assert outside == []


def test_bulk_frame_never_cuts_off_a_large_township() -> None:
    # a big township whose centre is far from the small ones, but it is land next to them
    columns = {"township_code": ["1", "2", "3", "4"], "name": list("abcd")}
    boxes = [
        (114.0, 33.0, 114.01, 33.01), (114.01, 33.0, 114.02, 33.01),
        (114.0, 33.01, 114.01, 33.02), (114.02, 33.0, 114.5, 33.4),
    ]  # fmt: skip
    features = _boxes(columns, boxes)
    bounds, outside = bulk_frame(features)
    assert outside == []
    assert bounds == pytest.approx((114.0, 33.0, 114.5, 33.4))
