"""The projection as pages show it: the Overview's tile, sentences, the Scorecard's column and
the Township page's fan (the figure itself is built by ``fan_chart``)."""

from __future__ import annotations

import numpy as np
import polars as pl

from natality.births.overview import Kpi
from natality.births.projection import gamma_interval
from natality.core.i18n import fmt_int, fmt_num, t
from natality.srb.stats import srb_estimate


def _percent(p: float | None, row: dict | None = None) -> str:
    if p is None:
        return "–"
    # never "100%" or "0%" for a chance that is not certain (the target met already, or the year over)
    certain = row is not None and (row["births_to_date"] >= (row.get("target") or 0) or row["months"] >= 12)
    if p < 0.01 and not (p == 0 and certain):
        return "<1%"
    if p > 0.99 and not (p == 1 and certain):
        return ">99%"
    return f"{100 * p:.0f}%"


def sentence(row: dict, lang: str) -> str:
    """'预计全年 6,650（90% 区间 6,480–6,820），达标可能性 84%' (the chance only with a target)."""
    if row.get("projected") is None:
        return t("projection.no_history", lang)
    text = t(
        "projection.sentence",
        lang,
        projected=fmt_int(row["projected"], lang),
        low=fmt_int(row["projected_low"], lang),
        high=fmt_int(row["projected_high"], lang),
    )
    if row.get("p_meet") is not None:
        text += t("projection.p_meet", lang, p=_percent(row["p_meet"], row))
    return text


def year_end_texts(row: dict, boys: int | None, girls: int | None, lang: str) -> str:
    """The birth rate the projection gives and the interval the year-end SRB will have at this ratio."""
    out = []
    if row.get("birth_rate") is not None:
        out.append(
            t(
                "projection.rate",
                lang,
                rate=fmt_num(row["birth_rate"], 2),
                low=fmt_num(row["birth_rate_low"], 2),
                high=fmt_num(row["birth_rate_high"], 2),
            )
        )
    if boys and girls and row.get("projected"):
        scale = row["projected"] / (boys + girls)
        est = srb_estimate(round(boys * scale), round(girls * scale))
        if est.low is not None and est.high is not None:
            births = fmt_int(row["projected"], lang)
            out.append(
                t(
                    "projection.srb",
                    lang,
                    srb=fmt_num(100 * boys / girls),
                    births=births,
                    low=fmt_num(est.low),
                    high=fmt_num(est.high),
                )
            )
    return ("" if lang == "zh" else " ").join(out)


def projection_kpi(row: dict, phi: float, lang: str, boys: int | None = None, girls: int | None = None) -> Kpi:
    """The Overview's tile: the projected total, with the sentence under the tiles and its meaning
    (and the birth rate and year-end SRB interval it implies) on hover."""
    target = fmt_int(row["target"], lang) if row.get("target") is not None else t("projection.no_target", lang)
    value = fmt_int(row["projected"], lang) if row.get("projected") is not None else "–"
    help_text = t(
        "projection.help",
        lang,
        to_date=fmt_int(row["births_to_date"], lang),
        months=row["months"],
        phi=f"{phi:.2f}",
        target=target,
    )
    extra = year_end_texts(row, boys, girls, lang)
    help_text = f"{help_text} {extra}" if extra else help_text
    return Kpi(t("projection.label", lang), value, None, help_text, "off", note=sentence(row, lang))


def scorecard_columns(towns: pl.DataFrame, lang: str) -> pl.DataFrame:
    """township_code, the projection with its interval ('521 (496–549)') and the chance of the target."""
    text = pl.format("{} ({}–{})", pl.col("projected"), pl.col("projected_low"), pl.col("projected_high"))
    certain = (pl.col("births_to_date") >= pl.col("target")) | (pl.col("months") >= 12)
    chance = (
        pl.when(pl.col("p_meet").is_null())
        .then(pl.lit("–"))
        .when((pl.col("p_meet") < 0.01) & ~((pl.col("p_meet") == 0) & certain))
        .then(pl.lit("<1%"))
        .when((pl.col("p_meet") > 0.99) & ~((pl.col("p_meet") == 1) & certain))
        .then(pl.lit(">99%"))
        .otherwise(pl.format("{}%", (pl.col("p_meet") * 100).round(0).cast(pl.Int64)))
    )
    return towns.select(
        "township_code",
        pl.when(pl.col("projected").is_not_null())
        .then(text)
        .otherwise(pl.lit("–"))
        .alias(t("projection.column", lang)),
        chance.alias(t("projection.p_column", lang)),
    )


def fan_frame(monthly: pl.DataFrame, row: dict, phi: float, year: int) -> pl.DataFrame:
    """month, this_year (cumulative to the cut), last_year (cumulative), mean, low, high (the fan
    from the cut to December; the remaining births spread over the months as last year's were).

    ``monthly``: year, month, births (births_by_month of the township); ``row``: its projection."""
    months = int(row["months"])
    this = monthly.filter(pl.col("year") == year).sort("month")
    last = monthly.filter(pl.col("year") == year - 1).sort("month")
    grid = pl.DataFrame({"month": list(range(1, 13))}, schema={"month": pl.Int32})
    this_cum = grid.join(this.select(pl.col("month").cast(pl.Int32), "births"), on="month", how="left").with_columns(
        pl.col("births").fill_null(0).cum_sum()
    )
    last_cum = grid.join(last.select(pl.col("month").cast(pl.Int32), "births"), on="month", how="left").with_columns(
        pl.col("births").fill_null(0).cum_sum()
    )
    out = grid.with_columns(
        this_year=pl.when(pl.col("month") <= months).then(this_cum["births"]),
        last_year=pl.when(last.height > 0).then(last_cum["births"]),
    )
    mu, variance = row.get("mu"), row.get("variance")
    if mu is None or variance is None or months >= 12:
        return out.with_columns(
            mean=pl.lit(None, pl.Float64), low=pl.lit(None, pl.Float64), high=pl.lit(None, pl.Float64)
        )
    # the share of the remaining births due by each month, from last year's months (else even)
    rest = np.array(last_cum["births"].to_list(), dtype=float)
    after = rest - rest[months - 1]
    share = after / after[-1] if after[-1] > 0 else np.clip((np.arange(1, 13) - months) / (12 - months), 0, 1)
    share = np.clip(share, 0, 1)
    process = phi * mu
    var_k = process * share + max(variance - process, 0.0) * share**2
    to_date = float(row["births_to_date"])
    mean, low, high, _ = gamma_interval(np.full(12, to_date), mu * share, var_k, np.full(12, np.nan))
    keep = np.arange(1, 13) >= months
    return out.with_columns(
        mean=pl.Series(np.where(keep, mean, np.nan)).fill_nan(None),
        low=pl.Series(np.where(keep, low, np.nan)).fill_nan(None),
        high=pl.Series(np.where(keep, high, np.nan)).fill_nan(None),
    )
