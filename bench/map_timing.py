"""Timing check (a script, not a test): a synthetic boundary file with ~500 townships, detailed
edges and a few distant islands, through read -> simplify -> GeoJSON -> figure -> PNG.

    .venv/bin/python bench/map_timing.py [--units 500] [--out /tmp/map_timing]

Prints the time of each step, the GeoJSON size sent to the browser and writes map_timing.png.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import polars as pl
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from natality.geo.boundaries import display_geometry, geojson_features, geojson_size_bytes, read_boundaries
from natality.maps.charts import MapTexts, township_choropleth


def synthetic_boundaries(n: int, seed: int = 7) -> gpd.GeoDataFrame:
    """n Voronoi cells over a 2 x 1.6 degree province-like area with wiggly (dense) edges,
    plus 4 small islands 3-4 degrees out at sea, one belonging to a mainland township."""
    rng = np.random.default_rng(seed)
    outline = shapely.Polygon(
        [
            (113 + 2 * np.cos(a) * (1 + 0.08 * np.sin(5 * a)), 33 + 0.8 * np.sin(a))
            for a in np.linspace(0, 2 * np.pi, 200)
        ]
    ).buffer(0)
    pts = shapely.points(rng.uniform([111, 32.2], [115, 33.8], size=(n * 2, 2)))
    pts = pts[shapely.contains(outline, pts)][:n]
    cells = shapely.voronoi_polygons(shapely.MultiPoint(list(pts)), extend_to=outline)
    cells = [c.intersection(outline) for c in shapely.get_parts(cells)]
    # densify edges the way surveyed boundaries come (~2 vertices per km), then jitter them
    cells = [shapely.segmentize(c, 0.005) for c in cells if not c.is_empty]
    codes = [f"41{i // 20:04d}{i % 20 + 1:03d}000" for i in range(len(cells))]
    islands = [shapely.Point(117 + i * 0.3, 30.5 - i * 0.2).buffer(0.03, 32) for i in range(4)]
    rows = [{"XZQDM": c, "XZQMC": f"乡镇{i}", "geometry": g} for i, (c, g) in enumerate(zip(codes, cells, strict=True))]
    rows += [{"XZQDM": f"4199990{i:02d}000", "XZQMC": f"海岛{i}", "geometry": g} for i, g in enumerate(islands[:3])]
    rows.append({"XZQDM": codes[0], "XZQMC": "乡镇0", "geometry": islands[3]})  # a second feature, same code
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4490")


def browser_draw_seconds(fig, out: Path, n_units: int) -> float:
    """Seconds from opening the page to every township drawn, in the real Chromium, offline."""
    from playwright.sync_api import sync_playwright

    html = out / "map_timing.html"
    fig.write_html(html, include_plotlyjs=True, full_html=True, div_id="map")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        outside: list[str] = []
        page.on("request", lambda r: None if r.url.startswith(("file:", "data:")) else outside.append(r.url))
        start = time.perf_counter()  # a fresh page: load plotly.js (4 MB) + the figure, then draw
        page.goto(html.as_uri())
        page.wait_for_function(f"document.querySelectorAll('path.choroplethlocation').length >= {n_units}")
        seconds = time.perf_counter() - start
        redraw_ms = page.evaluate(
            """async () => {
                const gd = document.getElementById('map'), div = document.createElement('div');
                document.body.appendChild(div);
                const t = performance.now();
                await Plotly.newPlot(div, gd.data, gd.layout);
                return performance.now() - t;
            }"""
        )
        print(f"plotly.js draw alone (plotly.js already loaded): {redraw_ms / 1000:.2f} s")
        browser.close()
    if outside:
        raise SystemExit(f"requests left the machine: {outside[:3]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--out", default="/tmp/map_timing")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "province.geojson"
    synthetic_boundaries(args.units).to_file(path)
    print(f"file: {path} {path.stat().st_size / 1e6:.1f} MB")

    steps: dict[str, float] = {}
    t = time.perf_counter()
    gdf = read_boundaries(path)
    steps["read_boundaries"] = time.perf_counter() - t
    t = time.perf_counter()
    shown = display_geometry(gdf)
    steps["display_geometry"] = time.perf_counter() - t
    t = time.perf_counter()
    geojson = geojson_features(shown)
    steps["geojson_features"] = time.perf_counter() - t
    codes = [f["id"] for f in geojson["features"]]
    df = pl.DataFrame({"township_code": codes, "value": np.random.default_rng(1).gamma(4, 2, len(codes))})
    texts = MapTexts("Births", "", "synthetic", "births", "No data", outside="Outside the frame: {names}")
    t = time.perf_counter()
    fig = township_choropleth(geojson, df, "value", texts, "en", method="natural")
    steps["township_choropleth"] = time.perf_counter() - t
    t = time.perf_counter()
    fig.write_image(out / "map_timing.png", width=960, height=540, scale=2)
    steps["render PNG (kaleido, Chromium)"] = time.perf_counter() - t

    steps["open page -> map drawn (Chromium)"] = browser_draw_seconds(fig, out, len(codes))

    vertices = (
        shapely.get_num_coordinates(gdf.geometry.values).sum(),
        shapely.get_num_coordinates(shown.geometry.values).sum(),
    )
    print(f"units: {len(gdf)}  vertices: {vertices[0]:,} -> {vertices[1]:,} after simplification")
    print(f"GeoJSON to the browser: {geojson_size_bytes(geojson) / 1024:,.0f} KB")
    for name, seconds in steps.items():
        print(f"{name:32s} {seconds:6.2f} s")
    print(f"PNG: {out / 'map_timing.png'}")


if __name__ == "__main__":
    main()
