"""The scorecard table: townships x indicators with traffic lights, for the page and for Excel.

Cells keep their numbers (so the table sorts by value) and show a mark, the value and the target
("✓ 1,234 (≤ 1,300)"); the background colour repeats the verdict for those who can see it.
pandas appears only here: Streamlit colours table cells through a pandas Styler.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence

import pandas as pd
import polars as pl
import xlsxwriter

from natality.core.i18n import t
from natality.scorecard import reasons
from natality.scorecard.charts import STATUS_FILL, STATUS_MARK
from natality.scorecard.indicators import Registry


def _num(value: float | None, decimals: int) -> str:
    return "" if value is None or value != value else f"{value:,.{decimals}f}"


def cell_text(status: str | None, value: float | None, target: float | None, direction: str | None, decimals: int):
    """'✓ 1,234 (≤ 1,300)': verdict mark, value, and the target with its direction."""
    mark = STATUS_MARK.get(status or "not_judged", "–")
    op = "≥" if direction == "higher" else "≤"
    tail = f" ({op} {_num(target, decimals)})" if target is not None and target == target else ""
    return f"{mark} {_num(value, decimals) or '–'}{tail}"


def rank_text(
    rank: int | None,
    change: int | None,
    lang: str = "en",
    low: int | None = None,
    high: int | None = None,
    sure: bool | None = None,
    tied: bool = False,
) -> str:
    """'3 (1–7)': the rank and its 90 % interval; '=3 (1–7)' (并列3) when shared; then '▲2' / '▼1'
    for a move the intervals confirm, '≈' for a move within chance, '＝' for the same place."""
    if rank is None or rank != rank:
        return "–"
    place = t("scorecard.rank_tied", lang, rank=int(rank)) if tied else f"{int(rank)}"
    if low is not None and high is not None and low == low and high == high:
        place += f" ({int(low)}–{int(high)})"
    if change is None or change != change:
        return place
    if change == 0:
        return f"{place} ＝"
    if sure is False:
        return f"{place} ≈"
    return f"{place} {'▲' if change > 0 else '▼'}{abs(int(change))}"


def wide_table(card: pl.DataFrame, status: pl.DataFrame, registry: Registry) -> pl.DataFrame:
    """One row per township in rank order: scores, then value / target / status / direction per indicator."""
    ids = [ind.id for ind in registry.indicators if ind.id in set(status["indicator"].to_list())]
    wide = card.select(
        "township_code",
        "township_name",
        "score",
        "rank",
        "rank_change",
        "class",
        "class_label",
        "vetoed",
        pl.coalesce("veto_reason", "veto_risk_reason").alias("veto_reason"),
        "tied",
        "rank_low",
        "rank_high",
        "rank_change_sure",
    )
    for ind_id in ids:
        part = status.filter(pl.col("indicator") == ind_id).select(
            "township_code",
            pl.col("value").alias(f"{ind_id}__value"),
            pl.col("target").alias(f"{ind_id}__target"),
            pl.col("status").alias(f"{ind_id}__status"),
            pl.col("direction").alias(f"{ind_id}__direction"),
        )
        wide = wide.join(part, on="township_code", how="left")
    return wide


def indicator_ids(wide: pl.DataFrame) -> list[str]:
    return [c.removesuffix("__value") for c in wide.columns if c.endswith("__value")]


def headers(registry: Registry, lang: str) -> dict[str, str]:
    """Display header per wide-table column that is shown."""
    out = {
        "township_name": t("common.township", lang),
        "score": t("scorecard.score", lang),
        "rank": t("scorecard.rank", lang),
        "class_label": t("scorecard.class", lang),
        "veto_reason": t("scorecard.veto", lang),
    }
    for ind in registry.indicators:
        out[f"{ind.id}__value"] = f"{ind.name[lang]} ({ind.unit[lang]})"
    return out


def rank_texts(card: pl.DataFrame, lang: str) -> pl.Series:
    """``rank_text`` of every row of ``card`` (rank, rank_change, rank_low, rank_high,
    rank_change_sure, tied), over whole columns."""
    rank, change, sure = pl.col("rank"), pl.col("rank_change"), pl.col("rank_change_sure")
    whole = rank.cast(pl.Int64).cast(pl.String)
    before, after = t("scorecard.rank_tied", lang, rank="\0").split("\0")
    place = pl.when(pl.col("tied")).then(pl.concat_str(pl.lit(before), whole, pl.lit(after))).otherwise(whole)
    interval = pl.concat_str(
        pl.lit(" ("), pl.col("rank_low").cast(pl.String), pl.lit("–"), pl.col("rank_high").cast(pl.String), pl.lit(")")
    )
    place = pl.concat_str(place, interval.fill_null(""))
    step = pl.concat_str(pl.when(change > 0).then(pl.lit("▲")).otherwise(pl.lit("▼")), change.abs().cast(pl.String))
    mark = pl.when(change == 0).then(pl.lit("＝")).when(sure.eq(False)).then(pl.lit("≈")).otherwise(step)
    text = pl.when(rank.is_null()).then(pl.lit("–")).when(change.is_null()).then(place)
    text = text.otherwise(pl.concat_str(place, pl.lit(" "), mark))
    return card.select(text.alias("rank"))["rank"]


def cell_texts(wide: pl.DataFrame, registry: Registry) -> pl.DataFrame:
    """``cell_text`` of every indicator cell of the wide table, one ``<id>__text`` column each."""
    ids = indicator_ids(wide)
    frame = wide.select(pl.col(f"{i}__{part}").fill_nan(None) for i in ids for part in ("value", "target"))
    numbers = reasons.format_numbers(
        frame,
        {f"{i}__{part}": (f"{i}__{part}", registry.indicator(i).decimals) for i in ids for part in ("value", "target")},
    )
    out = []
    for i in ids:
        status = pl.col(f"{i}__status").fill_null("not_judged")
        mark = status.replace_strict(STATUS_MARK, default="–", return_dtype=pl.String)
        op = pl.when(pl.col(f"{i}__direction") == "higher").then(pl.lit("≥")).otherwise(pl.lit("≤"))
        target = pl.col(f"{i}__target").fill_nan(None)
        tail = pl.when(target.is_not_null()).then(
            pl.concat_str(pl.lit(" ("), op, pl.lit(" "), f"_{i}__target", pl.lit(")"))
        )
        text = pl.concat_str(mark, pl.lit(" "), f"_{i}__value", tail.fill_null(""))
        out.append(text.alias(f"{i}__text"))
    shown = numbers.rename(lambda c: f"_{c}")
    return pl.concat([wide, shown], how="horizontal").select(out)


def _shown(text: str, _value: object) -> str:
    return text


def _set_texts(styler, texts: dict[str, list[str]]):
    """Each cell of the named columns shows its text; the number stays underneath (for sorting)."""
    funcs = getattr(styler, "_display_funcs", None)
    if isinstance(funcs, dict):  # pandas keeps one display function per (row, column) position
        for c, column in enumerate(styler.data.columns):
            if column in texts:
                funcs.update({(r, c): functools.partial(_shown, text) for r, text in enumerate(texts[column])})
        return styler
    for column, column_texts in texts.items():  # the public way, one cell at a time (slow)
        for r, text in enumerate(column_texts):
            styler = styler.format(functools.partial(_shown, text), subset=([styler.data.index[r]], [column]))
    return styler


def styled_table(wide: pl.DataFrame, registry: Registry, lang: str, extra: Sequence[str] = ()):
    """A pandas Styler for st.dataframe: traffic-light backgrounds and marked cell texts; the
    columns ``extra`` of ``wide`` (already named for display) after the indicators."""
    ids = indicator_ids(wide)
    head = headers(registry, lang)
    shown = ["township_name", "score", "rank", "class_label", *[f"{i}__value" for i in ids], *extra, "veto_reason"]
    # An empty string, not None: Streamlit shows a None cell as "None" whatever the Styler says.
    frame = wide.with_columns(pl.col("veto_reason").fill_null(""))
    view = frame.select(shown).to_pandas().rename(columns=head)
    styler = view.style.format(precision=1, na_rep="–", subset=[head["score"]])
    texts = cell_texts(wide, registry)
    ranks = rank_texts(wide, lang)
    cells = {head["rank"]: ranks.to_list()} | {head[f"{i}__value"]: texts[f"{i}__text"].to_list() for i in ids}
    styler = _set_texts(styler, cells)
    fills = {s: f"background-color: {colour}; color: #1F2933" for s, colour in STATUS_FILL.items()}
    css = wide.select(
        pl.col(f"{i}__status")
        .fill_null("not_judged")
        .replace_strict(fills, return_dtype=pl.String)
        .alias(head[f"{i}__value"])
        for i in ids
    ).to_pandas()
    styles = pd.DataFrame("", index=view.index, columns=view.columns)
    for column in css.columns:  # one column per indicator
        styles[column] = css[column].to_numpy()
    return styler.apply(lambda _: styles, axis=None)


def excel_bytes(wide: pl.DataFrame, registry: Registry, lang: str, title: str, footnote: str) -> bytes:
    """The scorecard as .xlsx with coloured verdict cells: value (with its mark) and target per indicator."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(t("scorecard.sheet", lang))
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1, "bg_color": "#F5F7FA"})
    plain = book.add_format({"border": 1})
    score_fmt = book.add_format({"border": 1, "num_format": "0.0"})
    wrap = book.add_format({"border": 1, "text_wrap": True})
    status_formats: dict[tuple[str, int], object] = {}
    target_formats = {
        d: book.add_format({"border": 1, "num_format": "#,##0" + ("." + "0" * d if d else "")}) for d in range(7)
    }

    def fmt(status: str, decimals: int):
        key = (status, decimals)
        if key not in status_formats:
            digits = "#,##0" + ("." + "0" * decimals if decimals else "")
            status_formats[key] = book.add_format(
                {"border": 1, "bg_color": STATUS_FILL[status], "num_format": f'"{STATUS_MARK[status]} "{digits}'}
            )
        return status_formats[key]

    sheet.write(0, 0, title, book.add_format({"bold": True, "font_size": 14}))
    head = headers(registry, lang)
    cols = ["township_name", "score", "rank", "class_label"]
    names = [head[c] for c in cols] + [t("scorecard.rank_change", lang)]
    for ind_id in indicator_ids(wide):
        names += [head[f"{ind_id}__value"], f"{registry.indicator(ind_id).name[lang]} {t('scorecard.target', lang)}"]
    names.append(head["veto_reason"])
    for c, name in enumerate(names):
        sheet.write(2, c, name, bold)
    for r, row in enumerate(wide.iter_rows(named=True), start=3):
        sheet.write(r, 0, row["township_name"], plain)
        sheet.write(r, 1, row["score"], score_fmt) if row["score"] is not None else sheet.write_blank(r, 1, None, plain)
        rank = rank_text(
            row["rank"],
            row["rank_change"],
            lang,
            row["rank_low"],
            row["rank_high"],
            row["rank_change_sure"],
            row["tied"],
        )
        sheet.write(r, 2, rank, plain)
        sheet.write(r, 3, row["class_label"] or "", plain)
        sheet.write(r, 4, row["rank_change"], plain) if row["rank_change"] is not None else sheet.write_blank(
            r, 4, None, plain
        )
        c = 5
        for ind_id in indicator_ids(wide):
            ind = registry.indicator(ind_id)
            status = row[f"{ind_id}__status"] or "not_judged"
            value, target = row[f"{ind_id}__value"], row[f"{ind_id}__target"]
            cell = fmt(status, ind.decimals)
            sheet.write(r, c, value, cell) if value is not None else sheet.write(r, c, STATUS_MARK[status], cell)
            sheet.write(r, c + 1, target, target_formats[ind.decimals]) if target is not None else sheet.write_blank(
                r, c + 1, None, plain
            )
            c += 2
        sheet.write(r, c, row["veto_reason"] or "", wrap)
    last = 3 + wide.height + 1
    sheet.write(last, 0, legend(lang))
    sheet.write(last + 1, 0, footnote)
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, len(names) - 2, 12)
    sheet.set_column(len(names) - 1, len(names) - 1, 60)
    sheet.freeze_panes(3, 1)
    book.close()
    return buffer.getvalue()


