"""Assembly for the Sex ratio page: texts, references and figures from query results.

Takes the page context (``ctx``: lang, manifest, ``t``, ``footnote``, ``period``) so the page
itself stays a list of widgets and outputs. No streamlit here.
"""

from __future__ import annotations

import hashlib

import plotly.graph_objects as go
import polars as pl

from natality.core import literal, once, ranking
from natality.core.context import Ctx
from natality.core.i18n import fmt_num
from natality.srb import charts as srb_charts
from natality.srb import funnel_chart
from natality.srb.dispersion import NO_ALLOWANCE, Allowance, choose_allowance, overdispersion, tau_in_srb_points
from natality.srb.tables import (
    LEVEL_OUTER,
    LEVELS,
    MIN_BIRTHS,
    level_text,
    reference_value,
    target_for_year,
    township_srb_table,
    township_table_display,
)

FIRST_YEAR = 2015
MAX_FLAGGED_NAMED = 20  # a province can have dozens outside the limits: name the most extreme, count the rest


def period(ctx: Ctx, year_from: int, year_to: int) -> str:
    """'2026年1-9月' for one year, '2024年至2026年1-9月' for a pooled window."""
    if year_from == year_to:
        return ctx.period(year_to)
    return ctx.t("srb.period_window", first=year_from, last=ctx.period(year_to))


def _partial_year(ctx: Ctx) -> int | None:
    return ctx.cutoff_year if ctx.months_in(ctx.cutoff_year) < 12 else None


def _partial_note(ctx: Ctx) -> str:
    year = _partial_year(ctx)
    return "" if year is None else ctx.t("srb.partial_note", year=year, month=ctx.cutoff_month)


def reference_options(ctx: Ctx, county: pl.DataFrame, targets: pl.DataFrame, year: int) -> dict[str, tuple[float, str]]:
    """Reference choices offered to the user: key -> (value, label). Target only where one exists."""
    county_srb = county["srb"][0] if county.height else None
    options = {}
    if county_srb is not None:
        options["county"] = (county_srb, ctx.t("srb.ref.county", scope=ctx.region(), value=fmt_num(county_srb)))
    options["natural"] = (reference_value("natural", None, None), ctx.t("srb.ref.natural"))
    target = target_for_year(targets, year)
    if target is not None:
        options["target"] = (target, ctx.t("srb.ref.target", value=fmt_num(target)))
    return options


def trend_figure(ctx: Ctx, by_year: pl.DataFrame, targets: pl.DataFrame) -> go.Figure:
    rows = by_year.filter(pl.col("year") >= FIRST_YEAR)
    first, last = rows["year"].min(), rows["year"].max()
    return srb_charts.srb_trend(
        rows,
        targets,
        ctx.lang,
        ctx.t("srb.trend_title", scope=literal.plot(ctx.region()), first=first, last=last),
        _partial_note(ctx),
        ctx.footnote(),
        _partial_year(ctx),
        series_name=ctx.t("srb.scope_srb", scope=literal.plot(ctx.region())),
    )


def order_figure(ctx: Ctx, by_order: pl.DataFrame, by_year: pl.DataFrame) -> go.Figure:
    rows = by_order.filter(pl.col("year") >= FIRST_YEAR)
    total = by_year.filter(pl.col("year") >= FIRST_YEAR)["births"].sum()
    unknown = int(total - rows["births"].sum())
    first, last = rows["year"].min(), rows["year"].max()
    notes = [n for n in (_partial_note(ctx), ctx.t("srb.order_note", n=f"{unknown:,}") if unknown else "") if n]
    return srb_charts.srb_by_order(
        rows,
        ctx.lang,
        ctx.t("srb.order_title", scope=literal.plot(ctx.region()), first=first, last=last),
        "；".join(notes) if ctx.lang == "zh" else "; ".join(notes),
        ctx.footnote(),
        _partial_year(ctx),
    )


def level_options() -> dict[str, float]:
    """The outer limits offered, keyed as the URL writes them ('99.8' -> 0.998)."""
    return {level_text(level): level for level in LEVELS}


