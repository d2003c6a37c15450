"""Large births files, read out of core: the file becomes a DuckDB view of text cells.

A file of millions of records is never held in memory. It is turned into Parquet of text cells
in a work directory beside the extract (CSV by DuckDB's reader, or chunk by chunk through
Python's ``csv`` when the file has something DuckDB reads differently; Parquet through polars'
streaming engine) as the view ``raw`` (``cells.Cells``): the same headers, the same stripped
cells and the same source row numbers that ``readers.read_raw`` gives for a small file, whose
polars frame DuckDB reads where it lies (``cells.from_frame``). Validation is the same SQL over
either (``validate_births``). DuckDB runs with a memory limit and spills to the work directory.

Files of fewer than ``NATALITY_IMPORT_STREAM_ROWS`` records (default 200,000) and Excel workbooks
(at most about a million rows) are read in memory by ``readers``: the threshold says where cells live.
"""

from __future__ import annotations

import codecs
import csv
import gc
import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
from duckdb import CaseExpression, CoalesceOperator, FunctionExpression
from duckdb import ColumnExpression as C
from duckdb import ConstantExpression as K
from duckdb.sqltypes import BIGINT, VARCHAR

from natality.importing.cells import Cells, query_value
from natality.importing.problems import ImportFailed, Problem
from natality.importing.readers import (
    HEADER_SCAN_ROWS,
    ROW,
    column_names,
    locate_header,
    parquet_text_columns,
    sniff_delimiter,
)

STREAM_ROWS_ENV = "NATALITY_IMPORT_STREAM_ROWS"
STREAM_ROWS = 200_000
BLOCK = 16 << 20  # bytes read at a time
CHUNK_ROWS = 100_000  # records per chunk on the Python reader's path
SLACK = 8  # columns allowed beyond the widest of the first rows before falling back to Python
WHITE_CHARS = "".join(  # Unicode White_Space: exactly what polars' str.strip_chars() strips, for DuckDB's trim()
    map(chr, [*range(9, 14), 32, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F, 0x3000])
)


def stream_threshold() -> int:
    """Records from which a births file is read out of core (``NATALITY_IMPORT_STREAM_ROWS``)."""
    try:
        return max(0, int(os.environ.get(STREAM_ROWS_ENV, STREAM_ROWS)))
    except ValueError:
        return STREAM_ROWS


def _is_parquet(path: Path, magic: bytes) -> bool:
    return magic.startswith(b"PAR1") or path.suffix.lower() == ".parquet"


def wants_stream(path: str | Path, threshold: int | None = None) -> bool:
    """True for a CSV or Parquet file of at least ``threshold`` records (an estimate for CSV:
    its line breaks). Missing, Excel and unreadable files go the in-memory way, which says why."""
    path = Path(path)
    threshold = stream_threshold() if threshold is None else threshold
    if not path.is_file():
        return False
    with open(path, "rb") as fh:
        magic = fh.read(8)
    if _is_parquet(path, magic):
        try:
            return pl.scan_parquet(path).select(pl.len()).collect().item() >= threshold
        except Exception:  # unreadable: the in-memory reader reports it
            return False
    if magic.startswith((b"PK", b"\xd0\xcf\x11\xe0")) or path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        return False
    if threshold == 0:
        return True
    lines = 0
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(BLOCK), b""):
            lines += max(block.count(b"\n"), block.count(b"\r"))
            if lines >= threshold:
                return True
    return False


@contextmanager
def work_dir(out: Path) -> Iterator[Path]:
    """A scratch directory beside the extract (same disk as the data, not a RAM /tmp), removed
    afterwards; leftovers of a killed import are removed first (the caller holds the lock)."""
    out = Path(out)
    parent = out.parent if str(out.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    prefix = f".{out.name}.import-"
    for stale in parent.glob(prefix + "*"):
        shutil.rmtree(stale, ignore_errors=True)
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def open_births(path: str | Path, lookup: dict[str, str], workdir: Path, con) -> Cells:
    """Read a CSV or Parquet births file into the view ``raw`` of ``con`` (from ``connect``).
    Raises ImportFailed as ``read_raw`` does."""
    path = Path(path)
    file = path.name
    with open(path, "rb") as fh:
        magic = fh.read(8)
    if _is_parquet(path, magic):
        return _open_parquet(path, file, con, workdir)
    return _open_csv(path, file, lookup, con, workdir)


def _open_parquet(path: Path, file: str, con, workdir: Path) -> Cells:
    """The file's columns as text cells (``readers.parquet_text_columns``' rules): a view over the
    file when every column is text, a whole number, a date or a boolean (the same text, nothing
    copied), else Parquet of text cells written by polars' streaming engine."""
    target, sources = workdir / "raw.parquet", {}
    try:
        names = _duckdb_text_view(path, con, sources)
        if names is None:
            lf = pl.scan_parquet(path)
            names = [str(name) for name in lf.collect_schema()]
            exprs = [e.alias(f"h{k}") for k, e in enumerate(parquet_text_columns(lf.collect_schema()))]
            lf.select(exprs).with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64)).sink_parquet(target)
            con.read_parquet(str(target)).create_view("raw")
    except Exception as exc:
        raise ImportFailed([Problem(file, "parquet_unreadable", fmt={"detail": str(exc)[:200]})]) from None
    if query_value(con, "select count(*) from raw") == 0:
        raise ImportFailed([Problem(file, "empty")])
    return Cells(file, con, {name: f"h{k}" for k, name in enumerate(names)}, sources=sources)


