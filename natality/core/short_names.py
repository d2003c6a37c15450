"""Township names short enough for a chart's axis and labels, still told apart.

Offices' reports carry names of up to 100 characters ("XX镇（含原YY乡、ZZ乡合并…）"); on the
axis of a ranking chart such a name takes the plot's whole width, on a phone all of it. Charts
show a shortened name (``MAX_WIDTH`` display columns: a CJK character counts two, so 12 Chinese
characters or 24 Latin ones, ending with "…") on axes and point labels, while hovers and tables
keep the full name. Two townships whose shortened names collide get their code's township
digits appended (``[102]``), or the whole code where those repeat too, as ``srb.tables.unique_labels``
does for equal full names.

Vectorised polars, once per figure: no Python per township. The names are raw text: escape the
result for its sink (``literal.plot_series``) after shortening, never before (an entity such as
``&amp;`` must not be cut in half).
"""

from __future__ import annotations

import polars as pl

MAX_WIDTH = 24  # display columns: 12 CJK characters or 24 Latin ones, the "…" included
ELLIPSIS = "…"
# East Asian wide and fullwidth characters (Unicode's EastAsianWidth W and F): Hangul Jamo, CJK
# punctuation, kana, CJK ideographs and their extensions, Yi, Hangul syllables, compatibility
# ideographs, vertical and fullwidth forms ("（", "、", "，").
WIDE = (
    r"[\x{1100}-\x{115F}\x{2E80}-\x{303E}\x{3041}-\x{33FF}\x{3400}-\x{4DBF}\x{4E00}-\x{9FFF}"
    r"\x{A000}-\x{A4CF}\x{AC00}-\x{D7A3}\x{F900}-\x{FAFF}\x{FE30}-\x{FE4F}\x{FF00}-\x{FF60}"
    r"\x{FFE0}-\x{FFE6}\x{20000}-\x{3FFFD}]"
)
# Not left dangling before the "…": spaces, opening brackets and separators.
_DANGLING = " \t（(【[《<「『、，,;；:：-–—·/"


def _col(expr: pl.Expr | str) -> pl.Expr:
    return pl.col(expr) if isinstance(expr, str) else expr


def display_width(expr: pl.Expr | str) -> pl.Expr:
    """Columns a text takes: one per character, two per wide (CJK) character."""
    col = _col(expr)
    return (col.str.len_chars() + col.str.count_matches(WIDE)).cast(pl.Int64)


def shortened(expr: pl.Expr | str, max_width: int | pl.Expr = MAX_WIDTH) -> pl.Expr:
    """The text as it is when it is at most ``max_width`` columns wide (an expression: a width per
    row); else its longest start that leaves one column for "…" (spaces, opening brackets and
    separators at its end dropped), then "…"."""
    col = _col(expr)
    limit = max_width if isinstance(max_width, pl.Expr) else pl.lit(max_width, dtype=pl.Int64)
    # each character's width, added up along the text's first ``limit`` characters (no more can
    # fit, and a longer text is too wide whatever they are): only those are split, not all 100
    widths = col.str.head(limit).str.split("").list.eval((1 + pl.element().str.contains(WIDE).cast(pl.Int64)).cum_sum())
    too_wide = (col.str.len_chars() > limit) | (widths.list.last().fill_null(0) > limit)
    fits = (widths - (limit - 1)).list.eval(pl.element() <= 0).list.sum()
    head = col.str.head(fits).str.strip_chars_end(_DANGLING)
    return pl.when(too_wide).then(head + ELLIPSIS).otherwise(col)


def short_labels(names: pl.Series, codes: pl.Series, max_width: int = MAX_WIDTH) -> pl.Series:
    """``names`` shortened to ``max_width`` columns and unique: where shortened names repeat, each
    gets its code's township digits (``" [102]"``; the whole code where those repeat too or the
    code is shorter), its name shortened further so that the whole label keeps to ``max_width``.
    Raw text, aligned with ``names`` (a name missing is its code)."""
    frame = pl.DataFrame({"code": codes.cast(pl.String), "name": names.cast(pl.String)})
    frame = frame.with_columns(pl.col("name").fill_null(pl.col("code")))
    digits = pl.col("code").str.slice(6, 3)
    digits = pl.when(pl.col("code").str.len_chars() >= 9).then(digits).otherwise(pl.col("code"))

    def tagged(tag: pl.Expr) -> pl.Expr:
        suffix = " [" + tag + "]"
        return shortened("name", pl.lit(max_width, dtype=pl.Int64) - display_width(suffix)) + suffix

    labels = frame.select(label=shortened("name", max_width), name="name", code="code")
    # the rows whose labels repeat, tagged: once with the township digits, then with the whole code
    for tag in (digits, pl.col("code")):
        repeated = labels["label"].is_duplicated()
        if not repeated.any():
            break
        labels = labels.with_columns(label=pl.when(repeated).then(tagged(tag)).otherwise(pl.col("label")))
    return labels["label"].rename("label")
