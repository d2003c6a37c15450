"""Wide tables melted to long ones: years, months, sexes or indicators as columns.

Offices send births by township with one column per month ("2024年1月" ... or "1月" ... beside a
年份 column), often split by sex under a merged month header ("2024年1月 / 男"); population with
one column per year; targets with one column per year or per indicator; reported indicators
with 分子 / 分母 under each year or indicator. Each such column (``header_rows.header_dims``)
becomes rows with the dimensions it names, in one unpivot in SQL (``births_rows``, for every
kind of table); the row numbers stay those of the file, so every message still points at the
right row. Here: which columns are such columns.
"""

from __future__ import annotations

from natality.importing.header_rows import header_dims
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