_WHOLE = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")


def _duckdb_text_view(path: Path, con, sources: dict[str, tuple[str, str, bool]]) -> list[str] | None:
    """The view ``raw`` over the file, each text cell ``h<k>`` beside its typed value ``s<k>``
    (``sources``: ``Cells.sources``); its headers, or None when a column's text could differ.
    One relation select over the file (two made a CTE, 1 CPU s slower at 15 M rows)."""
    rel = con.read_parquet(str(path))
    kinds = list(map(str, rel.types))
    if any(kind not in (*_WHOLE, "BOOLEAN", "VARCHAR", "DATE") for kind in kinds):
        return None
    cells = [(C("file_row_number") + K(2)).cast(BIGINT).alias("_row")]
    for k, (name, kind) in enumerate(zip(rel.columns, kinds, strict=True)):
        cells += [_text(C(name), kind).alias(f"h{k}"), C(name).alias(f"s{k}")]
        sources[f"h{k}"] = (f"s{k}", str(_text(C(f"s{k}"), kind)), kind != "VARCHAR")
    con.read_parquet(str(path), file_row_number=True).select(*cells).create_view("raw")
    return [str(name) for name in rel.columns]


def _text(value, kind: str):
    """A typed value's text as ``parquet_text_columns`` makes it, '' for null (one per value)."""
    if kind == "VARCHAR":
        text = FunctionExpression("trim", value, K(WHITE_CHARS))
    elif kind == "DATE":  # a cast is strftime's text for years 1000-9999, and ten times faster
        text = CaseExpression(FunctionExpression("year", value).between(K(1000), K(9999)), value.cast(VARCHAR))
        text = text.otherwise(FunctionExpression("strftime", value, K("%Y-%m-%d")))
    else:  # whole numbers, booleans
        text = value.cast(VARCHAR)
    return CoalesceOperator(text, K(""))


# -- CSV ------------------------------------------------------------------------------------


@dataclass
class _Bytes:
    """What the UTF-8 text holds that DuckDB's CSV reader would read differently from Python's
    ``csv``: line breaks of more than one kind, empty lines (Python counts them as rows),
    whitespace before a quote (Python keeps it as text)."""

    cr: int = 0
    lf: int = 0
    crlf: int = 0
    quotes: int = 0
    space_quote: int = 0
    tab_quote: int = 0
    blank_at: int | None = None  # first position of an empty line
    size: int = 0
    first: bytes = b""
    tail: bytes = b""  # the last bytes seen (for patterns across blocks, and the end)

    def feed(self, block: bytes) -> None:
        if not block:
            return
        if not self.first:
            self.first = block[:4]
        prev = self.tail
        joined = prev + block
        self.cr += block.count(b"\r")
        self.lf += block.count(b"\n")
        self.quotes += block.count(b'"')
        self.crlf += joined.count(b"\r\n") - prev.count(b"\r\n")
        self.space_quote += joined.count(b' "') - prev.count(b' "')
        self.tab_quote += joined.count(b'\t"') - prev.count(b'\t"')
        if self.blank_at is None:
            found = [p for p in (joined.find(b"\n\n"), joined.find(b"\r\r"), joined.find(b"\n\r")) if p >= 0]
            if found:
                self.blank_at = self.size - len(prev) + min(found)
        self.size += len(block)
        self.tail = joined[-64:]

    def duckdb_reads_like_python(self, delimiter: str) -> bool:
        breaks_one_kind = self.cr == 0 or self.lf == 0 or self.cr == self.crlf == self.lf
        trailing = len(self.tail) - len(self.tail.rstrip(b"\r\n"))
        ends = self.size - trailing  # empty lines at the very end change no row number
        blank = (self.blank_at is not None and self.blank_at < ends) or self.first[:1] in (b"\r", b"\n")
        quote_after_space = self.space_quote or (self.tab_quote and delimiter != "\t")
        return breaks_one_kind and not blank and not (self.quotes and quote_after_space)


