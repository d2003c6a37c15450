"""The townships table of an import: from a boundary file (through ``natality.geo``), from the
live extract, or, for a new extract without boundaries, from the codes and names in the births.
Also the checks that join births and other tables to townships by code.
"""

from __future__ import annotations

import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from natality.importing.names import NameIndex, county_key
from natality.importing.problems import Problem, ProblemLog
from natality.importing.validate import name_problem
from natality.importing.values import BadValue, parse_code

if TYPE_CHECKING:  # geopandas (and natality.geo) only when a boundary file or a new extract needs them:
    import geopandas as gpd  # a small import into a live extract starts without them (0.4 s)

CODES_LISTED = 20  # codes named in a warning before "... and N more"
CLOSEST_CODES = 3  # known township codes offered for a village code under no known township


def read_boundary_file(path: Path, options: dict, log: ProblemLog) -> gpd.GeoDataFrame | None:
    """Boundaries through ``maps.read_boundaries``; codes as 12-digit strings."""
    with tempfile.TemporaryDirectory(prefix="natality-shp-") as tmp:
        try:
            source = _unzipped_shapefile(path, Path(tmp), options) or path
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            log.add(Problem(path.name, "boundary", fmt={"detail": str(exc)}))
            return None
        return _read_boundary_file(path, source, options, log)


def _unzipped_shapefile(path: Path, tmp: Path, options: dict) -> Path | None:
    """A zipped Shapefile without .cpg, unpacked so that its .dbf encoding can be guessed
    (GB18030 is common in Chinese GIS exports); None for anything else."""
    if path.suffix.lower() != ".zip" or options.get("encoding") or not zipfile.is_zipfile(path):
        return None
    with zipfile.ZipFile(path) as zf:
        members = [m for m in zf.infolist() if not m.is_dir()]
        shps = [m for m in members if m.filename.lower().endswith(".shp")]
        if len(shps) != 1:
            return None
        stem = shps[0].filename[:-4].lower()
        parts = [m for m in members if m.filename.lower().rsplit(".", 1)[0] == stem]
        if any(m.filename.lower().endswith(".cpg") for m in parts):
            return None
        for member in parts:  # flat, by base name only: nothing is written outside ``tmp``
            (tmp / Path(member.filename).name).write_bytes(zf.read(member))
    return tmp / Path(shps[0].filename).name


def _read_boundary_file(path: Path, source: Path, options: dict, log: ProblemLog) -> gpd.GeoDataFrame | None:
    from natality.geo import boundaries as maps

    try:
        gdf = maps.read_boundaries(
            source,
            code_field=options.get("code_field"),
            name_field=options.get("name_field"),
            parent_field=options.get("parent_field"),
            encoding=options.get("encoding"),
            crs=options.get("crs"),
        )
    except maps.BoundaryNameError as exc:  # feature number and field, as a file's row and column
        for feature, name, key in exc.refused[: log.limit]:
            log.add(name_problem(path.name, key, feature, exc.field, name))
        log.more += max(0, len(exc.refused) - log.limit)
        return None
    except (maps.BoundaryError, OSError, ValueError, zipfile.BadZipFile) as exc:
        log.add(Problem(path.name, "boundary", fmt={"detail": str(exc)}))
        return None
    bad = []
    codes = []
    for code in gdf["township_code"]:
        try:
            code = parse_code(str(code))
            codes.append(code[:9] + "000" if is_village(code) else code)  # villages: their township
        except BadValue:
            bad.append(str(code))
            codes.append(None)
    for code in bad[: log.limit]:
        log.add(Problem(path.name, "code", None, "township_code", code))
    gdf = gdf.assign(township_code=codes)
    dup = gdf["township_code"][gdf["township_code"].duplicated()].dropna().unique()
    for code in list(dup)[: log.limit]:  # two source codes rolled up to one township (villages)
        log.add(Problem(path.name, "boundary_duplicate_code", None, "township_code", str(code)))
    return None if bad or len(dup) else gdf


def finish_townships(gdf: gpd.GeoDataFrame, region_code: str) -> gpd.GeoDataFrame:
    """The extract's townships columns, with a display geometry for maps."""
    import geopandas as gpd

    from natality.geo import boundaries as maps

    out = gpd.GeoDataFrame(
        {
            "township_code": gdf["township_code"].astype(str).to_numpy(),
            "name": gdf["name"].astype("string").to_numpy(),
            "name_en": gdf["name_en"].to_numpy() if "name_en" in gdf else [None] * len(gdf),
            # GB/T 2260 codes (12 digits here) lie in their first 6 digits; other codes in no county
            "parent_code": [c[:6] if len(c) == 12 else None for c in gdf["township_code"].astype(str)],
            "parent_name": (gdf["parent_name"].to_numpy() if "parent_name" in gdf else [None] * len(gdf)),
        },
        geometry=gdf.geometry.to_numpy(),
        crs="EPSG:4326",
    )
    with_shape = ~(out.geometry.isna() | out.geometry.is_empty)
    display = out.geometry.copy()
    if with_shape.any():
        display[with_shape] = maps.display_geometry(out[with_shape]).geometry
    out["geometry_display"] = gpd.GeoSeries(display.to_numpy(), crs="EPSG:4326")
    if out["parent_name"].isna().all():  # none given: names are told apart by parent_code instead
        out = out.drop(columns="parent_name")
    return out.sort_values("township_code").reset_index(drop=True)


