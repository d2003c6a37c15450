"""Plain-language reasons for every verdict of the scorecard, in Chinese and English."""

from __future__ import annotations

import string
import threading
import weakref

import polars as pl

from natality.core.i18n import t
from natality.core.literal import md
from natality.scorecard.indicators import Indicator, Registry
from natality.scorecard.number_texts import format_numbers  # also reasons.format_numbers for the pages


def fmt_value(value: float | None, decimals: int) -> str:
    return "–" if value is None else f"{value:,.{decimals}f}"


def reason_text(ind: Indicator, row: dict, lang: str) -> str:
    """Why a township-year-indicator got its status, with the numbers that decided it."""
    code = row["reason_code"]
    dec = ind.decimals
    if code in ("no_target", "no_data"):
        return t(f"scorecard.reason.{code}", lang)
    if code == "small_denominator":
        return t(
            "scorecard.reason.small_denominator",
            lang,
            den=fmt_value(row["denominator"], 0),
            min=fmt_value(ind.min_denominator, 0),
        )
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
        prefix = t(
            f"scorecard.partial.{ind.partial_year}",
            lang,
            months=row["months"],
            annual=fmt_value(row["target_annual"], dec),
            target=fmt_value(row["target"], dec),
            share=f"{row['fraction']:.1%}",
            basis=_basis(row["months"], row["fraction"], lang),
        )
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


def sorted_by(frame: pl.DataFrame, *columns: str, nulls_last: bool = False) -> pl.DataFrame:
    """``frame.sort(*columns)``, the same order, with each text column replaced in the sort key by
    its place among its distinct values (sorting many rows on text keys is several times slower)."""
    keys = []
    for column in columns:
        if frame.schema[column] == pl.String:
            distinct = frame[column].drop_nulls().unique().sort()
            places = pl.Series(range(distinct.len()), dtype=pl.Int64)
            keys.append(pl.col(column).replace_strict(distinct, places, default=None, return_dtype=pl.Int64))
        else:
            keys.append(pl.col(column))
    return frame.sort(keys, nulls_last=nulls_last)


# The numbers of a scorecard's reasons are the same texts in both languages ("1,234.5"): formatted
# once per judged frame (the same object for both languages, ``scoring``), kept while it lives.
_NUMBER_TEXTS: dict[int, tuple[weakref.ref, dict]] = {}
_NUMBER_LOCK = threading.Lock()


def _numbers_once(judged: pl.DataFrame, key: tuple, make) -> pl.DataFrame:
    """``make()`` (number texts of some rows of ``judged``), computed once per frame and key."""
    with _NUMBER_LOCK:
        ident = id(judged)
        ref, kept = _NUMBER_TEXTS.get(ident, (None, None))
        if ref is None or ref() is not judged:
            kept = {}
            ref = weakref.ref(judged, lambda _, k=ident: _NUMBER_TEXTS.pop(k, None))
            _NUMBER_TEXTS[ident] = (ref, kept)
        if key in kept:
            return kept[key]
    numbers = make()
    with _NUMBER_LOCK:
        return kept.setdefault(key, numbers)


def fill(template: str, **fields: pl.Expr | str) -> pl.Expr:
    """``template.format(**fields)`` with columns for fields: one text per row."""
    parts: list[pl.Expr] = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        if literal:
            parts.append(pl.lit(literal))
        if name is not None:
            if spec or conversion:
                raise ValueError(f"message {template!r}: a field with a format spec cannot be filled from a column")
            value = fields[name]
            parts.append(pl.lit(value) if isinstance(value, str) else value)
    return pl.concat_str(parts) if parts else pl.lit("")


_POINT_CODES = ("point_met", "point_missed")
_INTERVAL_CODES = ("interval_met", "interval_noise", "interval_missed")