def funnel_allowance(by_township: pl.DataFrame, choice: str) -> Allowance:
    """The over-dispersion allowance the funnel makes for these townships (srb_by_township rows)."""
    return choose_allowance(choice, overdispersion(by_township["boys"], by_township["births"], MIN_BIRTHS))


def township_table(
    ctx: Ctx,
    by_township: pl.DataFrame,
    reference: float,
    level: float = LEVEL_OUTER,
    allowance: Allowance = NO_ALLOWANCE,
) -> pl.DataFrame:
    return township_srb_table(
        by_township, reference, min_births=MIN_BIRTHS, level=level, lang=ctx.lang, allowance=allowance
    )


def _num(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}"


def allowance_text(ctx: Ctx, allowance: Allowance) -> str:
    """The sentence under the funnel: the over-dispersion estimate and what allowance was made."""
    d = allowance.dispersion
    if d.phi is None:
        return ctx.t("srb.od.cannot_estimate", min=MIN_BIRTHS)
    estimate = ctx.t(
        "srb.od.more" if d.overdispersed else "srb.od.within",
        phi=_num(d.phi, 2),
        n=f"{d.townships:,}",
        threshold=_num(d.threshold, 2),
    )
    if allowance.kind == "additive":
        tau2 = d.tau2 or 0.0
        points = tau_in_srb_points(tau2, d.pooled_share)
        action = ctx.t("srb.od.act.additive", tau=_num(tau2**0.5, 4), points=_num(points, 1))
    elif allowance.kind == "multiplicative":
        action = ctx.t("srb.od.act.multiplicative", widen=_num(max(d.phi, 1.0) ** 0.5, 2))
    else:
        action = ctx.t(f"srb.od.act.{allowance.reason}", n=f"{d.townships:,}")
    return estimate + action


def funnel_figure(
    ctx: Ctx,
    table: pl.DataFrame,
    reference: float,
    reference_label: str,
    when: str,
    level: float = LEVEL_OUTER,
    allowance: Allowance = NO_ALLOWANCE,
) -> go.Figure:
    counts = table["classification"].value_counts()
    n = dict(zip(counts["classification"].cast(pl.String).to_list(), counts["count"].to_list(), strict=True))
    count_text = ctx.t(
        "srb.funnel_counts",
        above=n.get("above", 0),
        below=n.get("below", 0),
        few=n.get("too_few", 0),
        min=MIN_BIRTHS,
        level=level_text(level),
    )
    if allowance.applied:  # a screenshot must say the limits were widened, and how
        d = allowance.dispersion
        widened = ctx.t(
            f"srb.od.subtitle.{allowance.kind}", tau=_num((d.tau2 or 0.0) ** 0.5, 4), phi=_num(d.phi or 1.0, 2)
        )
        count_text += "<br>" + widened[:1].upper() + widened[1:]
    # the label is plain text (a selectbox option): escaped as a whole for plotly
    subtitle = ctx.t("srb.funnel_reference", reference=literal.plot(reference_label)) + "<br>" + count_text
    title = ctx.t("srb.funnel_title", period=when)
    return funnel_chart.srb_funnel(table, reference, ctx.lang, title, subtitle, ctx.footnote(), level, allowance)


def flagged_text(ctx: Ctx, table: pl.DataFrame, level: float = LEVEL_OUTER) -> str:
    """One sentence naming the townships outside the limits at ``level``, highest SRB first (at most
    ``MAX_FLAGGED_NAMED``, the furthest from the reference; the others counted)."""
    flagged = table.filter(pl.col("classification").is_in(["above", "below"])).sort("srb", descending=True)
    if flagged.is_empty():
        return ctx.t("srb.none_flagged", level=level_text(level))
    named = flagged
    if flagged.height > MAX_FLAGGED_NAMED:
        furthest = flagged.sort(pl.col("z").abs(), descending=True).head(MAX_FLAGGED_NAMED)["township_code"]
        named = flagged.filter(pl.col("township_code").is_in(furthest.to_list()))
    names = [f"{lab} ({fmt_num(s)})" for lab, s in zip(named["label"], named["srb"], strict=True)]
    text = ctx.t("srb.flagged", names=("、" if ctx.lang == "zh" else ", ").join(names), level=level_text(level))
    more = flagged.height - named.height
    return text + (ctx.t("srb.flagged_more", n=more) if more else "")