def townships_from_codes(names: dict[str, str], codes: list[str]) -> gpd.GeoDataFrame:
    """Townships without shapes (no boundary file yet): named as in the births, else by code."""
    import geopandas as gpd

    codes = sorted(set(codes))
    return gpd.GeoDataFrame(
        {"township_code": codes, "name": [names.get(c, c) for c in codes]},
        geometry=[None] * len(codes),
        crs="EPSG:4326",
    )


def township_name_lookup(shapes: gpd.GeoDataFrame | None, live_dir: Path | None) -> NameIndex | None:
    """The known townships' names, for files that name townships without codes, with their
    counties' names (the boundary file's parent names, the live extract's regions) so that a
    county column can tell same-named townships apart.

    From the boundary file of this import, else the live extract; None when neither exists.
    """
    if shapes is not None:
        parents = [None if p is None or p != p else str(p) for p in shapes.get("parent_name", [None] * len(shapes))]
        frame = pl.DataFrame(
            {
                "township_code": shapes["township_code"].tolist(),
                "name": shapes["name"].astype(str).tolist(),
                "parent_name": parents,
            },
            schema={"township_code": pl.String, "name": pl.String, "parent_name": pl.String},
        )
    elif live_dir is not None and (live_dir / "townships.parquet").is_file():  # read when a name is looked up
        return NameIndex(load=lambda: _names(_live_townships(live_dir / "townships.parquet"), live_dir))
    else:
        return None
    return NameIndex(*_names(frame, live_dir))


def _live_townships(path: Path) -> pl.DataFrame:
    wanted = [c for c in ("township_code", "name", "parent_name") if c in pl.read_parquet_schema(path)]
    return pl.read_parquet(path, columns=wanted).with_columns(pl.col("name").cast(pl.String))


def _names(frame: pl.DataFrame, live_dir: Path | None) -> tuple[list[tuple[str, str]], dict[str, set[str]]]:
    """The (name, code) pairs of the townships in ``frame`` and their counties' names."""
    frame = frame.filter(pl.col("township_code").is_not_null())
    pairs = [(str(n).strip(), c) for c, n in frame.select("township_code", "name").iter_rows()]
    return pairs, _county_names(frame, live_dir)


def _county_names(townships: pl.DataFrame, live_dir: Path | None) -> dict[str, set[str]]:
    """County code -> its names as compared (``county_key``): parent names and regions.parquet."""
    pairs = []
    if "parent_name" in townships.columns:
        pairs += townships.select(pl.col("township_code").str.slice(0, 6), "parent_name").drop_nulls().rows()
    regions = live_dir / "regions.parquet" if live_dir is not None else None
    if regions is not None and regions.is_file():
        frame = pl.read_parquet(regions)
        names = [c for c in ("region_name", "region_name_en") if c in frame.columns]
        for column in names:
            pairs += frame.select("region_code", column).drop_nulls().rows()
    counties: dict[str, set[str]] = {}
    for code, name in set(pairs):  # one entry per distinct county and name, not per township
        counties.setdefault(str(code)[:6], set()).add(county_key(str(name)))
    return counties


def live_township_codes(live_dir: Path | None) -> set[str] | None:
    if live_dir is None or not (live_dir / "townships.parquet").is_file():
        return None
    frame = pl.read_parquet(live_dir / "townships.parquet", columns=["township_code"])
    return set(frame["township_code"].to_list())


def refuse_unknown_codes(
    file: str,
    column: str,
    code_rows: dict[str, int],
    known: set[str],
    log: ProblemLog,
    extra_ok: set[str] = frozenset(),
) -> None:
    """Codes not among the townships are refused: almost always a typo. A village code (see
    ``roll_up_villages``) under no known township is refused with the closest township codes."""
    for code, row in sorted(code_rows.items(), key=lambda kv: kv[1]):
        if code not in known and code not in extra_ok:
            if is_village(code) and code[:9] + "000" in known:  # population, targets, reported
                log.add(Problem(file, "village_not_births", row, column, code, {"township": code[:9] + "000"}))
            elif is_village(code):
                township = code[:9] + "000"
                fmt = {"township": township, "closest": closest_codes(township, known)}
                log.add(Problem(file, "unknown_village", row, column, code, fmt))
            else:
                log.add(Problem(file, "unknown_code", row, column, code, {"n": len(known)}))


def closest_codes(code: str, known: set[str]) -> str:
    """The known 12-digit township codes nearest to ``code`` (numerically: same county first)."""
    codes = sorted(c for c in known if len(c) == 12 and c.isdigit())
    if not codes:
        return "–"
    values = np.array([int(c) for c in codes], dtype=np.int64)
    order = np.argsort(np.abs(values - int(code)), kind="stable")[:CLOSEST_CODES]
    return "、".join(codes[i] for i in order)