def reason_texts(judged: pl.DataFrame, registry: Registry, lang: str) -> pl.Series:
    """``reason_text`` of every row of ``judged`` at once (the same words and numbers, same order).

    Rows are taken in groups of reason codes that share their numbers (none; the denominator;
    value and target; value, target and interval): each group formats only what its messages show."""
    inds = registry.indicators
    by_ind = {
        "decimals": ({i.id: i.decimals for i in inds}, pl.Int32),
        # f"{value} {unit}".strip(): the value never ends in a space, so only the unit's end is stripped.
        "unit_tail": ({i.id: f" {i.unit[lang]}".rstrip() for i in inds}, pl.String),
        "min_text": ({i.id: fmt_value(i.min_denominator, 0) for i in inds}, pl.String),
        "partial_year": ({i.id: i.partial_year for i in inds}, pl.String),
    }
    frame = judged.with_row_index("_row")
    code = pl.col("reason_code")
    texts = [
        frame.filter(code.is_in(["no_target", "no_data"])).select(
            "_row",
            reason=pl.when(code == "no_target")
            .then(pl.lit(t("scorecard.reason.no_target", lang)))
            .otherwise(pl.lit(t("scorecard.reason.no_data", lang))),
        )
    ]
    frame = frame.filter(code.is_in(["small_denominator", *_POINT_CODES, *_INTERVAL_CODES])).with_columns(
        pl.col("indicator").replace_strict(mapping, return_dtype=dtype).alias(name)
        for name, (mapping, dtype) in by_ind.items()
    )
    small = frame.filter(code == "small_denominator")
    decimals = tuple(sorted(by_ind["decimals"][0].items()))
    den = _numbers_once(judged, ("small", decimals), lambda: format_numbers(small, {"den_s": ("denominator", 0)}))
    small = pl.concat([small, den], how="horizontal")
    message = t("scorecard.reason.small_denominator", lang)
    texts.append(small.select("_row", reason=fill(message, den=pl.col("den_s"), min=pl.col("min_text"))))
    for codes in (_POINT_CODES, _INTERVAL_CODES):
        part = frame.filter(code.is_in(codes))
        numbers = _numbers_once(judged, (codes, decimals), lambda part=part, codes=codes: _judged_numbers(part, codes))
        texts.append(_judged_texts(pl.concat([part, numbers], how="horizontal"), codes, lang))
    out = pl.concat(texts).sort("_row")
    if out.height != judged.height:  # a reason code without a message, as reason_text would say
        unknown = set(judged["reason_code"].unique()) - {
            "no_target",
            "no_data",
            "small_denominator",
            *_POINT_CODES,
            *_INTERVAL_CODES,
        }
        raise KeyError(f"scorecard.reason.{sorted(unknown, key=str)[0]}")
    return out["reason"]


def _judged_numbers(part: pl.DataFrame, codes: tuple[str, ...]) -> pl.DataFrame:
    """value_s, target_s, annual_s (a partial year's annual target), and low_s, high_s for the
    interval codes: the numbers of judged rows (codes of one group) as text, in any language."""
    annual = part.select(_annual=pl.when(pl.col("months") < 12).then(pl.col("target_annual")))
    shown = {"value_s": "value", "target_s": "target", "annual_s": "_annual"}
    shown |= {"low_s": "low", "high_s": "high"} if codes == _INTERVAL_CODES else {}
    return format_numbers(part.with_columns(annual), {out: (column, "decimals") for out, column in shown.items()})


def _judged_texts(part: pl.DataFrame, codes: tuple[str, ...], lang: str) -> pl.DataFrame:
    """_row, reason for judged rows (codes of one group, with ``_judged_numbers``' columns): value
    against target, and for a partial year the pro-rating first."""
    interval = codes == _INTERVAL_CODES
    partial = pl.col("months") < 12
    verdicts = {s: t(f"scorecard.verdict.{s}", lang) for s in ("met", "missed", "on_track", "at_risk")}
    fields = {
        "value": pl.concat_str("value_s", "unit_tail"),
        "target": pl.col("target_s"),
        "op": pl.when(pl.col("direction") == "higher").then(pl.lit("≥")).otherwise(pl.lit("≤")),
        "verdict": pl.col("status").replace_strict(verdicts, default=None, return_dtype=pl.String),
    }
    fields |= {"low": pl.col("low_s"), "high": pl.col("high_s")} if interval else {}
    code = pl.col("reason_code")
    main = pl.when(False).then(pl.lit(""))
    for name in codes:
        main = main.when(code == name).then(fill(t(f"scorecard.reason.{name}", lang), **fields))
    # A partial year's verdict starts with how its target or value was pro-rated.
    prefix = pl.when(False).then(pl.lit(""))
    for partial_year, months, fraction in (
        part.filter(partial).select("partial_year", "months", "fraction").unique().rows()
    ):
        message = t(f"scorecard.partial.{partial_year}", lang)
        basis = _basis(months, fraction, lang)
        text = fill(
            message,
            months=str(months),
            annual=pl.col("annual_s"),
            target=pl.col("target_s"),
            share=f"{fraction:.1%}",
            basis=basis,
        )
        same = (pl.col("partial_year") == partial_year) & (pl.col("months") == months)
        prefix = prefix.when(partial & same & (pl.col("fraction") == fraction)).then(text)
    return part.select("_row", reason=pl.concat_str(prefix.otherwise(pl.lit("")), main))


