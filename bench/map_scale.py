"""Map at 2,000 townships (issue 10), a script, not a test: the county layer and the GeoJSON
of a province, cold (fresh caches) and warm, and the payload sizes the browser gets.

    .venv/bin/python bench/map_scale.py [--data DIR] [--nx 50 --ny 40]

Without --data it writes tests/test_map_scale.py's generated province (nx * ny townships in
counties of 20, densified wiggly edges) to a temporary folder.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from natality.core import db, extract
from natality.geo import boundaries, layers
from natality.maps import view as map_view
from natality.maps.charts import township_choropleth


def clear() -> None:
    for fn in (
        layers.townships,
        layers.township_level,
        layers.counties,
        layers.county_level,
        layers.region_geojson,
        db.connection,
    ):
        fn.cache_clear()


def timed(fn, *args) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - start, out


def kb(obj) -> str:
    raw = json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()
    return f"{len(raw) / 1024:8,.0f} KB ({len(gzip.compress(raw)) / 1024:6,.0f} KB gzipped)"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data")
    parser.add_argument("--nx", type=int, default=50)
    parser.add_argument("--ny", type=int, default=40)
    args = parser.parse_args()
    if args.data:
        data = Path(args.data)
    else:
        from tests.test_map_scale import grid_extract

        data = Path(tempfile.mkdtemp()) / "province"
        t, _ = timed(grid_extract, data, args.nx, args.ny)
        print(f"generated {args.nx * args.ny} townships (display geometry as an import stores it) in {t:.2f} s")
    version = str(extract.live_version_dir(data))
    n = len(layers.region_townships(version, None))
    print(f"extract: {n:,} townships, {layers.county_count(version, None)} counties")

    print("\ncold (fresh process caches), whole extract:")
    clear()
    steps = [
        ("read display townships + county codes", lambda: layers.townships(version)),
        ("coarse township level 0 (coverage simplify)", lambda: layers.township_level(version, 0)),
        ("county layer (coverage union by county)", lambda: layers.counties(version)),
        ("county level 0 (coverage simplify)", lambda: layers.county_level(version, 0)),
        ("township GeoJSON (2,000 features)", lambda: layers.region_geojson(version, None, "township")),
        ("county GeoJSON", lambda: layers.region_geojson(version, None, "county")),
    ]
    total = 0.0
    for label, fn in steps:
        t, _ = timed(fn)
        total += t
        print(f"  {label:48s} {t * 1000:8.0f} ms")
    print(f"  {'total':48s} {total * 1000:8.0f} ms")

    regions = db.run_query("regions", version)
    city = regions.filter(regions["level"] == "city").sort("townships", descending=True)["region_code"][0]
    county = regions.filter(regions["region_code"].str.starts_with(city[:4]) & (regions["level"] == "county"))
    county = county["region_code"][0]
    print(f"\nwarm (city {city}, county {county}):")
    for label, region, unit in [
        ("whole extract, counties (cached)", None, "county"),
        ("whole extract, townships (cached)", None, "township"),
        ("a city, counties (layers warm, new region)", city, "county"),
        ("a city, townships (layers warm, new region)", city, "township"),
        ("a county, townships (full detail)", county, "township"),
    ]:
        t, fc = timed(layers.region_geojson, version, region, unit)
        print(f"  {label:48s} {t * 1000:8.1f} ms  {len(fc['features']):5d} features {kb(fc)}")

    print("\npayload of the Map page's figure (GeoJSON + hover + labels), births 2024:")
    for label, region, unit in [
        ("province by county", None, "county"),
        ("province by township", None, "township"),
        ("one county by township", county, "township"),
    ]:
        geojson = layers.region_geojson(version, region, unit)
        raw = db.run_query(map_view.QUERY[unit], version, year=2024, last_month=12, region=region)
        table = map_view.map_table(raw, "births", 2024, 12, "zh", version)
        texts = map_view.map_texts("births", "quantiles", "2024年", "数据截至2024年12月", "zh", unit=unit)
        times = []
        for _ in range(2):  # the first figure of a process also loads plotly's templates
            t, fig = timed(
                lambda g=geojson, tb=table, tx=texts, u=unit: township_choropleth(
                    g, tb, "value", tx, "zh", code_col=map_view.UNIT_CODE[u]
                )
            )
            times.append(t)
        spec = json.loads(fig.to_json())
        built = " / ".join(f"{t * 1000:4.0f}" for t in times)
        print(f"  {label:24s} GeoJSON {kb(geojson)} | figure {kb(spec)} | figure built in {built} ms")
    print(f"\n(GeoJSON size as the page states it: {boundaries.geojson_size_bytes(geojson) / 1024:,.1f} KB)")


if __name__ == "__main__":
    main()
