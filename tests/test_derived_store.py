"""What a replica no longer builds for a new version (issue 19 at 2,000 townships): the births
tables of its DuckDB connection, the map layers' GeoJSON and counts, and the projection are made
once per version, stored in its derived/ folder (``core/once_files``) and read by every other
process. A second connection reads the stored tables (it sums no births: a stored file changed on
purpose shows through), what is read equals a fresh computation, a damaged file is made again, and
a version whose derived/ cannot be written still works.

The tiny extract of tests/import_fixtures: 6 births in 3 townships, one a row, so births_core has
6 rows of 1 birth (城关镇 3 of them, 王店乡 2, 东区 1) and births_monthly the same 6 rows (no two
births share township, month and sex)."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from natality.births import projection
from natality.core import db, once_files
from natality.geo import layers

TOWNS = ["411621100000", "411621101000", "411621102000"]


@pytest.fixture
def version(ext) -> Path:
    root = ext.resolve()
    shutil.rmtree(root / "derived", ignore_errors=True)  # whatever the import stored
    yield root
    for cached in (layers.region_geojson, layers.region_counts, projection._projection, layers.townships):
        cached.cache_clear()


def births_path(root: Path, table: str) -> Path:
    return once_files.derived_path(root, "births", f"{table}.parquet")


def tables(con: duckdb.DuckDBPyConnection) -> dict[str, pl.DataFrame]:
    return {t: con.table(t).pl() for t in ("births_core", "births_monthly")}


def test_first_connection_stores_the_births_tables_and_a_second_reads_them(version):
    first = tables(db._connect(version))
    assert first["births_core"].height == 6 and first["births_monthly"].height == 6
    per_town = first["births_core"].group_by("township_code").agg(pl.col("births").sum()).sort("township_code")
    assert per_town["births"].to_list() == [3, 2, 1]
    for table in first:
        assert births_path(version, table).is_file()
    # the stored births_core changed on purpose (ten times every count): a second connection shows it,
    # so it read the file and summed nothing (births_monthly, stored too, stays as it was)
    changed = first["births_core"].with_columns(pl.col("births") * 10)
    tmp = births_path(version, "births_core").with_name("changed.parquet")
    duckdb.from_arrow(changed.to_arrow()).write_parquet(str(tmp))
    tmp.replace(births_path(version, "births_core"))
    second = tables(db._connect(version))
    assert second["births_core"]["births"].to_list() == [10] * 6
    assert_frame_equal(second["births_monthly"], first["births_monthly"])


def test_stored_tables_equal_a_fresh_computation(version, tmp_path):
    stored = db._connect(version)  # computes and stores
    read = tables(db._connect(version))  # reads
    fresh = tmp_path / "fresh"
    shutil.copytree(version, fresh, ignore=shutil.ignore_patterns("derived"))
    (fresh / "derived").write_text("a file where the folder would be", encoding="utf-8")  # nothing stored
    computed = tables(db._connect(fresh))
    for table in read:
        # values and types; rows in one order (births_core is ordered by township and month only,
        # and rows tied on those come in either order from DuckDB's threads, stored or computed)
        columns = read[table].columns
        assert_frame_equal(read[table].sort(columns), computed[table].sort(columns))
        again = db._connect(fresh).table(table)
        assert (stored.table(table).columns, stored.table(table).types) == (again.columns, again.types)
    assert not (fresh / "derived").is_dir()


def test_a_damaged_stored_table_is_computed_again(version):
    db._connect(version)
    path = births_path(version, "births_core")
    path.write_bytes(b"PAR1 not a parquet file")
    con = db._connect(version)
    assert con.execute("select count(*), sum(births) from births_core").fetchone() == (6, 6)
    assert db._connect(version).execute("select sum(births) from births_core").fetchone() == (6,)
    assert duckdb.read_parquet(str(path)).aggregate("sum(births)").fetchall() == [(6,)]  # written whole again


def test_geojson_and_counts_are_stored_and_read(version):
    v = str(version)
    made = layers.region_geojson(v, None, "township")
    assert [f["id"] for f in made["features"]] == TOWNS
    assert layers.shaped_count(v, None) == (3, 3) and layers.county_count(v, None) == 1
    stored = sorted(p.name for p in (version / "derived").glob("geojson-*/*.json"))
    assert len(stored) == 2  # the township layer and the region's counts
    # a second process: nothing cached; what it reads equals a fresh computation
    layers.region_geojson.cache_clear()
    layers.region_counts.cache_clear()
    layers.townships.cache_clear()
    assert layers.region_geojson(v, None, "township") == layers._region_geojson(v, None, "township") == made
    assert layers.townships.cache_info().currsize == 1  # (the fresh computation above loaded the boundaries)
    layers.townships.cache_clear()
    assert layers.shaped_count(v, None) == (3, 3)
    assert layers.townships.cache_info().currsize == 0  # read: the boundary file was not loaded
    # a stored layer changed on purpose shows through in a fresh process
    for path in (version / "derived").glob("geojson-*/*.json"):
        text = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(text, dict):
            text["features"] = text["features"][:1]
            path.write_text(json.dumps(text), encoding="utf-8")
    layers.region_geojson.cache_clear()
    assert [f["id"] for f in layers.region_geojson(v, None, "township")["features"]] == TOWNS[:1]


def test_a_damaged_layer_is_made_again(version):
    v = str(version)
    made = layers.region_geojson(v, None, "county")
    [path] = (version / "derived").glob("geojson-*/*.json")
    path.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")  # cut short
    layers.region_geojson.cache_clear()
    assert layers.region_geojson(v, None, "county") == made
    assert json.loads(path.read_text(encoding="utf-8")) == made


def test_projection_is_stored_and_read(version):
    v = str(version)
    made = projection.projection(v, 2024, 1)
    assert (made.year, made.months, made.phi) == (2024, 1, 1.0)
    assert sorted(made.townships["township_code"].to_list()) == TOWNS
    projection._projection.cache_clear()
    read = projection.projection(v, 2024, 1)
    computed = projection._computed(v, 2024, 1, None)
    for got in (read, computed):
        assert (got.year, got.months, got.phi) == (made.year, made.months, made.phi)
        assert_frame_equal(got.townships, made.townships)
        assert_frame_equal(got.regions, made.regions)
    [folder] = (version / "derived").glob("projection-*/*")
    (folder / "projection.json").write_text('{"year": 2024, "months": 7, "phi": 1.0}', encoding="utf-8")
    projection._projection.cache_clear()
    assert projection.projection(v, 2024, 1).months == 7  # read, not computed


def test_a_shared_geojson_keeps_its_frame(version):
    """Each township's locator map framed the same shared layer again: it keeps its frame."""
    from natality.maps.frame import bulk_frame
    from natality.ui.figures import SharedGeoJSON

    made = layers.region_geojson(str(version), None, "township")
    shared = SharedGeoJSON(made, (str(version), None, "township"))
    plain = dict(made)
    for geojson in (shared, plain):
        bounds, outside = bulk_frame(geojson)
        assert bounds == pytest.approx((114.0, 33.0, 114.3, 33.1)) and outside == []
        outside.append("changed by a caller")  # a caller's list is its own
    # (never done to a shared layer: here it shows which frame is kept and which is computed again)
    for geojson in (shared, plain):
        geojson["features"] = geojson["features"][:1]
    assert bulk_frame(shared) == ((114.0, 33.0, 114.3, 33.1), [])
    assert bulk_frame(plain)[0] == pytest.approx((114.0, 33.0, 114.1, 33.1))