def _utf8_text(path: Path, file: str, workdir: Path) -> tuple[Path, str, str, _Bytes]:
    """The file as UTF-8 text: (path, encoding as reported, codec to read that path, byte facts).

    Decided like ``readers.decode_text`` on the whole file: BOMs, then strict UTF-8, then
    GB18030; anything but valid UTF-8 is written out as UTF-8 in the work directory.
    """
    with open(path, "rb") as fh:
        start = fh.read(4)
    if start.startswith(codecs.BOM_UTF8):
        facts = _scan_utf8(path, len(codecs.BOM_UTF8))
        if facts is not None:
            return path, "utf-8-sig", "utf-8-sig", facts
        return _transcoded(path, workdir, "utf-8", "replace", len(codecs.BOM_UTF8), "utf-8-sig")
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _transcoded(path, workdir, "utf-16", "strict", 0, "utf-16")
    facts = _scan_utf8(path, 0)
    if facts is not None:
        return path, "utf-8", "utf-8", facts
    try:
        return _transcoded(path, workdir, "gb18030", "strict", 0, "gb18030")
    except UnicodeDecodeError:
        raise ImportFailed([Problem(file, "encoding")]) from None


def _scan_utf8(path: Path, skip: int) -> _Bytes | None:
    """Byte facts of a file that is strict UTF-8 from ``skip`` on; None when it is not."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    facts = _Bytes()
    with open(path, "rb") as fh:
        fh.seek(skip)
        try:
            for block in iter(lambda: fh.read(BLOCK), b""):
                decoder.decode(block)
                facts.feed(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return None
    return facts


def _transcoded(path: Path, workdir: Path, codec: str, errors: str, skip: int, label: str):
    target = workdir / "text.csv"
    decoder = codecs.getincrementaldecoder(codec)(errors)
    facts = _Bytes()
    with open(path, "rb") as src, open(target, "wb") as dst:
        src.seek(skip)
        for block in iter(lambda: src.read(BLOCK), b""):
            data = decoder.decode(block).encode("utf-8", errors="surrogatepass")
            facts.feed(data)
            dst.write(data)
        data = decoder.decode(b"", final=True).encode("utf-8", errors="surrogatepass")
        facts.feed(data)
        dst.write(data)
    return target, label, "utf-8", facts


def _head_text(path: Path, codec: str) -> str:
    """Enough of the text for the delimiter sniffer's first 30 lines."""
    parts: list[str] = []
    with open(path, encoding=codec, errors="surrogateescape", newline="") as fh:
        while True:
            part = fh.read(1 << 16)
            parts.append(part)
            if not part or len("".join(parts).splitlines()) > 30:
                return "".join(parts)