def legend(lang: str) -> str:
    """'✓ met (blue) · ✗ missed (orange) · ...' in ``lang``."""
    return " · ".join(t(f"scorecard.legend.{s}", lang) for s in ("met", "missed", "not_judged", "on_track", "at_risk"))


def verdict_table(status: pl.DataFrame, lang: str, with_year: bool = False) -> pl.DataFrame:
    """The verdicts as a readable table: township, indicator, verdict (mark + word), reason, points
    earned and the indicator's weight."""
    labels = {s: t(f"scorecard.status.{s}", lang) for s in STATUS_MARK}
    cols = [pl.col("year").alias(t("scorecard.col.year", lang))] if with_year else []
    return status.select(
        *cols,
        pl.col("township_name").alias(t("common.township", lang)),
        pl.col("indicator_name").alias(t("scorecard.col.indicator", lang)),
        pl.col("status").replace_strict(labels, return_dtype=pl.String).alias(t("scorecard.col.status", lang)),
        pl.col("reason").alias(t("scorecard.col.reason", lang)),
        # Points earned of the indicator's weight (partial for a miss under proportional credit).
        pl.when(pl.col("status").is_in(["met", "missed", "on_track", "at_risk"]))
        .then((pl.col("weight") * pl.col("credit")).round(1))
        .alias(t("scorecard.col.points", lang)),
        pl.col("weight").alias(t("scorecard.col.weight", lang)),
    )