def test_kept_names_its_file_by_kind_code_and_key_and_builds_again_what_its_form_refuses(tmp_path):
    calls: list[int] = []

    def build() -> dict:
        calls.append(1)
        return {"type": "counts", "n": len(calls)}

    def counts(made: dict) -> dict:
        if made.get("type") != "counts":
            raise ValueError("not counts")
        return made

    form = once_files.JSON.then(counts)
    name = once_files.name_of(("甲", 2024))
    assert name == once_files.name_of(("甲", 2024)) != once_files.name_of(("甲", 2025))
    assert len(name) == 16 and once_files.name_of("x", "births_by_month").startswith("births_by_month-")
    path = tmp_path / "derived" / f"test-{once_files.code_fingerprint()}" / f"{name}.json"
    assert once_files.kept(tmp_path, "test", name, build, form) == {"type": "counts", "n": 1}
    assert json.loads(path.read_text(encoding="utf-8")) == {"type": "counts", "n": 1}
    assert once_files.kept(tmp_path, "test", name, build, form) == {"type": "counts", "n": 1}  # read
    assert once_files.found(path, form) == {"type": "counts", "n": 1} and len(calls) == 1
    path.write_text('{"type": "other"}', encoding="utf-8")  # readable JSON the form refuses
    assert once_files.found(path, form) is None
    assert once_files.kept(tmp_path, "test", name, build, form) == {"type": "counts", "n": 2}
    assert json.loads(path.read_text(encoding="utf-8"))["n"] == 2  # written again
    assert once_files.kept(None, "test", name, build, form)["n"] == 3  # no version: built, nothing kept
    assert once_files.found(None, form) is None