def _open_csv(path: Path, file: str, lookup: dict[str, str], con, workdir: Path) -> Cells:
    text_path, encoding, codec, facts = _utf8_text(path, file, workdir)
    delimiter = "\t" if encoding == "utf-16" else sniff_delimiter(_head_text(text_path, codec))
    with open(text_path, encoding=codec, newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        try:
            first = list(itertools.islice(reader, HEADER_SCAN_ROWS))
        except csv.Error as exc:
            raise ImportFailed([Problem(file, "csv_syntax", row=reader.line_num, fmt={"detail": str(exc)})]) from None
    head = [[cell.strip() for cell in row] for row in first]
    header_idx, header, _ = locate_header(head, "births", lookup)
    source = None
    if facts.duckdb_reads_like_python(delimiter):
        width = max([len(r) for r in first] or [0]) + SLACK
        source = _duckdb_records(con, text_path, delimiter, width, workdir)
    if source is None:
        source = _python_records(con, text_path, codec, delimiter, file, workdir)
    return _raw_view(con, file, encoding, source, header_idx, header)


def _duckdb_records(con, text_path: Path, delimiter: str, width: int, workdir: Path) -> tuple | None:
    """Records by DuckDB's parallel reader: their Parquet's scan and the expressions of c0.. (stripped),
    ``_e`` (all empty), ``_rec``. None when DuckDB refuses the file (bad quotes, a longer row): Python reads it."""
    target = workdir / "records.parquet"
    cells = ", ".join(f"trim(coalesce(c{j}, ''), $white) as c{j}" for j in range(width))
    empty = " and ".join(f"trim(coalesce(c{j}, ''), $white) = ''" for j in range(width))
    options = (
        "delim = $delim, quote = '\"', escape = '\"', header = false, auto_detect = false, skip = 0, "
        "null_padding = true, strict_mode = true, parallel = $parallel, max_line_size = 131072, "
        "columns = $columns"
    )
    params = {
        "path": str(text_path),
        "delim": delimiter,
        "white": WHITE_CHARS,
        "columns": {f"c{j}": "VARCHAR" for j in range(width)},
    }
    for parallel in (True, False):  # the parallel reader cannot pad rows around quoted line breaks
        try:
            records = con.sql(
                f"select {cells}, ({empty}) as _e from read_csv($path, {options})",
                params={**params, "parallel": parallel},
            )
            records.write_parquet(str(target))
        except duckdb.Error as exc:
            if parallel and "parallel" in str(exc):
                continue
            target.unlink(missing_ok=True)
            return None
        cells = {**{f"c{j}": C(f"c{j}") for j in range(width)}, "_e": C("_e"), "_rec": C("file_row_number")}
        return con.read_parquet(str(target), file_row_number=True), cells
    return None


def _python_records(con, text_path: Path, codec: str, delimiter: str, file: str, workdir: Path) -> tuple:
    """Records through Python's ``csv`` (exactly the small-file reader), chunk by chunk; as ``_duckdb_records``."""
    files: list[Path] = []
    width = 0
    offset = 0
    enabled = gc.isenabled()
    with open(text_path, encoding=codec, newline="") as fh:
        reader = csv.reader(fh, delimiter=delimiter)
        gc.disable()  # lists of strings only: no cycles to collect, and twice as fast
        try:
            while chunk := list(itertools.islice(reader, CHUNK_ROWS)):
                w = max(map(len, chunk))
                width = max(width, w)
                padded = [r if len(r) == w else r + [""] * (w - len(r)) for r in chunk]
                data = {f"c{j}": pl.Series(v, dtype=pl.String) for j, v in enumerate(zip(*padded, strict=True))}
                data["_rec"] = pl.Series(range(offset, offset + len(chunk)), dtype=pl.Int64)
                frame = pl.DataFrame(data).with_columns(pl.exclude("_rec").str.strip_chars())
                empty = pl.all_horizontal([pl.col(f"c{j}") == "" for j in range(w)]) if w else pl.lit(True)
                frame = frame.with_columns(empty.alias("_e"))
                target = workdir / f"records-{len(files):05d}.parquet"
                frame.write_parquet(target)
                files.append(target)
                offset += len(chunk)
        except csv.Error as exc:
            raise ImportFailed([Problem(file, "csv_syntax", row=reader.line_num, fmt={"detail": str(exc)})]) from None
        finally:
            if enabled:
                gc.enable()
    if not files:
        raise ImportFailed([Problem(file, "empty")])
    cells = {f"c{j}": CoalesceOperator(C(f"c{j}"), K("")) for j in range(width)}
    return con.read_parquet([str(f) for f in files], union_by_name=True), {**cells, "_e": C("_e"), "_rec": C("_rec")}


def _raw_view(con, file: str, encoding: str, source: tuple, header_idx: int, header: list[str]):
    """``raw``: the rows under the header that are not empty, named as ``rows_to_frame`` names them."""
    rel, col = source  # the scan of the records' Parquet, and each column's expression over it
    width = len(col) - 2  # c0.., _e, _rec: each filter and the select made over the scan itself, no CTE
    body = rel.filter(col["_rec"] > K(int(header_idx)))
    if body.count("*").fetchall()[0][0] == 0 or max(width, len(header)) == 0:
        raise ImportFailed([Problem(file, "empty")])
    kept = body.filter(col["_e"] == K(False))
    header = header + [""] * (width - len(header))
    unnamed = [j for j, name in enumerate(header) if not name and j < width]
    filled = {}
    if unnamed:
        row = kept.aggregate([FunctionExpression("bool_or", col[f"c{j}"] != K("")) for j in unnamed]).fetchall()[0]
        filled = dict(zip(unnamed, row, strict=True))
    if kept.count("*").fetchall()[0][0] == 0:
        raise ImportFailed([Problem(file, "empty")])
    # a header cell past ``width`` stands over no data at all (only possible past every row)
    names = column_names(header[:width], lambda j: bool(filled.get(j)))
    rows = (col["_rec"] + K(1)).cast(BIGINT).alias("_row")
    kept.select(rows, *(col[c].alias(f"h{k}") for k, c in enumerate(names))).create_view("raw")
    return Cells(file, con, {name: f"h{k}" for k, name in enumerate(names.values())}, encoding)
