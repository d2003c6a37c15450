"""Plain-language reasons for every verdict of the scorecard, in Chinese and English."""

from __future__ import annotations

import polars as pl

from natality.core.i18n import t
from natality.scorecard.indicators import Indicator, Registry


def fmt_value(value: float | None, decimals: int) -> str:
    return "–" if value is None else f"{value:,.{decimals}f}"


def reason_text(ind: Indicator, row: dict, lang: str) -> str:
    """Why a township-year-indicator got its status, with the numbers that decided it."""
    code = row["reason_code"]
    dec = ind.decimals
    if code in ("no_target", "no_data"):
        return t(f"scorecard.reason.{code}", lang)
    if code == "small_denominator":
        return t("scorecard.reason.small_denominator", lang, den=fmt_value(row["denominator"], 0),
                 min=fmt_value(ind.min_denominator, 0))  # fmt: skip
    unit = ind.unit[lang]
    text = t(
        f"scorecard.reason.{code}",
        lang,
        value=f"{fmt_value(row['value'], dec)} {unit}".strip(),
        target=fmt_value(row["target"], dec),
        low=fmt_value(row["low"], dec),
        high=fmt_value(row["high"], dec),
        op="≥" if row["direction"] == "higher" else "≤",
        verdict=t(f"scorecard.verdict.{row['status']}", lang),
    )
    if row["months"] < 12:
        prefix = t(f"scorecard.partial.{ind.partial_year}", lang, months=row["months"],
                   annual=fmt_value(row["target_annual"], dec), target=fmt_value(row["target"], dec),
                   share=f"{row['fraction']:.1%}", basis=_basis(row["months"], row["fraction"], lang))  # fmt: skip
        text = prefix + text
    return text


def _basis(months: int, fraction: float, lang: str) -> str:
    seasonal = abs(fraction - months / 12) > 1e-9
    return t(f"scorecard.partial.basis_{'seasonal' if seasonal else 'linear'}", lang, months=months)


def basis_text(months: int, fraction: float, lang: str) -> str:
    """How a partial year is pro-rated, for the rules and the page note."""
    seasonal = abs(fraction - months / 12) > 1e-9
    key = "scorecard.rules.basis_seasonal" if seasonal else "scorecard.rules.basis_linear"
    return t(key, lang, months=months, share=f"{fraction:.1%}")


def veto_texts(judged: pl.DataFrame, registry: Registry, lang: str) -> pl.DataFrame:
    """township_code, year, veto_reason (missed veto indicators), veto_risk (at risk, partial year)."""
    rows: dict[tuple[str, int], dict[str, list[str]]] = {}
    flagged = judged.filter(pl.col("veto") & pl.col("status").is_in(["missed", "at_risk"]))
    for row in flagged.iter_rows(named=True):
        ind = registry.indicator(row["indicator"])
        entry = rows.setdefault((row["township_code"], row["year"]), {"missed": [], "at_risk": []})
        colon = "：" if lang == "zh" else ": "
        entry[row["status"]].append(f"{ind.name[lang]}{colon}{reason_text(ind, row, lang)}")
    sep = "；" if lang == "zh" else "; "
    out = [
        {
            "township_code": code,
            "year": year,
            "veto_reason": t("scorecard.veto_prefix", lang) + sep.join(e["missed"]) if e["missed"] else None,
            "veto_risk_reason": t("scorecard.veto_risk_prefix", lang) + sep.join(e["at_risk"])
            if e["at_risk"]
            else None,
        }
        for (code, year), e in rows.items()
    ]
    schema = {
        "township_code": pl.String,
        "year": pl.Int32,
        "veto_reason": pl.String,
        "veto_risk_reason": pl.String,
    }
    return pl.DataFrame(out, schema=schema)


def status_table(judged: pl.DataFrame, towns: pl.DataFrame, registry: Registry, lang: str) -> pl.DataFrame:
    """The verdicts with the township's name, the indicator's name and the reason in ``lang``."""
    order = {ind.id: i for i, ind in enumerate(registry.indicators)}
    texts = [reason_text(registry.indicator(r["indicator"]), r, lang) for r in judged.iter_rows(named=True)]
    names = {ind.id: ind.name[lang] for ind in registry.indicators}
    return (
        judged.with_columns(
            reason=pl.Series(texts, dtype=pl.String),
            indicator_name=pl.col("indicator").replace_strict(names, return_dtype=pl.String),
            indicator_order=pl.col("indicator").replace_strict(order, return_dtype=pl.Int32),
        )
        .join(towns, on="township_code", how="left")
        .sort("year", "township_code", "indicator_order")
        .select("year", "township_code", "township_name", "indicator", "indicator_name", "value", "target",
                "denominator", "status", "reason", "low", "high", "target_annual", "numerator", "direction",
                "achievement", "reason_code", "weight", "veto", "months")
    )  # fmt: skip


