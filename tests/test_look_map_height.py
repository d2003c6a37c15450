"""A map of more than ``MAX_LABELS`` units (a province's counties) is drawn taller than a county's,
with room for more names; a caller's height is kept."""

from __future__ import annotations

import geopandas as gpd
import polars as pl
from shapely.geometry import box

from natality.geo.boundaries import geojson_features
from natality.maps.charts import MapTexts, township_choropleth

TEXTS = MapTexts(title="t", subtitle="", footnote="f", legend_title="l", no_data="无数据")


def grid(n: int, lat0: float = 33.0) -> dict:
    """``n`` squares of 0.1 degree in rows of 10, named 很长名字的县00 (61 px at 9 px a character) ..."""
    codes = [f"4199{i:02d}" for i in range(n)]
    boxes = [
        box(114 + 0.1 * (i % 10), lat0 + 0.1 * (i // 10), 114.1 + 0.1 * (i % 10), lat0 + 0.1 + 0.1 * (i // 10))
        for i in range(n)
    ]
    frame = gpd.GeoDataFrame(
        {
            "township_code": codes,
            "name": [f"很长名字的县{i:02d}" for i in range(n)],
            "name_en": [f"C{i:02d}" for i in range(n)],
        },
        geometry=boxes,
        crs="EPSG:4326",
    )
    return geojson_features(frame)


def figure(n: int, **kwargs):
    df = pl.DataFrame({"township_code": [f"4199{i:02d}" for i in range(n)], "value": [float(i) for i in range(n)]})
    return township_choropleth(grid(n), df, "value", TEXTS, "zh", **kwargs)


def names(fig) -> int:
    return sum(len([x for x in tr.text if x]) for tr in fig.data if tr.type == "scattergeo" and tr.mode == "text")


def test_a_province_map_is_taller_with_more_names():
    county, province = figure(60), figure(61)
    assert county.layout.height == 560 and province.layout.height == 760
    assert figure(61, height=460).layout.height == 460  # the Overview's small map keeps its size
    # 61 squares of 0.1 degree in 7 rows: at 370 px high one is 44 px wide, at 570 px 68 px: the
    # 61 px names of neighbours clear each other only on the taller map
    assert names(province) == 60 > names(figure(61, height=560))  # 60: MAX_LABELS


def test_a_locator_map_of_a_province_shows_the_township_among_its_neighbours():
    from natality.maps.charts import LOCATOR_NEIGHBOURS, locator_map

    # 100 squares in rows of 10 near the equator; 4199 55 is in row 5, column 5. Its 40 nearest by
    # label point: the 37 within sqrt(10) squares (7 + 2 x 5 + 2 x 5 + 2 x 1 within 3, and the 8 at
    # (1, 3) and (3, 1)); then of the 8 at sqrt(13), those 3 columns and 2 rows away come first
    # (longitude shrunk by cos 0.55 degrees < 1): 4199 32, 38, 72, 78, the first 3 of them by code
    fig = locator_map(grid(100, lat0=0.0), "419955", "zh")
    shown = list(next(tr for tr in fig.data if tr.type == "choropleth").locations)
    assert len(shown) == LOCATOR_NEIGHBOURS == 40
    near = {f"4199{r}{c}" for r in range(10) for c in range(10) if (r - 5) ** 2 + (c - 5) ** 2 <= 10}
    assert len(near) == 37 and near <= set(shown)
    assert set(shown) - near == {"419932", "419938", "419972"}
    assert shown == sorted(shown)  # in the GeoJSON's order
    # a county of 40 or fewer: all of it
    assert len(next(tr for tr in locator_map(grid(40), "419905", "zh").data if tr.type == "choropleth").locations) == 40