def display_table(ctx: Ctx, table: pl.DataFrame, level: float = LEVEL_OUTER) -> pl.DataFrame:
    return township_table_display(table.sort("births", descending=True), ctx.t, level)


def ranked_display_table(
    ctx: Ctx, table: pl.DataFrame, find: tuple[str, ...] = (), level: float = LEVEL_OUTER
) -> tuple[pl.DataFrame, bool]:
    """The townships with the highest and the lowest shrunk SRB (the fair basis for a ranking),
    those of ``find``, and a marker row for each run left out; and whether anything was left out.
    Up to ``TOP + BOTTOM`` townships this is ``display_table``: every township, by births."""
    ranked = ranking.top_bottom(table, "srb_shrunk", keep=find)
    if not ranked.cut:
        return display_table(ctx, table, level), False
    shown = township_table_display(ranked.rows, ctx.t, level)
    gap = lambda g: ctx.t("common.rank_gap", n=f"{g.count:,}", first=g.first, last=g.last)  # noqa: E731
    return ranked.with_gap_rows(ctx.t("common.township"), gap, shown), True


OPTIONS_KEPT = 16  # the last option lists made, shared by every session that shows the same ones


class _Shown(bytes):
    """A digest of a selector's ordered codes and labels, the key of ``_options`` (compared and
    hashed as those bytes); its ``frame`` is let go once the options are made."""

    frame: pl.DataFrame | None


@once.cache(maxsize=OPTIONS_KEPT)  # one session makes them, the others showing the same table wait for them
def _options(shown: _Shown) -> tuple[list[str], dict[str, str]]:
    codes = shown.frame["township_code"].to_list()  # never None here: each call makes its own key
    return codes, dict(zip(codes, shown.frame["label"].to_list(), strict=True))


def township_options(table: pl.DataFrame) -> tuple[list[str], dict[str, str], str | None]:
    """Township codes for the selector (flagged first, then by births), their labels, a default.

    The list and dict are shared (never change them): every session showing the same table gets
    the same objects, known by a hash of its ordered codes and labels, instead of 2,000 new
    strings per view that its selectbox keeps in its widget state."""
    ordered = table.sort(pl.col("classification").is_in(["above", "below"]), pl.col("births"), descending=[True, True])
    frame = ordered.select("township_code", "label")
    shown = _Shown(hashlib.blake2b(frame.hash_rows().to_numpy().tobytes(), digest_size=16).digest())
    shown.frame = frame
    codes, names = _options(shown)
    shown.frame = None  # kept as the cache's key when it made the options: only the digest is needed
    return codes, names, (codes[0] if codes else None)


def township_figures(
    ctx: Ctx, name: str, by_year: pl.DataFrame, rolling: pl.DataFrame, county_rolling: pl.DataFrame, reference: float
) -> tuple[go.Figure, go.Figure]:
    by_year = by_year.filter(pl.col("year") >= FIRST_YEAR)
    name = literal.plot(name)  # in titles and the series' name
    years = srb_charts.township_srb_years(
        by_year,
        reference,
        ctx.lang,
        ctx.t("srb.township_title", name=name),
        ctx.t("srb.township_subtitle", reference=fmt_num(reference)),
        ctx.footnote(),
        _partial_year(ctx),
    )
    roll = srb_charts.rolling_srb(
        rolling,
        county_rolling,
        name,
        ctx.lang,
        ctx.t("srb.rolling_title", name=name),
        ctx.t("srb.rolling_subtitle"),
        ctx.footnote(),
        county_name=ctx.t("srb.scope_srb", scope=literal.plot(ctx.region())),
    )
    return years, roll