def card_table(scored: pl.DataFrame, judged: pl.DataFrame, towns: pl.DataFrame, registry: Registry, lang: str):
    """Scores with names, class labels and veto reasons in ``lang``, best rank first."""
    labels = {c.id: c.name[lang] for c in registry.classes}
    return (
        towns.join(scored, on="township_code", how="inner")
        .join(veto_texts(judged, registry, lang), on=["township_code", "year"], how="left")
        .with_columns(class_label=pl.col("class").replace_strict(labels, default=None, return_dtype=pl.String))
        .sort("year", "rank", "township_code", nulls_last=True)
        .select("year", "township_code", "township_name", "score", "rank", "class", "vetoed", "veto_reason",
                "rank_change", "prev_rank", "class_label", "n_judged", "n_met", "veto_risk_reason")
    )  # fmt: skip


def rules_markdown(registry: Registry, lang: str, months: int = 12, fraction: float | None = None) -> str:
    """The scoring rules in plain words, generated from the registry so they never drift from it."""
    classes = "；".join if lang == "zh" else "; ".join
    items = [t("scorecard.rules.class_item", lang, name=c.name[lang], min=f"{c.min_score:g}") for c in registry.classes]
    if len(registry.classes) > 1:  # the last class starts at 0: say "below the one above" instead
        last, above = registry.classes[-1], registry.classes[-2]
        items[-1] = t("scorecard.rules.class_last", lang, name=last.name[lang], max=f"{above.min_score:g}")
    class_text = classes(items)
    vetoes = [ind.name[lang] for ind in registry.indicators if ind.veto]
    intervals = [ind.name[lang] for ind in registry.indicators if ind.judge == "interval"]
    sep = "、" if lang == "zh" else ", "
    lines = [
        t(f"scorecard.rules.credit_{registry.credit}", lang),
        t("scorecard.rules.not_judged", lang),
        t("scorecard.rules.interval", lang, names=sep.join(intervals)) if intervals else "",
        t(
            "scorecard.rules.veto",
            lang,
            names=sep.join(vetoes),
            veto_class=registry.score_class(registry.veto_class).name[lang],
        )
        if vetoes
        else "",
        t("scorecard.rules.classes", lang, classes=class_text),
        t("scorecard.rules.rank", lang),
        t("scorecard.rules.partial", lang, months=months, basis=basis_text(months, fraction or months / 12, lang))
        if months < 12
        else "",
    ]
    head = t("scorecard.rules.table_head", lang)
    rows = []
    for ind in registry.indicators:
        directions = sep.join(
            (f"{year}–: " if len(ind.directions) > 1 else "") + t(f"scorecard.rules.direction_{d}", lang)
            for year, d in ind.directions
        )
        rows.append(
            f"| {ind.name[lang]} | {ind.unit[lang]} | {directions} | {ind.weight:g} | "
            f"{t(f'scorecard.rules.judge_{ind.judge}', lang)} | {ind.min_denominator:,.0f} | "
            f"{t('scorecard.rules.yes' if ind.veto else 'scorecard.rules.no', lang)} |"
        )
    return "\n".join(f"- {line}" for line in lines if line) + "\n\n" + head + "\n" + "\n".join(rows)


def summary_text(card: pl.DataFrame, registry: Registry, period: str, lang: str) -> str:
    """'2019年：19 个乡镇参评，3 个被一票否决；先进 0，合格 6，…'."""
    scored = card.filter(pl.col("score").is_not_null())
    counts = dict(scored.group_by("class").len().iter_rows())
    sep = "，" if lang == "zh" else ", "
    classes = sep.join(f"{c.name[lang]} {counts.get(c.id, 0)}" for c in registry.classes)
    return t(
        "scorecard.summary", lang, period=period, n=scored.height, vetoed=int(scored["vetoed"].sum()), classes=classes
    )


def veto_markdown(card: pl.DataFrame, lang: str) -> str:
    """The vetoed townships (or, in a partial year, those at risk of a veto) with their reasons."""
    lines = []
    for key, column in (("scorecard.vetoed_list", "veto_reason"), ("scorecard.veto_risk_list", "veto_risk_reason")):
        rows = card.filter(pl.col(column).is_not_null())
        prefix = t("scorecard.veto_prefix" if column == "veto_reason" else "scorecard.veto_risk_prefix", lang)
        rows = rows.with_columns(pl.col(column).str.strip_prefix(prefix))
        if rows.height:
            lines.append(f"**{t(key, lang, n=rows.height)}**")
            lines += [f"- {r['township_name']}：{r[column]}" if lang == "zh" else f"- {r['township_name']}: {r[column]}"
                      for r in rows.iter_rows(named=True)]  # fmt: skip
    return "\n".join(lines)
