"""Rankings that stay readable at any size: the top and bottom few townships, the ones searched
for, and how many lie in between (pure polars; the charts and tables of every area use it).

A county has 10-30 townships and every one of them is shown; a city or province has hundreds
to thousands, and a 2,000-bar chart is a wall nobody reads. Past ``TOP + BOTTOM`` rows only the
ends of the ranking are kept, plus the townships a user searched for, and each run of rows left
out becomes a gap ("… 1,980 more townships, ranks 11-1,990 …") that charts and tables show.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import polars as pl

from natality.core.i18n import t
from natality.core.literal import md

TOP = 10
BOTTOM = 10
MAX_MATCHES = 20  # a search for "镇" matches half a province: show the first few, say how many
SEARCH_COLUMNS = ("township_name", "township_name_en", "township_code")


@dataclass(frozen=True)
class Found:
    """The townships a search text matched: the first ``MAX_MATCHES`` codes, and how many matched."""

    text: str
    codes: tuple[str, ...]
    names: tuple[str, ...]
    total: int


def find_townships(
    towns: pl.DataFrame, text: str | None, name_col: str = "township_name", limit: int = MAX_MATCHES
) -> Found:
    """Townships whose Chinese name, English name or code contains ``text`` (case-insensitive,
    literal); several townships at once separated by commas, 、 or semicolons.

    ``towns`` has township_code and the name columns of township_list; ``name_col`` names the
    matches for the user. An empty text finds nothing.
    """
    text = " ".join((text or "").split())
    terms = [w.strip().lower() for w in re.split(r"[,，、;；]", text) if w.strip()]
    if not terms or towns.is_empty():
        return Found(text, (), (), 0)
    columns = [c for c in SEARCH_COLUMNS if c in towns.columns]
    hit = pl.any_horizontal(
        [pl.col(c).cast(pl.String).str.to_lowercase().str.contains(w, literal=True) for c in columns for w in terms]
    ).fill_null(False)
    found = towns.filter(hit)
    first = found.head(limit)
    names = first[name_col].fill_null(first["township_code"]) if name_col in first.columns else first["township_code"]
    return Found(text, tuple(first["township_code"].to_list()), tuple(names.to_list()), found.height)


def find_note(found: Found, lang: str) -> str | None:
    """What a search found, in words for a caption (Markdown: the names and the text typed are
    escaped); None when nothing was searched for."""
    if not found.text:
        return None
    if not found.total:
        return t("common.find_none", lang, text=md(found.text))
    if found.total > len(found.codes):
        return t("common.find_many", lang, total=f"{found.total:,}", text=md(found.text), shown=len(found.codes))
    return t("common.find_one", lang, n=found.total, names=("、" if lang == "zh" else ", ").join(map(md, found.names)))


@dataclass(frozen=True)
class Gap:
    """A run of ranked rows left out: positions ``first``..``last`` (1-based), before row ``before``."""

    before: int  # index into Ranking.rows of the first row after the gap
    first: int
    last: int

    @property
    def count(self) -> int:
        return self.last - self.first + 1


@dataclass(frozen=True)
class Ranking:
    """The rows kept, in rank order (best first), with ``position`` (1-based place in the whole
    ranking) and ``matched`` (found by the search); ``gaps`` are the runs left out."""

    rows: pl.DataFrame
    total: int
    gaps: tuple[Gap, ...]

    @property
    def cut(self) -> bool:
        return bool(self.gaps)

    @property
    def hidden(self) -> int:
        return sum(g.count for g in self.gaps)

    def with_gap_rows(self, label_col: str, label: Callable[[Gap], str], frame: pl.DataFrame | None = None):
        """``frame`` (default ``rows``; any frame row-aligned with ``rows``, e.g. its display table)
        with a marker row at each gap: ``label_col`` says '… N more …', every other cell empty."""
        frame = self.rows if frame is None else frame
        if not self.gaps:
            return frame
        parts, start = [], 0
        for gap in self.gaps:
            marker = pl.DataFrame({label_col: [label(gap)]}, schema={label_col: frame.schema[label_col]})
            parts += [frame.slice(start, gap.before - start), marker]
            start = gap.before
        parts.append(frame.slice(start))
        return pl.concat(parts, how="diagonal").select(frame.columns)


def top_bottom(
    frame: pl.DataFrame,
    by: str,
    *,
    descending: bool = True,
    top: int = TOP,
    bottom: int = BOTTOM,
    keep: Iterable[str] = (),
    code_col: str = "township_code",
) -> Ranking:
    """The ``top`` first and ``bottom`` last rows of ``frame`` ordered by ``by``, and the rows of
    ``keep`` (township codes, e.g. a search's) wherever they rank; every row when there are no
    more than ``top + bottom``.

    ``descending``: the largest value ranks first (births); False for ranks (1 is best). Rows
    without a value are ordered last and are never "bottom": a township with no value is neither
    best nor worst, so it is shown only when everything is, or when searched for.
    """
    keep = set(keep)
    ordered = (
        frame.sort(by, descending=descending, nulls_last=True, maintain_order=True)
        .with_row_index("position", offset=1)
        .with_columns(matched=pl.col(code_col).is_in(list(keep)) if keep else pl.lit(False))
    )
    ordered = ordered.select(*frame.columns, "position", "matched")
    n = ordered.height
    if n <= top + bottom:
        return Ranking(ordered, n, ())
    valued = n - int(ordered[by].null_count())
    shown = (pl.col("position") <= top) | pl.col("matched")
    if bottom:
        shown = shown | pl.col("position").is_between(max(valued - bottom, top) + 1, valued)
    rows = ordered.filter(shown)
    gaps, previous = [], 0
    for index, position in enumerate([*rows["position"].to_list(), n + 1]):
        if position > previous + 1:
            gaps.append(Gap(before=index, first=previous + 1, last=position - 1))
        previous = position
    return Ranking(rows, n, tuple(gaps))