def is_village(code: str) -> bool:
    return len(code) == 12 and code.isdigit() and not code.endswith("000")


def village_expr(column: str) -> pl.Expr:
    """``is_village`` over a column of codes."""
    return pl.col(column).str.contains(r"^\d{12}$") & ~pl.col(column).str.ends_with("000")


def roll_up_villages(births, known: set[str] | None):
    """Births by village counted for their townships: a 12-digit code whose last three digits are
    not 000 counts for the township of its first nine digits + 000, when that township is known
    (``known``: the townships of the new version; None when only the births name them: then every
    village rolls up). Villages under no known township keep their code, to be refused by
    ``refuse_unknown_codes``. Returns the births input and (villages rolled up, their townships).
    """
    codes = pl.DataFrame(
        {"code": list(births.code_rows), "row": list(births.code_rows.values())},
        schema={"code": pl.String, "row": pl.Int64},
    )
    township = pl.col("code").str.slice(0, 9) + "000"
    rolls = village_expr("code") & (pl.lit(True) if known is None else township.is_in(list(known)))
    codes = codes.with_columns(pl.when(rolls).then(township).otherwise(pl.col("code")).alias("to"))
    moved = codes.filter(pl.col("to") != pl.col("code"))
    if moved.height == 0:
        return births, (0, set())
    rolled = dict(moved.select("code", "to").iter_rows())
    rows = dict(codes.group_by("to").agg(pl.col("row").min()).iter_rows())
    frame = births.frame
    if frame is not None:
        keys = [c for c in frame.columns if c != "births"]
        frame = (
            frame.with_columns(pl.col("township_code").replace(rolled))
            .group_by(keys)
            .agg(pl.col("births").sum())
            .select(frame.columns)
            .sort(keys, nulls_last=True)
        )
    names = {c: n for c, n in births.names.items() if c not in rolled}  # a village's name is not its township's
    out = replace(births, frame=frame, code_rows=rows, names=names)
    return out, (len(rolled), set(rolled.values()))


def note_villages(file: str, villages: int, townships: set[str], log: ProblemLog) -> None:
    """The summary's line: how many villages were rolled up into how many townships."""
    if villages:
        log.warn(Problem(file, "villages_rolled_up", fmt={"villages": villages, "townships": len(townships)}))


def warn_one_sided(file: str, births_codes: set[str], shape_codes: set[str], log: ProblemLog) -> None:
    """Births and boundaries given together: codes on one side only are a warning, listed."""
    for key, codes in (
        ("codes_without_shape", births_codes - shape_codes),
        ("shapes_without_births", shape_codes - births_codes),
    ):
        if codes:
            listed = sorted(codes)
            shown = ", ".join(listed[:CODES_LISTED])
            if len(listed) > CODES_LISTED:
                shown += f" … (+{len(listed) - CODES_LISTED})"
            log.warn(Problem(file, key, fmt={"n": len(listed), "codes": shown}))


def warn_ambiguous_names(file: str, gdf: gpd.GeoDataFrame, log: ProblemLog) -> None:
    """Two townships with one name and no parent name to tell them apart: say so."""
    frame = pl.DataFrame(
        {
            "name": gdf["name"].astype(str).tolist(),
            "parent": [None if p is None or p != p else str(p) for p in gdf.get("parent_name", [None] * len(gdf))],
        }
    )
    dup = frame.filter(pl.col("name").is_duplicated())
    if dup.height and dup["parent"].null_count():
        names = ", ".join(sorted(set(dup["name"].to_list()))[:CODES_LISTED])
        log.warn(Problem(file, "ambiguous_names", fmt={"names": names}))


def known_codes(
    req, live, births, shapes, log: ProblemLog, mapped: set[str] = frozenset(), live_codes: set[str] | None = None
) -> set[str]:
    """Township codes of the new version; births codes are checked against them (codes the
    crosswalk maps onto today's townships, ``mapped``, are accepted too; ``live_codes``: the live
    version's, read once)."""
    if shapes is not None:
        codes = set(shapes["township_code"])
        warn_ambiguous_names(req.boundaries.name, shapes, log)
        if births is not None:
            warn_one_sided(req.births.name, set(births.code_rows) - mapped, codes, log)
        elif live is not None and (live / "births.parquet").is_file():
            live_births = pl.read_parquet(live / "births.parquet", columns=["township_code"])
            warn_one_sided(req.boundaries.name, set(live_births["township_code"].unique()), codes, log)
        return codes
    codes = live_codes
    if codes is not None:
        if births is not None:
            refuse_unknown_codes(req.births.name, births.code_column, births.code_rows, codes, log, mapped)
        return codes
    if births is None:
        return set()
    log.warn(Problem(req.births.name, "no_boundaries"))
    return set(births.code_rows)