def test_each_code_fingerprint_covers_its_own_files(tmp_path, monkeypatch):
    """The stored scorecard's hash covers its sources only (a page's change keeps it); the
    derived/ files' hash covers every module, message, query and page."""
    from natality.scorecard import stored

    for name in ("natality/scorecard/score.py", "natality/ui/page.py", "queries/a.sql", "pages/1_x.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("one", encoding="utf-8")
    monkeypatch.setattr(once_files, "_ROOT", tmp_path)

    def both() -> tuple[str, str]:
        once_files.code_fingerprint.cache_clear()
        return once_files.code_fingerprint(), stored.code_fingerprint()

    try:
        first = both()
        (tmp_path / "pages/1_x.py").write_text("two", encoding="utf-8")
        second = both()
        assert second[0] != first[0] and second[1] == first[1]
        (tmp_path / "natality/ui/page.py").write_text("two", encoding="utf-8")
        third = both()
        assert third[0] != second[0] and third[1] == first[1]
        for name in ("natality/scorecard/score.py", "queries/a.sql"):
            (tmp_path / name).write_text("two", encoding="utf-8")
            changed = both()
            assert changed[0] != third[0] and changed[1] != third[1]
            third = changed
        monkeypatch.setattr(stored, "FORMAT", stored.FORMAT + 1)
        after = both()
        assert after[0] == third[0] and after[1] != third[1]  # a new format: no stored scorecard read
    finally:
        monkeypatch.undo()
        once_files.code_fingerprint.cache_clear()


def test_the_code_fingerprint_is_kept_by_the_files_times_and_read_again_only_when_they_change(tmp_path, monkeypatch):
    """The hash of files older than RACY_SECONDS is kept under a name of their paths, sizes and
    times: the next process reads it (a kept text it would not compute proves it was read); a
    changed time computes it again; a file changed just now is read whatever is kept."""
    source = tmp_path / "natality" / "m.py"
    source.parent.mkdir(parents=True)
    source.write_text("one", encoding="utf-8")
    old = time.time_ns() - 3_600 * 10**9
    os.utime(source, ns=(old, old))
    monkeypatch.setattr(once_files, "_ROOT", tmp_path)
    sources = ("natality/*.py",)

    def fingerprint() -> str:
        once_files.code_fingerprint.cache_clear()
        return once_files.code_fingerprint(sources, "salt")

    try:
        first = fingerprint()
        kept = list((tmp_path / "natality" / "__pycache__").glob("code-*"))
        assert len(kept) == 1 and kept[0].read_text(encoding="ascii") == first
        kept[0].write_text("0123456789abcdef0123", encoding="ascii")  # what only the kept file says
        assert fingerprint() == "0123456789abcdef0123"
        source.write_text("two", encoding="utf-8")  # same size, a new time (and racy: just now)
        changed = fingerprint()
        assert changed not in (first, "0123456789abcdef0123")
        assert len(list((tmp_path / "natality" / "__pycache__").glob("code-*"))) == 1  # racy: not kept
        later = old + 10**9
        os.utime(source, ns=(later, later))  # settled: computed from the content, then kept
        assert fingerprint() == changed
        now_kept = list((tmp_path / "natality" / "__pycache__").glob("code-*"))  # the older one removed
        assert len(now_kept) == 1 and now_kept[0].read_text(encoding="ascii") == changed
    finally:
        monkeypatch.undo()
        once_files.code_fingerprint.cache_clear()