def veto_texts(judged: pl.DataFrame, registry: Registry, lang: str) -> pl.DataFrame:
    """township_code, year, veto_reason (missed veto indicators), veto_risk (at risk, partial year).

    ``judged`` may carry its ``reason`` column already (``reason_texts``); the indicators of one
    township-year are listed in ``judged``'s row order."""
    flagged = judged.filter(pl.col("veto") & pl.col("status").is_in(["missed", "at_risk"]))
    if "reason" not in flagged.columns:
        flagged = flagged.with_columns(reason=reason_texts(flagged, registry, lang))
    names = {ind.id: ind.name[lang] for ind in registry.indicators}
    colon = "：" if lang == "zh" else ": "
    sep = "；" if lang == "zh" else "; "
    flagged = flagged.select(
        "township_code",
        "year",
        "status",
        text=pl.concat_str(pl.col("indicator").replace_strict(names, return_dtype=pl.String), pl.lit(colon), "reason"),
    )
    keys = ["township_code", "year"]
    parts = []
    for status, column, prefix in (
        ("missed", "veto_reason", "scorecard.veto_prefix"),
        ("at_risk", "veto_risk_reason", "scorecard.veto_risk_prefix"),
    ):
        joined = (
            flagged.filter(pl.col("status") == status)
            .group_by(keys, maintain_order=True)
            .agg(pl.col("text").str.join(sep))
        )
        parts.append(joined.select(*keys, pl.concat_str(pl.lit(t(prefix, lang)), "text").alias(column)))
    schema = {"township_code": pl.String, "year": pl.Int32, "veto_reason": pl.String, "veto_risk_reason": pl.String}
    return parts[0].join(parts[1], on=keys, how="full", coalesce=True).select(list(schema)).cast(schema)


def status_table(judged: pl.DataFrame, towns: pl.DataFrame, registry: Registry, lang: str) -> pl.DataFrame:
    """The verdicts with the township's name, the indicator's name and the reason in ``lang``."""
    order = {ind.id: i for i, ind in enumerate(registry.indicators)}
    names = {ind.id: ind.name[lang] for ind in registry.indicators}
    if "reason" not in judged.columns:
        judged = judged.with_columns(reason=reason_texts(judged, registry, lang))
    return (
        judged.with_columns(
            indicator_name=pl.col("indicator").replace_strict(names, return_dtype=pl.String),
            indicator_order=pl.col("indicator").replace_strict(order, return_dtype=pl.Int32),
        )
        .join(towns, on="township_code", how="left")
        .pipe(sorted_by, "year", "township_code", "indicator_order")
        .select(
            "year",
            "township_code",
            "township_name",
            "indicator",
            "indicator_name",
            "value",
            "target",
            "denominator",
            "status",
            "reason",
            "low",
            "high",
            "target_annual",
            "numerator",
            "direction",
            "achievement",
            "reason_code",
            "weight",
            "veto",
            "months",
            "credit",
        )
    )


def card_table(scored: pl.DataFrame, judged: pl.DataFrame, towns: pl.DataFrame, registry: Registry, lang: str):
    """Scores with names, class labels and veto reasons in ``lang``, best rank first."""
    labels = {c.id: c.name[lang] for c in registry.classes}
    return (
        towns.join(scored, on="township_code", how="inner")
        .join(veto_texts(judged, registry, lang), on=["township_code", "year"], how="left")
        .with_columns(class_label=pl.col("class").replace_strict(labels, default=None, return_dtype=pl.String))
        .pipe(sorted_by, "year", "rank", "township_code", nulls_last=True)
        .select(
            "year",
            "township_code",
            "township_name",
            "score",
            "rank",
            "class",
            "vetoed",
            "veto_reason",
            "rank_change",
            "prev_rank",
            "class_label",
            "n_judged",
            "n_met",
            "veto_risk_reason",
            "tied",
            "rank_low",
            "rank_high",
            "prev_rank_low",
            "prev_rank_high",
            "rank_change_sure",
        )
    )


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
            sep = "：" if lang == "zh" else ": "  # name and reason are plain text: escaped for Markdown
            lines += [f"- {md(r['township_name'])}{sep}{md(r[column])}" for r in rows.iter_rows(named=True)]
    return "\n".join(lines)
