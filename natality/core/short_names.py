"""Township names short enough for a chart's axis and labels, still told apart.

Offices' reports carry names of up to 100 characters ("XX镇（含原YY乡、ZZ乡合并…）"); on the
axis of a ranking chart such a name takes the plot's whole width, on a phone all of it. Charts
show a shortened name (``MAX_WIDTH`` display columns: a CJK character counts two, so 12 Chinese
characters or 24 Latin ones, ending with "…") on axes and point labels, while hovers and tables
keep the full name. When a chart's names do not all fit, their generic suffixes ("Town", 镇;
``bare_names``) go first, from every name whose bare name stays unique in the chart (so that
they read alike), and only names still too wide are cut. Two townships whose shortened names
collide, or read alike (a cut one starting another), get their code's township digits appended
(``[102]``), or the whole code where those repeat too, as ``srb.tables.unique_labels`` does for
equal full names.

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
# A township's generic suffix: English ones after a space, Chinese ones (DOMAIN.md: 城关镇, 王店乡).
SUFFIX = r"(?i)\s+(?:sub-?district|township|town|street)$|(?:街道|镇|乡)$"
# A region's generic suffix, on the parent named in brackets after a repeated name ("Chengguan Town
# (Xingkang District)", 城关镇（兴康区）: core.db's township_name).
PARENT_SUFFIX = r"(?i)\s+(?:district|county|city|banner)$|(?:区|县|市|旗)$"
# A name and its parent: the bracket ends the name and holds a short text without brackets (a
# 100-character note in brackets is no parent: it is cut as any long name).
WITH_PARENT = r"^(.+?)(\s?[（(])([^（）()]{1,24})([）)])$"
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


def _bare(col: pl.Expr, suffix: str) -> pl.Expr:
    bare = col.str.replace(suffix, "").str.strip_chars_end(_DANGLING)
    return pl.when((bare != col) & (bare.str.len_chars() >= 2)).then(bare)


PARTS = ("core", "opening", "parent", "closing")


def _parts(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """``frame`` with a column's name and parent (``WITH_PARENT``) as columns of their own: the
    regular expression runs once, not once per use (polars does not share it between them)."""
    groups = pl.col(column).str.extract_groups(WITH_PARENT).struct.rename_fields(list(PARTS))
    return frame.with_columns(groups.alias("_parts")).unnest("_parts")


def _bare_of_parts(name: str) -> pl.Expr:
    """``bare_names`` of column ``name``, its parts (``_parts``) in columns."""
    core, opening, parent, closing = (pl.col(c) for c in PARTS)
    bare_core, bare_parent = _bare(core, SUFFIX), _bare(parent, PARENT_SUFFIX)
    both = bare_core.fill_null(core) + opening + bare_parent.fill_null(parent) + closing
    with_parent = pl.when(bare_core.is_not_null() | bare_parent.is_not_null()).then(both)
    return pl.when(core.is_not_null()).then(with_parent).otherwise(_bare(pl.col(name), SUFFIX))


def bare_names(expr: pl.Expr | str) -> pl.Expr:
    """The name without its generic suffix ("Zhangzhuang Town" -> "Zhangzhuang", 城关镇 -> 城关):
    English "Town", "Township", "Subdistrict", "Sub-district", "Street" after a space (any case),
    Chinese 镇, 乡, 街道. A repeated name with its parent in brackets loses the parent's suffix
    too ("Chengguan Town (Xingkang District)" -> "Chengguan (Xingkang)", 城关镇（兴康区）->
    城关（兴康）). Null where no suffix ends the name (or its part before the parent) or the rest
    would be shorter than two characters (乡 alone, 城镇 -> 城: too short to be told apart)."""
    col = _col(expr)
    parts = col.str.extract_groups(WITH_PARENT)
    core, opening, parent, closing = (parts.struct.field(str(i)) for i in range(1, 5))
    bare_core, bare_parent = _bare(core, SUFFIX), _bare(parent, PARENT_SUFFIX)
    both = bare_core.fill_null(core) + opening + bare_parent.fill_null(parent) + closing
    with_parent = pl.when(bare_core.is_not_null() | bare_parent.is_not_null()).then(both)
    return pl.when(parts.struct.field("1").is_not_null()).then(with_parent).otherwise(_bare(col, SUFFIX))


def _fitted(texts: pl.Series, limits: pl.Series) -> pl.Series:
    """Each text in its number of columns: ``shortened``, except for a name with its parent in
    brackets (a name repeated in the extract, ``core.db``'s township_name): the parent is what
    tells it apart, so its own name is cut first ("Chengguan (Xingkang)" in 16 columns: "Chen…
    (Xingkang)") where that leaves it four columns and the "…"; else the parent ("Chengguan
    (Xin…)") where that leaves it two. The work is done on the texts too wide only."""
    frame = pl.DataFrame({"text": texts, "limit": limits.cast(pl.Int64)})
    wide = frame.select(display_width("text") > pl.col("limit"))["text"].fill_null(False)
    if not wide.any():
        return frame["text"]
    part = _parts(frame.filter(wide), "text")
    core, opening, parent, closing, limit = (pl.col(c) for c in (*PARTS, "limit"))
    core_room = limit - display_width(opening + parent + closing)
    parent_room = limit - display_width(core + opening + closing)
    cut = part.select(
        pl.when(core.is_not_null() & (core_room >= 5))
        .then(shortened(core, core_room) + opening + parent + closing)
        .when(core.is_not_null() & (parent_room >= 3))
        .then(core + opening + shortened(parent, parent_room) + closing)
        .otherwise(shortened("text", limit))
    ).to_series()
    return frame["text"].clone().scatter(wide.arg_true(), cut)


def _frame(names: pl.Series, codes: pl.Series | None, max_width: int) -> pl.DataFrame:
    """name, code, ``bare`` (``bare_names``) and ``base``: the text to shorten. A chart's names
    keep their suffix when all fit; when one does not, every name whose bare name is unique in
    the chart (no other name's bare name or name is the same) drops it, so that the chart's
    names read alike and a cut comes only after the suffix is gone. A name missing is its code."""
    codes = codes if codes is not None else pl.Series([None] * len(names), dtype=pl.String)
    frame = pl.DataFrame({"code": codes.cast(pl.String), "name": names.cast(pl.String)})
    frame = frame.with_columns(pl.col("name").fill_null(pl.col("code")))
    if not frame.select((display_width("name") > max_width).any()).item():
        return frame.with_columns(bare=pl.lit(None, dtype=pl.String), base=pl.col("name"))
    frame = _parts(frame, "name").with_columns(bare=_bare_of_parts("name")).drop(PARTS)
    key = pl.col("bare").fill_null(pl.col("name"))
    drop = pl.col("bare").is_not_null() & key.is_unique()
    return frame.with_columns(base=pl.when(drop).then(pl.col("bare")).otherwise(pl.col("name")))


def short_names(names: pl.Series, max_width: int = MAX_WIDTH) -> pl.Series:
    """``names`` as ``short_labels`` shortens them, without the codes that tell repeats apart (a
    map's labels: the place tells two units apart). Raw text, aligned with ``names``."""
    frame = _frame(names, None, max_width)
    return _fitted(frame["base"], pl.repeat(max_width, frame.height, eager=True)).rename("name")


def _cut_prefixes(label: pl.Expr) -> pl.Expr:
    """True where a label was cut at its end ("…") and what is left of it starts another label
    of the chart or is one ("Zhangzhuang Tow…" beside "Zhangzhuang Town"): the two read alike.
    Sorted once, no pairs: the names that start with a text follow it in sorted order."""
    cut = label.str.ends_with(ELLIPSIS)
    stem = pl.when(cut).then(label.str.strip_suffix(ELLIPSIS)).otherwise(label)
    stems = stem.unique().sort()
    starts = stems.shift(-1).str.starts_with(stems).fill_null(False)
    return cut & (stem.is_duplicated() | stem.is_in(stems.filter(starts).implode()))


def short_labels(names: pl.Series, codes: pl.Series, max_width: int = MAX_WIDTH) -> pl.Series:
    """``names`` shortened to ``max_width`` columns and unique. First the generic suffix goes
    (``_frame``: where the bare name stays unique, and only when a name of the chart does not
    fit), then the names still too wide are cut with "…". Where shortened names repeat, or a cut
    one starts another ("Zhangzhuang Tow…", "Zhangzhuang Town"), each gets its code's township
    digits (``" [102]"``; the whole code where those repeat too or the code is shorter), its name
    (bare where it has a suffix) shortened further so that the whole label keeps to
    ``max_width``. Raw text, aligned with ``names`` (a name missing is its code)."""
    frame = _frame(names, codes, max_width)
    digits = pl.col("code").str.slice(6, 3)
    digits = pl.when(pl.col("code").str.len_chars() >= 9).then(digits).otherwise(pl.col("code"))
    label = _fitted(frame["base"], pl.repeat(max_width, frame.height, eager=True))
    labels = frame.with_columns(label=label)
    # the rows whose labels repeat or read alike, tagged: once with the township digits, then
    # (labels that still repeat) with the whole code; the work on those rows only
    repeated = labels.select(pl.col("label").is_duplicated() | _cut_prefixes(pl.col("label")))["label"]
    for tag in (digits, pl.col("code")):
        if not repeated.any():
            break
        part = _parts(labels.filter(repeated), "name").with_columns(
            bare=_bare_of_parts("name"), suffix=" [" + tag + "]"
        )
        part = part.with_columns(room=max_width - display_width("suffix"))
        # the bare name where the whole name does not fit beside the tag
        text = part.select(
            pl.when(display_width("name") > pl.col("room"))
            .then(pl.col("bare").fill_null(pl.col("name")))
            .otherwise(pl.col("name"))
        ).to_series()
        tagged = _fitted(text, part["room"]) + part["suffix"]
        labels = labels.with_columns(label=labels["label"].clone().scatter(repeated.arg_true(), tagged))
        repeated = labels["label"].is_duplicated()
    return labels["label"].rename("label")
