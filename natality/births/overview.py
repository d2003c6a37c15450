"""Headline numbers of the Overview: a period against the same period of the previous year."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from natality.core.i18n import fmt_int, fmt_num, t
from natality.srb.stats import srb_estimate

MIN_BIRTHS_FOR_SHARE = 30  # below this a share is noise: show the count instead of judging


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str
    delta: str | None
    help: str
    delta_color: str = "normal"
    note: str | None = None  # shown under the tiles: what a leader must not miss (the SRB interval)


def _row(df: pl.DataFrame, year: int) -> dict | None:
    rows = df.filter(pl.col("year") == year).to_dicts()
    return rows[0] if rows else None


def _change(now: float | None, before: float | None, decimals: int, unit: str, relative: bool) -> str | None:
    if now is None or before is None:
        return None
    if relative:
        if before == 0:
            return None
        return f"{100 * (now - before) / before:+.1f}%"
    return f"{now - before:+.{decimals}f}{unit}"


def headline_kpis(summary: pl.DataFrame, year: int, period: str, previous_period: str, lang: str) -> list[Kpi]:
    """Births, birth rate, SRB (with its 95 % interval) and share of 3rd+ births, with changes."""
    now, before = _row(summary, year), _row(summary, year - 1)
    if now is None:
        return []
    versus = t("overview.versus", lang, period=previous_period)
    kpis = [
        Kpi(
            t("common.births", lang),
            fmt_int(now["births"], lang),
            _change(now["births"], before and before["births"], 0, "", relative=True),
            f"{period}. {versus}: {fmt_int(before['births'], lang) if before else '–'}",
            "off",
        )
    ]
    rate_before = before and before["birth_rate"]
    kpis.append(
        Kpi(
            t("common.birth_rate", lang) + " (‰)",
            fmt_num(now["birth_rate"], 2),
            _change(now["birth_rate"], rate_before, 2, "‰", relative=False),
            t("overview.rate_help", lang, period=period) + f" {versus}: {fmt_num(rate_before, 2)}",
            "off",
        )
    )
    est = srb_estimate(now["boys"], now["girls"])
    est_before = srb_estimate(before["boys"], before["girls"]) if before else None
    interval = (
        t("overview.interval", lang, low=fmt_num(est.low), high=fmt_num(est.high))
        if est.low is not None and est.high is not None
        else t("common.not_enough", lang)
    )
    kpis.append(
        Kpi(
            t("common.srb", lang),
            fmt_num(est.srb) if est.srb is not None else t("common.not_enough", lang),
            _change(est.srb, est_before.srb if est_before else None, 1, "", relative=False),
            t(
                "overview.srb_help",
                lang,
                boys=fmt_int(now["boys"], lang),
                girls=fmt_int(now["girls"], lang),
                interval=interval,
            ),
            "inverse",
            note=t("common.srb", lang)
            + t("overview.srb_note", lang, interval=interval, births=fmt_int(est.births, lang)),
        )
    )
    share = _share(now)
    share_before = _share(before) if before else None
    kpis.append(
        Kpi(
            t("common.share_order3p", lang) + " (%)",
            fmt_num(share) if share is not None else t("common.not_enough", lang),
            _change(share, share_before, 1, t("overview.points", lang), relative=False),
            t(
                "overview.share_help",
                lang,
                n=fmt_int(now["births_order3p"], lang),
                total=fmt_int(now["births_order_known"], lang),
            ),
            "off",
        )
    )
    return kpis


def _share(row: dict) -> float | None:
    known = row["births_order_known"]
    return 100 * row["births_order3p"] / known if known >= MIN_BIRTHS_FOR_SHARE else None


def births_target_kpi(status: pl.DataFrame, months: int, lang: str) -> Kpi | None:
    """Townships meeting (or, in a partial year, on track for) their births target.

    ``status``: the scorecard's verdicts on the births indicator for the year (scoring.status_for),
    so the tile and the Scorecard page always agree. None when the year has no births targets.
    """
    judged = status.filter(pl.col("status") != "not_judged")
    if judged.is_empty():
        return None
    good = judged.filter(pl.col("status").is_in(["met", "on_track"])).height
    help_key = "overview.target_help_partial" if months < 12 else "overview.target_help"
    label_key = "overview.on_track_target" if months < 12 else "overview.meeting_target"
    return Kpi(t(label_key, lang), f"{good} / {judged.height}", None, t(help_key, lang, months=months))