def bump_highlight(card: pl.DataFrame, n: int = 3) -> list[str]:
    """The year's top ``n`` and bottom ``n`` townships by rank (codes), for the bump chart."""
    ranked = card.filter(pl.col("rank").is_not_null()).sort("rank", "township_code")
    codes = ranked["township_code"].to_list()
    return codes[:n] + [c for c in codes[-n:] if c not in codes[:n]]


def profile_summary(card: pl.DataFrame, year: int, lang: str) -> tuple[str, str, str, str | None]:
    """(score, rank with arrow, class, veto text or None) of one township's ``year``, as shown."""
    row = card.filter(pl.col("year") == year)
    if row.is_empty() or row["score"][0] is None:
        return t("scorecard.not_scored", lang), "–", "–", None
    r = row.row(0, named=True)
    return (
        f"{r['score']:.1f}",
        rank_text(r["rank"], r["rank_change"], lang, r["rank_low"], r["rank_high"], r["rank_change_sure"], r["tied"]),
        r["class_label"],
        r["veto_reason"] or r["veto_risk_reason"],
    )


def formed_from_text(rows: pl.DataFrame, lang: str) -> str | None:
    """'2021年由甲镇和乙乡合并（调整）而成…' from township_formed_from rows; None when the township
    was not formed from others. A part of a split township reads '60% of 甲镇'."""
    if rows.is_empty():
        return None
    parts = []
    for name, share in rows.select("old_name", "share").iter_rows():
        if share < 1:
            name = t("scorecard.formed_part", lang, name=name, pct=f"{100 * share:.0f}%")
        parts.append(name)
    joined = "、".join(parts[:-1]) + "和" + parts[-1] if lang == "zh" else ", ".join(parts[:-1]) + " and " + parts[-1]
    return t(
        "scorecard.formed_from", lang, year=int(rows["from_year"].max()), parts=joined if len(parts) > 1 else parts[0]
    )
