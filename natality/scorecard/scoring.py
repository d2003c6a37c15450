"""The scorecard of an extract: read, judged, scored and explained once per version, and its tables.

The pipeline is ``judging.indicator_values`` (SQL) -> ``judging.judge`` (one verdict per township,
year and indicator) -> ``ranking.score`` (per township and year) -> ``reasons`` (the words).
``scorecard(year)`` and ``indicator_status(year)`` are the public tables; the pages, the maps and
``python -m natality query scorecard`` all use them. ``scorecard_data`` is computed once per
extract version and language in a process (and kept in the version's ``derived/`` folder by
``stored``); ``region_scorecard`` narrows it to a region and ranks within it.

The names of ``judging`` and ``ranking`` that callers use are also reachable from here
(``scoring.judge_one``, ``scoring.ScorecardData``, ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from natality.core import once
from natality.core.db import QueryError, connection, run_query
from natality.core.extract import live_version_dir, read_manifest
from natality.scorecard import number_texts, reasons, stored, uncertainty
from natality.scorecard.indicators import DEFAULT_REGISTRY, Registry, RegistryError, load_registry
from natality.scorecard.judging import (
    GOOD,
    JUDGED,
    VALUE_SCHEMA,
    county_values,
    credit_earned,
    cutoff,
    estimate,
    indicator_values,
    judge,
    judge_one,
    year_fraction,
)
from natality.scorecard.ranking import ScorecardData, score

__all__ = [
    "COMPUTED_QUERIES",
    "GOOD",
    "JUDGED",
    "VALUE_SCHEMA",
    "ScorecardData",
    "clear_cache",
    "county_values",
    "credit_earned",
    "cutoff",
    "estimate",
    "indicator_status",
    "indicator_values",
    "judge",
    "judge_one",
    "prepare",
    "region_scorecard",
    "score",
    "scorecard",
    "scorecard_data",
    "scorecard_query",
    "township_names",
    "year_fraction",
]


def township_names(data_dir: str | Path | None = None, lang: str = "zh") -> pl.DataFrame:
    """township_code, township_name in ``lang``; a repeated name shows its parent: "name (parent)"."""
    suffix = "" if lang == "zh" else "_en"
    towns = run_query("scorecard_townships", data_dir).with_columns(
        plain=pl.coalesce(pl.col(f"township_name{suffix}"), pl.col("township_name")),
        parent=pl.coalesce(pl.col(f"parent_name{suffix}"), pl.col("parent_name"), pl.col("parent_code")),
    )
    repeated = pl.col("plain").count().over("plain") > 1
    towns = towns.with_columns(
        township_name=pl.when(repeated).then(pl.format("{} ({})", "plain", "parent")).otherwise("plain")
    )
    # Same name under the same parent: the township's own code tells them apart.
    again = pl.col("township_name").count().over("township_name") > 1
    label = pl.when(again).then(pl.format("{} [{}]", "township_name", "township_code")).otherwise("township_name")
    return towns.select("township_code", township_name=label)


@dataclass(frozen=True)
class _Judged:
    """The language-free part of a scorecard: read, judged and scored once per extract version."""

    registry: Registry
    cutoff: tuple[int, int]
    fraction: float | None
    values: pl.DataFrame
    targets: pl.DataFrame
    judged: pl.DataFrame
    scored: pl.DataFrame
    region_code: str
    simulation: uncertainty.SimulatedScores
    county: pl.DataFrame  # the county's own values against its own targets
    region_targets: pl.DataFrame  # the targets of regions (codes that are not townships)
    simulated: pl.DataFrame  # the rows the simulation drew from (``uncertainty.simulation_rows``)


def _stamp(data_dir: str | Path | None) -> tuple:
    """The live version's directory and the size and time of each of its files (and of the default
    registry): a published version never changes, but an extract written in place (tests) may."""
    root = live_version_dir(data_dir)
    files = tuple(sorted((p.name, s.st_mtime_ns, s.st_size) for p in root.iterdir() if p.is_file() for s in [p.stat()]))
    default = DEFAULT_REGISTRY.stat()
    return str(root), files, (default.st_mtime_ns, default.st_size)


@once.cache(maxsize=4)
def _judged(stamp: tuple) -> _Judged:
    data_dir = stamp[0]
    registry = load_registry(data_dir)
    cut = cutoff(data_dir)
    values = indicator_values(registry, data_dir)
    targets = run_query("scorecard_targets", data_dir).cast({"year": pl.Int32})
    fraction = year_fraction(registry, cut, data_dir)
    judged = judge(values, targets, registry, cut, fraction)
    region = read_manifest(data_dir).get("region_code", "")
    simulated = uncertainty.simulation_rows(judged)
    earlier = _earlier_draws(stamp[0], registry)
    simulation = uncertainty.simulate_scores(judged, registry, earlier=earlier, rows=simulated)
    scored = uncertainty.with_rank_intervals(score(judged, registry), simulation)
    own_targets = targets.filter(pl.col("township_code") == region)
    county = county_values(values, own_targets, registry, cut, fraction)
    towns_known = values.select("township_code").unique()
    region_targets = targets.join(towns_known, on="township_code", how="anti")
    return _Judged(
        registry, cut, fraction, values, targets, judged, scored, region, simulation, county, region_targets, simulated
    )


def _earlier_draws(version_dir: str, registry: Registry) -> uncertainty.EarlierDraws | None:
    """The rank simulation stored with another kept version of the extract by this code with this
    registry (``stored.earlier``): its years whose judged rows are unchanged are not drawn again
    (a monthly import touches one or two years of ten)."""
    found = stored.earlier(version_dir, stored.registry_digest(registry), _EARLIER_TABLES)
    if found is None:
        return None
    tables, arrays, meta = found
    simulation = uncertainty.SimulatedScores(tables["simulation_keys"], arrays["ranking"], meta["decimals"])
    return uncertainty.EarlierDraws(tables["simulation_rows"], simulation)


@once.cache(maxsize=8)
def _scorecard_data(stamp: tuple, lang: str) -> ScorecardData:
    """Read from the version's ``derived/`` folder when an earlier process stored it, else
    computed and stored there (``stored``)."""
    kept = _load_stored(stamp, lang)
    if kept is not None:
        return kept
    data = _compute_scorecard_data(stamp, lang)
    _store(stamp, lang, data, _judged(stamp).simulated)
    return data


_SHARED_TABLES = ("values", "county", "region_targets")
_EARLIER_TABLES = ("simulation_rows", "simulation_keys")  # what a later version's simulation reads
# The tables with words, stored in two parts: their numbers (every column that is not text: the same
# in both languages) once in the shared entry, their text columns in each language's entry; read
# back side by side (both are in the same row order, sorted by language-free keys).
_LANG_TABLES = ("status", "card")


def _numbers(frame: pl.DataFrame) -> list[str]:
    return [name for name, kind in frame.schema.items() if kind != pl.String]


def _joined(numbers: pl.DataFrame, texts: pl.DataFrame, columns: list[str]) -> pl.DataFrame | None:
    """A stored table again from its two parts, its columns in their order (None: they do not fit)."""
    if numbers.height != texts.height or set(numbers.columns) | set(texts.columns) != set(columns):
        return None
    return pl.concat([numbers, texts], how="horizontal").select(columns)


def _store(stamp: tuple, lang: str, data: ScorecardData, simulated: pl.DataFrame) -> None:
    version_dir, sim = stamp[0], data.simulation
    frames = {t: getattr(data, t) for t in _LANG_TABLES}
    if not (Path(version_dir) / stored.DERIVED / stored.key(stamp)).is_dir():
        tables = {name: getattr(data, name) for name in _SHARED_TABLES} | {"simulation_keys": sim.keys}
        tables["simulation_rows"] = simulated
        tables |= {f"{t}_numbers": frame.select(_numbers(frame)) for t, frame in frames.items()}
        meta = {
            "cutoff": list(data.cutoff),
            "fraction": data.fraction,
            "region_code": data.region_code,
            "decimals": sim.decimals,
            "code": stored.code_fingerprint(),
            "registry": stored.registry_digest(data.registry),
        }
        stored.save(version_dir, stored.key(stamp), tables, {"ranking": sim.ranking}, meta)
    texts = {f"{t}_texts": frame.select(pl.exclude(_numbers(frame))) for t, frame in frames.items()}
    columns = {t: frame.columns for t, frame in frames.items()}
    stored.save(version_dir, stored.key(stamp, lang), texts, {}, {"columns": columns})


def _load_stored(stamp: tuple, lang: str) -> ScorecardData | None:
    texts = stored.load(stamp[0], stored.key(stamp, lang))  # the language's own entry first: smaller
    read = (*_SHARED_TABLES, "simulation_keys", *(f"{t}_numbers" for t in _LANG_TABLES))  # not simulation_rows
    shared = stored.load(stamp[0], stored.key(stamp), read) if texts is not None else None
    if shared is None or texts is None:
        return None
    (tables, arrays, meta), (own, _, own_meta) = shared, texts
    try:
        parts = [(tables[f"{t}_numbers"], own[f"{t}_texts"], own_meta["columns"][t]) for t in _LANG_TABLES]
    except KeyError:  # an entry written by other code
        return None
    status, card = (_joined(*part) for part in parts)
    if status is None or card is None:
        return None
    simulation = uncertainty.SimulatedScores(tables["simulation_keys"], arrays["ranking"], meta["decimals"])
    return ScorecardData(
        registry=load_registry(stamp[0]),
        status=status,
        card=card,
        county=tables["county"],
        cutoff=tuple(meta["cutoff"]),
        fraction=meta["fraction"],
        values=tables["values"],
        region_targets=tables["region_targets"],
        region_code=meta["region_code"],
        simulation=simulation,
    )


def prepare(data_dir: str | Path | None = None) -> None:
    """Compute and store the live version's scorecard in both languages (after an import, and in
    the background when a server starts or sees a new version), so that no visitor waits for it."""
    for lang in ("zh", "en"):
        scorecard_data(data_dir, lang)


def _compute_scorecard_data(stamp: tuple, lang: str) -> ScorecardData:
    j = _judged(stamp)
    towns = township_names(stamp[0], lang)
    with number_texts.formatting_on(connection(stamp[0])):  # the version's DuckDB, not one more
        judged = j.judged.with_columns(reason=reasons.reason_texts(j.judged, j.registry, lang))
        status = reasons.status_table(judged, towns, j.registry, lang)
        card = reasons.card_table(j.scored, judged, towns, j.registry, lang)
    return ScorecardData(
        registry=j.registry,
        status=status,
        card=card,
        county=j.county,
        cutoff=j.cutoff,
        fraction=j.fraction or j.cutoff[1] / 12,
        values=j.values,
        region_targets=j.region_targets,
        region_code=j.region_code or None,
        simulation=j.simulation,
    )


def scorecard_data(data_dir: str | Path | None = None, lang: str = "zh") -> ScorecardData:
    """Read, judge, score and explain every township-year of the extract.

    Computed once per extract version (and once more per language for the texts), over whole
    columns; later calls in the process return the same object. ``clear_cache()`` forgets it."""
    return _scorecard_data(_stamp(data_dir), lang)


def region_scorecard(data_dir: str | Path | None = None, lang: str = "zh", region: str | None = None) -> ScorecardData:
    """``scorecard_data`` narrowed to the townships of ``region`` (a county, city or province
    code; None: the whole extract) and ranked within it; its reference values carry the region's
    own targets. Kept per extract version, language and region."""
    stamp = _stamp(data_dir)
    if not region:
        return _scorecard_data(stamp, lang)
    return _region_scorecard(stamp, lang, region)


@once.cache(maxsize=32)
def _region_scorecard(stamp: tuple, lang: str, region: str) -> ScorecardData:
    codes = run_query("township_list", stamp[0], region=region)["township_code"]
    return _scorecard_data(stamp, lang).for_townships(codes, region)


def clear_cache() -> None:
    """Forget the scorecards computed in this process (for timing a cold computation)."""
    _judged.cache_clear()
    _scorecard_data.cache_clear()
    _region_scorecard.cache_clear()


def scorecard(year: int, data_dir: str | Path | None = None, lang: str = "zh") -> pl.DataFrame:
    """One row per township scored in ``year``: township_code, township_name, score, rank, class,
    vetoed, veto_reason, then rank_change, prev_rank, class_label, n_judged, n_met, veto_risk_reason."""
    return scorecard_data(data_dir, lang).card_for(year)


def indicator_status(year: int, data_dir: str | Path | None = None, lang: str = "zh") -> pl.DataFrame:
    """One row per township and indicator with a target in ``year``: township_code, indicator,
    value, target, denominator, status (met, missed, not_judged, on_track, at_risk), reason, and
    low, high (95 % interval), target_annual, achievement, reason_code, weight, veto, months."""
    return scorecard_data(data_dir, lang).status_for(year)


def scorecard_query(data_dir: str | Path | None = None, year: str | int | None = None, lang: str = "zh"):
    """``python -m natality query scorecard -p year=YYYY``: the page's scorecard table."""
    if year is None or not str(year).isdigit():
        raise QueryError(f"query 'scorecard' needs parameter year=YYYY (e.g. -p year=2019), got {year!r}")
    try:
        return scorecard(int(year), data_dir, lang)
    except RegistryError as exc:  # a malformed indicators.yaml is input the user can fix
        raise QueryError(str(exc)) from exc


# Query names the CLI answers with Python instead of queries/<name>.sql (read-only mapping).
COMPUTED_QUERIES = {"scorecard": scorecard_query}
