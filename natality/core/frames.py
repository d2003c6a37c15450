"""Polars frames into DuckDB and DuckDB results into polars, with or without pyarrow.

DuckDB's ``.pl()`` and its ``register`` of a polars frame go through pyarrow tables. A server has
pyarrow loaded anyway (Streamlit's tables use it) and keeps that road, the quicker one for large
results. A command (``python -m natality import``, ``query``) had loaded pyarrow for these
conversions alone: 0.03 s to import it and 0.1 s of CPU with its first conversions, a tenth of a
400-row import. Without pyarrow both libraries speak the Arrow C stream interface
(``__arrow_c_stream__``) directly: the same columns, types and values (tests/test_frames.py).
"""

from __future__ import annotations

import sys

import duckdb
import polars as pl


class _Stream:
    """A polars frame seen only as an Arrow C stream: DuckDB reads it as any Arrow source (a new
    stream for every scan: a registered frame can be read again and again) instead of taking the
    pyarrow road it keeps for polars frames."""

    __slots__ = ("frame",)

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        return self.frame.__arrow_c_stream__(requested_schema)


def _pyarrow_loaded() -> bool:
    return "pyarrow" in sys.modules


def to_polars(relation: duckdb.DuckDBPyRelation) -> pl.DataFrame:
    """The relation's rows as a polars frame: ``relation.pl()`` where pyarrow is loaded, else
    through the Arrow C stream (pyarrow is not loaded for it)."""
    return relation.pl() if _pyarrow_loaded() else pl.DataFrame(relation)


def register(con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame) -> None:
    """``frame`` as the table ``name`` of ``con`` (a name registered again is replaced); DuckDB reads
    the frame's Arrow buffers where they lie, through pyarrow only where it is loaded."""
    con.register(name, frame if _pyarrow_loaded() else _Stream(frame))
