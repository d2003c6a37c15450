"""Wide tables melted to long ones: years, months, sexes or indicators as columns.

Offices send births by township with one column per month ("2024年1月" ... or "1月" ... beside a
年份 column), often split by sex under a merged month header ("2024年1月 / 男"); population with
one column per year; targets with one column per year or per indicator; reported indicators
with 分子 / 分母 under each year or indicator. Each such column (``header_rows.header_dims``)
becomes rows with the dimensions it names, in one vectorised unpivot; the row numbers stay
those of the file, so every message still points at the right row.
"""

from __future__ import annotations

import polars as pl

from natality.importing.header_rows import header_dims
from natality.importing.readers import ROW, WIDE_HEADER, RawTable
from natality.importing.validate import Columns


def wide_headers(cols: Columns, kind: str, lookup: dict[str, str]) -> dict[str, dict[str, str]]:
    """Unused headers that are wide-table columns, with their dimensions; none when a dimension
    is a column of the table already (a 年份 column beside "2024" columns is not a wide table), and
    none whose measure is one (a 出生数 column beside "出生数 / 2024-03" is not one either)."""
    found = {}
    for header in cols.ignored:
        dims = header_dims(header, kind, lookup)
        if dims and not any(d in cols.canon for d in dims) and dims.get("measure") not in cols.canon:
            found[header] = dims
    dims_sets = {frozenset(d) for d in found.values()}
    return found if len(dims_sets) == 1 else {}  # one layout; mixed ones are not guessed


def melt_wide(raw: RawTable, cols: Columns, kind: str, lookup: dict[str, str]) -> RawTable:
    """The table long, when it is wide; unchanged otherwise. ``cols`` learns the new columns."""
    found = wide_headers(cols, kind, lookup)
    if not found:
        return raw
    dims = [d for d in next(iter(found.values())) if d != "measure"]
    measures = sorted({d["measure"] for d in found.values()})
    keep = [ROW, *dict.fromkeys(cols.canon.values())]
    long = raw.frame.unpivot(index=keep, on=list(found), variable_name=WIDE_HEADER, value_name="_value")
    labels = pl.DataFrame(
        {WIDE_HEADER: list(found), **{d: [found[h][d] for h in found] for d in [*dims, "measure"]}},
        schema={WIDE_HEADER: pl.String, **{d: pl.String for d in [*dims, "measure"]}},
    )
    long = long.join(labels, on=WIDE_HEADER, how="left")
    if len(measures) == 1:
        long = long.rename({"_value": measures[0]}).drop("measure")
        long = long.filter(pl.col(measures[0]) != "")
    else:  # 分子 and 分母 side by side again, one row per township, year and indicator
        long = long.drop(WIDE_HEADER).pivot(on="measure", index=[*keep, *dims], values="_value")
        for m in measures:
            if m not in long.columns:
                long = long.with_columns(pl.lit("").alias(m))
        long = long.with_columns(pl.col(measures).fill_null(""))
        long = long.filter(pl.any_horizontal([pl.col(m) != "" for m in measures]))
    long = long.sort(ROW, maintain_order=True)
    for name in [*dims, *measures]:
        cols.canon[name] = name
    cols.ignored = [h for h in cols.ignored if h not in found]
    melted = measures[0] if len(measures) == 1 else None  # messages then name the cell's own header
    return RawTable(raw.file, long, raw.encoding, raw.sheet, melted)
