"""Year-end projection of births with a 90 % interval and the probability of meeting the target.

The counting is done in SQL (``queries/births_projection_inputs.sql``: births to date, and over
the complete years among the three before, each township's births in the months done and in the
months left, with a Pearson chi-square of those years' monthly counts). Here, over whole columns:

- ratio of the remaining months to the months done, from the township's own history:
  ``r = rest / (done + phi)`` (the seasonal shares S_rem / S_done, less the small-count bias of a
  ratio); a township without history takes the region's pooled ratio;
- expected remaining births ``mu = pace * r`` with ``pace = births_to_date``;
- over-dispersion ``phi`` = Pearson chi-square / df of the history's monthly counts against each
  township-year's total spread by the pooled seasonal shares, floored at 1;
- variance of the remaining births = process noise ``phi mu`` + pace noise ``r^2 phi pace``
  (births to date are themselves a draw) + share noise ``mu^2 phi (1/rest + 1/done)`` (delta
  method on ``log r``);
- the remaining births as a gamma of that mean and variance (skewed, never negative): the 90 %
  interval is births to date plus its 5 % and 95 % quantiles, ``p_meet = P(total >= target)``.

Regions add their townships' means and variances (independent townships), never their interval
ends. ``make bench`` backtests the coverage (every past year cut at months 3, 6 and 9).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
from scipy import stats

from natality.core import db, extract, once, once_files
from natality.core.context import region_names

LEVEL = 0.90
TAIL = (1 - LEVEL) / 2
PROJECTED = ["births_to_date", "months", "projected", "projected_low", "projected_high", "target", "p_meet"]
TOWNSHIP_COLUMNS = ["township_code", "township_name", *PROJECTED]
REGION_COLUMNS = [
    "region_code",
    "region_name",
    "level",
    "townships",
    *PROJECTED,
    "population",
    "birth_rate",
    "birth_rate_low",
    "birth_rate_high",
]


def dispersion(inputs: pl.DataFrame) -> float:
    """phi: Pearson chi-square / df of the history's monthly counts, floored at 1 (1 without history).

    df = cells - township-years (each year's total is fitted) - 11 (the pooled seasonal shares)."""
    cells = int(inputs["pearson_cells"].sum())
    df = cells - int(inputs["history_years"].sum()) - 11
    if df <= 0:
        return 1.0
    return max(1.0, float(inputs["pearson_x2"].sum()) / df)


def _moments(inputs: pl.DataFrame, phi: float) -> pl.DataFrame:
    """Per township: the ratio r, the expected remaining births mu and their variance."""
    pooled_done, pooled_rest = int(inputs["births_done"].sum()), int(inputs["births_rest"].sum())
    own = pl.col("births_done") > 0
    pace = pl.col("births_to_date").cast(pl.Float64)
    done = pl.when(own).then(pl.col("births_done")).otherwise(pl.lit(pooled_done)).cast(pl.Float64)
    rest = pl.when(own).then(pl.col("births_rest")).otherwise(pl.lit(pooled_rest)).cast(pl.Float64)
    full_year = pl.col("months") >= 12
    # rest / (done + phi), not rest / done: 1 / done over-estimates 1 / E[done] by about phi / done
    # (a ratio of counts is biased up; at 2,000 small townships the bias showed in the backtest)
    ratio = pl.when(full_year).then(0.0).when(done > 0).then(rest / (done + phi))
    out = inputs.with_columns(ratio=ratio)
    mu = pace * pl.col("ratio")
    share_var = 1.0 / (rest + 0.5) + 1.0 / (done + 0.5)
    variance = phi * (mu + pl.col("ratio") ** 2 * pl.max_horizontal(pace, pl.lit(1.0)) + mu**2 * share_var)
    return out.with_columns(mu=mu, variance=pl.when(full_year).then(0.0).otherwise(variance))


def gamma_interval(
    to_date: np.ndarray, mu: np.ndarray, variance: np.ndarray, target: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Projected total, 90 % interval and P(total >= target) with the remaining births ~ gamma.

    Arrays of equal length; NaN mu gives NaN everywhere; NaN target gives NaN p_meet. Where the
    variance is 0 (a complete year) the total is what happened."""
    to_date, mu, variance, target = (np.asarray(a, dtype=float) for a in (to_date, mu, variance, target))
    spread = (variance > 0) & (mu > 0)
    safe_var = np.where(spread, variance, 1.0)
    shape = np.where(spread, mu**2 / safe_var, 1.0)
    scale = np.where(spread, safe_var / np.where(spread, mu, 1.0), 1.0)
    low = np.where(spread, stats.gamma.ppf(TAIL, shape, scale=scale), mu)
    high = np.where(spread, stats.gamma.ppf(1 - TAIL, shape, scale=scale), mu)
    need = target - to_date  # births still needed
    # P(remaining >= need) for whole births: the gamma's mass above need - 0.5
    p_spread = stats.gamma.sf(np.maximum(need - 0.5, 0.0), shape, scale=scale)
    p_fixed = (mu >= need - 1e-9).astype(float)
    p_meet = np.where(need <= 0, 1.0, np.where(spread, p_spread, p_fixed))
    p_meet = np.where(np.isnan(target) | np.isnan(mu), np.nan, p_meet)
    return to_date + mu, to_date + low, to_date + high, p_meet


def _with_interval(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` (births_to_date, mu, variance, target) with projected, _low, _high and p_meet."""
    mu = frame["mu"].fill_null(np.nan).to_numpy()
    projected, low, high, p_meet = gamma_interval(
        frame["births_to_date"].to_numpy(),
        mu,
        frame["variance"].fill_null(np.nan).to_numpy(),
        frame["target"].cast(pl.Float64).fill_null(np.nan).to_numpy(),
    )

    def col(values: np.ndarray, digits: int) -> pl.Series:
        series = pl.Series(np.round(values, digits)).fill_nan(None)
        return series.cast(pl.Int64) if digits == 0 else series

    return frame.with_columns(
        projected=col(projected, 0),
        projected_low=col(np.floor(low), 0),
        projected_high=col(np.ceil(high), 0),
        p_meet=col(p_meet, 3),
    )


def months_to(version_dir: str, year: int, month_to: int | None) -> int:
    """The months of ``year`` to project from: ``month_to`` or all the extract has (the cut-off).

    ValueError for a year or month beyond the data."""
    cutoff = extract.read_manifest(version_dir)["cutoff_month"]
    last_year, last_month = int(cutoff[:4]), int(cutoff[5:7])
    have = last_month if year == last_year else 12
    if year > last_year:
        raise ValueError(f"year={year} is after the data's cut-off {cutoff}")
    month = have if month_to is None else int(month_to)
    if not 1 <= month <= have:
        raise ValueError(f"month_to={month_to} must be a month 1-{have} of {year} (cut-off {cutoff})")
    return month


def township_projection(
    version_dir: str | Path, year: int, month_to: int | None = None, region: str | None = None
) -> tuple[pl.DataFrame, float]:
    """One row per township of ``region``: the inputs, mu, variance, projected, _low, _high,
    p_meet; and phi."""
    version_dir = str(version_dir)
    month = months_to(version_dir, year, month_to)
    inputs = db.run_query("births_projection_inputs", version_dir, year=year, month_to=month, region=region)
    phi = dispersion(inputs)
    return _with_interval(_moments(inputs, phi)), phi


def region_projection(
    towns: pl.DataFrame, pairs: pl.DataFrame, scope: tuple[str, str, str], region_targets: pl.DataFrame
) -> pl.DataFrame:
    """Region totals: the scope (code, name, level) and every region of ``pairs`` (township_code,
    region_code, name, level) smaller than it, with sums of the townships' means and variances.

    ``region_targets``: township_code (a region's code), target."""
    summed = [
        pl.len().alias("townships"),
        pl.col("births_to_date").sum(),
        pl.col("months").first(),
        pl.col("mu").sum(),
        pl.col("variance").sum(),
        pl.col("population").sum(),
        pl.col("mu").is_null().any().alias("incomplete"),
    ]
    scope_code, scope_name, scope_level = scope
    whole = towns.select(summed).with_columns(
        region_code=pl.lit(scope_code), region_name=pl.lit(scope_name), level=pl.lit(scope_level)
    )
    parts = (
        towns.join(pairs, on="township_code")
        .group_by("region_code", "region_name", "level")
        .agg(summed)
        .filter(pl.col("townships") < towns.height)
        .sort("region_code")
    )
    out = pl.concat([whole, parts.select(whole.columns)]).with_columns(
        mu=pl.when(pl.col("incomplete")).then(None).otherwise(pl.col("mu")),
        population=pl.when(pl.col("population") > 0).then(pl.col("population")),
    )
    out = out.join(region_targets.rename({"township_code": "region_code"}), on="region_code", how="left")
    out = _with_interval(out)
    rate = 1000 / pl.col("population")
    return out.with_columns(
        birth_rate=(pl.col("projected") * rate).round(2),
        birth_rate_low=(pl.col("projected_low") * rate).round(2),
        birth_rate_high=(pl.col("projected_high") * rate).round(2),
    ).select(REGION_COLUMNS)


@dataclass(frozen=True)
class Projection:
    """The projection of one year cut at one month, for the townships of a region and its totals."""

    year: int
    months: int
    phi: float
    townships: pl.DataFrame  # TOWNSHIP_COLUMNS + township_name_en, mu, variance, population ...
    regions: pl.DataFrame  # REGION_COLUMNS; the first row is the scope itself

    def scope_row(self) -> dict:
        return self.regions.row(0, named=True)


@once.cache(maxsize=32)  # one thread computes a key; the others wait for it
def _projection(version_dir: str, year: int, month_to: int | None, region: str | None) -> Projection:
    """Made by the first process serving the version (the warm process, for the Overview's tile)
    and stored in its derived/ folder; the other replicas read it (``core/once_files``)."""
    build = functools.partial(_computed, version_dir, year, month_to, region)
    return once_files.kept(version_dir, "projection", once_files.name_of((year, month_to, region)), build, _FORM)


def _write(made: Projection, path: Path) -> None:
    path.mkdir()
    made.townships.write_parquet(path / "townships.parquet")
    made.regions.write_parquet(path / "regions.parquet")
    meta = {"year": made.year, "months": made.months, "phi": made.phi}
    (path / "projection.json").write_text(json.dumps(meta), encoding="utf-8")


def _read(path: Path) -> Projection:
    meta = json.loads((path / "projection.json").read_text(encoding="utf-8"))
    towns, regions = pl.read_parquet(path / "townships.parquet"), pl.read_parquet(path / "regions.parquet")
    return Projection(int(meta["year"]), int(meta["months"]), float(meta["phi"]), towns, regions)


_FORM = once_files.Form("", _write, _read)  # a folder: the two frames as Parquet and projection.json


def _computed(version_dir: str, year: int, month_to: int | None, region: str | None) -> Projection:
    towns, phi = township_projection(version_dir, year, month_to, region)
    manifest = extract.read_manifest(version_dir)
    names = region_names(version_dir, manifest)
    code = region or manifest.get("region_code") or ""
    zh, en = names.get(code, (manifest.get("region_name", code), manifest.get("region_name_en") or code))
    levels = db.run_query("regions", version_dir).filter(pl.col("region_code") == code)["level"].to_list()
    pairs = db.run_query("township_region_pairs", version_dir, region=region)
    pairs = pairs.select("township_code", "region_code", "level", region_name=pl.col("name"))
    targets = db.run_query("scorecard_targets", version_dir).filter(
        (pl.col("indicator") == "births") & (pl.col("year") == year)
    )
    regions = region_projection(towns, pairs, (code, zh, levels[0] if levels else "extract"), targets)
    regions = regions.with_columns(
        region_name_en=pl.col("region_code").replace_strict({k: v[1] for k, v in names.items()}, default=None)
    ).with_columns(
        region_name_en=pl.when(pl.col("region_code") == code).then(pl.lit(en)).otherwise(pl.col("region_name_en"))
    )
    return Projection(year, int(towns["months"][0]) if towns.height else 0, phi, towns, regions)


def projection(
    version_dir: str | Path, year: int, month_to: int | None = None, region: str | None = None
) -> Projection:
    """The projection of ``year`` cut at ``month_to`` (default: all the data has) for ``region``
    (None: the whole extract), computed once per extract version and kept (do not mutate it).

    ValueError for a year or month beyond the data."""
    version_dir = str(extract.live_version_dir(version_dir))
    return _projection(version_dir, int(year), months_to(version_dir, int(year), month_to), region)


def _int_param(name: str, value: object, required: bool) -> int | None:
    if value is None and not required:
        return None
    if value is None or not str(value).strip().isdigit():
        example = "year=2026" if name == "year" else "month_to=6"
        raise db.QueryError(f"parameter {name} must be a whole number (e.g. -p {example}), got {value!r}")
    return int(str(value).strip())


def _cli_projection(data_dir, year, month_to, region) -> Projection:
    try:
        return projection(
            extract.live_version_dir(data_dir),
            _int_param("year", year, True),
            _int_param("month_to", month_to, False),
            region or None,
        )
    except ValueError as exc:
        raise db.QueryError(f"births_projection: {exc}") from exc


def births_projection_query(
    data_dir: str | Path | None = None, year: object = None, month_to: object = None, region: object = None
) -> pl.DataFrame:
    """``python -m natality query births_projection -p year=YYYY [-p month_to=M] [-p region=CODE]``."""
    return _cli_projection(data_dir, year, month_to, region).townships.select(TOWNSHIP_COLUMNS)


def births_projection_region_query(
    data_dir: str | Path | None = None, year: object = None, month_to: object = None, region: object = None
) -> pl.DataFrame:
    """``python -m natality query births_projection_region -p year=YYYY ...``: the scope, then its regions."""
    return _cli_projection(data_dir, year, month_to, region).regions


def backtest(version_dir: str | Path, cuts: tuple[int, ...] = (3, 6, 9)) -> pl.DataFrame:
    """Every complete year with history, cut at each month of ``cuts``: one row per (year, cut) with
    townships, covered (real total inside the 90 % interval), the whole extract's projected total,
    its interval and the real total. A loop over years and cuts only (each a whole-column computation)."""
    version_dir = str(extract.live_version_dir(version_dir))
    cutoff = extract.read_manifest(version_dir)["cutoff_month"]
    last_full = int(cutoff[:4]) - (0 if cutoff[5:7] == "12" else 1)
    first = int(extract.read_manifest(version_dir).get("first_year", 2015))
    rows = []
    for year in range(first + 1, last_full + 1):
        actual = township_projection(version_dir, year, 12)[0].select("township_code", actual="births_to_date")
        for cut in cuts:
            towns, _ = township_projection(version_dir, year, cut)
            if towns["history_years"].max() == 0:
                continue
            towns = towns.join(actual, on="township_code")
            inside = (pl.col("actual") >= pl.col("projected_low")) & (pl.col("actual") <= pl.col("projected_high"))
            whole = _with_interval(
                towns.select(
                    pl.col("births_to_date").sum(),
                    pl.col("mu").sum(),
                    pl.col("variance").sum(),
                    target=pl.lit(None, dtype=pl.Float64),
                )
            ).row(0, named=True)
            rows.append(
                {
                    "year": year,
                    "cut": cut,
                    "townships": towns.height,
                    "covered": int(towns.select(inside.sum()).item()),
                    "projected": whole["projected"],
                    "low": whole["projected_low"],
                    "high": whole["projected_high"],
                    "actual": int(towns["actual"].sum()),
                }
            )
    return pl.DataFrame(rows)
