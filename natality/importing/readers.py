"""Reading CSV, Excel and Parquet files into frames of text, whatever their encoding or layout.

Every value is read as text (codes keep their leading zeros; parsing happens in validation).
Title rows above the header, trailing empty columns, ragged rows, mixed line endings and
UTF-8 / UTF-8-BOM / UTF-16 / GB18030 (a superset of GBK and GB2312) encodings are handled here.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from pathlib import Path

import polars as pl

from natality.importing.header_rows import HEADER_SCAN_ROWS, locate_header
from natality.importing.headers import alias_lookup
from natality.importing.problems import ImportFailed, Problem, ProblemLog

ROW = "_row"  # the row number the user sees in the file
WIDE_HEADER = "_header"  # in a melted wide table: the column header each value was under
DELIMITERS = (",", "\t", ";", "|")


@dataclass
class RawTable:
    """A file read as text: one column per header (as written) plus ``_row``."""

    file: str
    frame: pl.DataFrame
    encoding: str | None = None
    sheet: str | None = None
    melted: str | None = None  # a wide table's value column; ``WIDE_HEADER`` holds each cell's header
    sheets: list | None = None  # a workbook of month sheets: ``workbook.SheetNote`` per sheet
    places: list[tuple[int, int, str]] | None = None  # (first row, row offset, sheet) per month sheet

    @property
    def headers(self) -> list[str]:
        return [c for c in self.frame.columns if c != ROW]

    def place(self, problem: Problem) -> Problem:
        """A problem of this table with its row as the user finds it: in a workbook of month
        sheets, the sheet (``file › 3月``) and the row on that sheet."""
        if not self.places or problem.file != self.file:
            return problem
        if problem.row is None:  # a note listing rows ("rows 7, 17"): each as "sheet row"
            rows = str(problem.fmt.get("rows", ""))
            if not re.fullmatch(r"\d+(, \d+)*", rows):
                return problem
            listed = ", ".join(" ".join(map(str, self._sheet_row(int(r)))) for r in rows.split(", "))
            return replace(problem, fmt={**problem.fmt, "rows": listed})
        from natality.importing.workbook import SHEET_SEP  # a workbook's places only

        sheet, row = self._sheet_row(problem.row)
        return replace(problem, file=f"{self.file}{SHEET_SEP}{sheet}", row=row)

    def _sheet_row(self, row: int) -> tuple[str, int]:
        _, offset, sheet = max((p for p in self.places if p[0] <= row), default=self.places[0])
        return sheet, row - offset

    def place_problems(self, log: ProblemLog, start: int = 0) -> None:
        """``place`` every problem and warning of ``log`` (from the ``start``-th problem on)."""
        if self.places:
            log.problems[start:] = [self.place(p) for p in log.problems[start:]]
            log.warnings[:] = [self.place(p) for p in log.warnings]


def decode_text(data: bytes, file: str) -> tuple[str, str]:
    """Decode bytes trying BOMs, then strict UTF-8, then GB18030; return (text, encoding)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ImportFailed([Problem(file, "encoding")])


def sniff_delimiter(text: str) -> str:
    lines = [ln for ln in text.splitlines()[:30] if ln.strip()]
    best, best_score = ",", 0
    for delim in DELIMITERS:
        counts = [ln.count(delim) for ln in lines]
        counts = [c for c in counts if c > 0]
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        score = counts.count(mode) * (1 + min(mode, 1))
        if score > best_score:
            best, best_score = delim, score
    return best


def _cell_text(value: object) -> str:
    """An Excel or Parquet cell as text: integral floats without '.0', dates as ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _read_csv_rows(path: Path, file: str) -> tuple[list[list[str]], str]:
    data = path.read_bytes()
    text, encoding = decode_text(data, file)
    delimiter = "\t" if encoding == "utf-16" else sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(reader)  # cells are stripped later, column by column
    except csv.Error as exc:
        raise ImportFailed([Problem(file, "csv_syntax", row=reader.line_num, fmt={"detail": str(exc)})]) from None
    return rows, encoding


def _read_excel(path: Path, file: str, kind: str, lookup: dict[str, str]) -> RawTable:
    """An .xlsx or old .xls workbook through calamine (one Rust reader for both formats): its
    month sheets as one table (``workbook``), else the sheet whose header fits best."""
    from natality.importing.workbook import month_sheets  # imported here: a CSV import does not load it

    sheets, best = _excel_sheets(path, file, kind)
    found = month_sheets(sheets, file, kind, lookup, rows_to_frame) if sheets else None
    if found is None:
        return RawTable(file, rows_to_frame(best[0], file, kind, lookup), sheet=best[1])
    frame, notes, places = found
    label = f"{places[0][2]}…{places[-1][2]}" if len(places) > 1 else places[0][2]
    return RawTable(file, frame, sheet=label, sheets=notes, places=places)


def _excel_sheets(path: Path, file: str, kind: str):
    """(every visible sheet as (name, rows), and the rows and name of the sheet whose header fits
    best)."""
    import python_calamine  # imported here: only Excel imports pay for it

    try:
        with open(path, "rb") as fh:  # a file object: the file name's suffix does not matter
            book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(fh.read()))
        try:
            visible = [m.name for m in book.sheets_metadata if str(m.visible).rsplit(".", 1)[-1].lower() == "visible"]
            sheets = [(name, _sheet_rows(book.get_sheet_by_name(name))) for name in visible]
            return sheets, _best_sheet(sheets, file, kind)
        finally:
            book.close()
    except ImportFailed:
        raise
    except Exception as exc:  # any failure of the Excel parser means "not a readable workbook"
        raise ImportFailed([Problem(file, "excel_unreadable", fmt={"detail": str(exc)[:200]})]) from None


def _best_sheet(sheets: list[tuple[str, list[list[str]]]], file: str, kind: str) -> tuple[list[list[str]], str]:
    """The visible sheet whose header matches the table best (offices often add cover sheets)."""
    best: tuple[int, str, list[list[str]]] | None = None
    for name, rows in sheets:
        head = rows[: HEADER_SCAN_ROWS + 1]
        score = _header_score(head, kind)[1] if head else -1
        if best is None or score > best[0]:
            best = (score, name, rows)
    if best is None:
        raise ImportFailed([Problem(file, "empty")])
    return best[2], best[1]


def _sheet_rows(sheet, nrows: int | None = None) -> list[list[str]]:
    """A sheet's cells as text from A1 (row numbers as Excel shows them); a merged cell's value
    repeated over its range within the header rows, so a group header spans its columns."""
    rows = [[_cell_text(v) for v in r] for r in sheet.to_python(skip_empty_area=False, nrows=nrows)]
    for (r0, c0), (r1, c1) in sheet.merged_cell_ranges or []:
        if r0 >= HEADER_SCAN_ROWS + 1 or r0 >= len(rows):
            continue
        value = rows[r0][c0] if c0 < len(rows[r0]) else ""
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            for c in range(c0, min(c1, len(rows[r]) - 1) + 1):
                rows[r][c] = value
    return rows


def _read_parquet_frame(path: Path, file: str) -> pl.DataFrame:
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:
        raise ImportFailed([Problem(file, "parquet_unreadable", fmt={"detail": str(exc)[:200]})]) from None
    out = frame.select(parquet_text_columns(frame.schema))
    return out.with_columns(pl.int_range(2, out.height + 2, dtype=pl.Int64).alias(ROW))


def parquet_text_columns(schema: pl.Schema) -> list[pl.Expr]:
    """Each column of a Parquet file as stripped text (the large-file reader uses these too)."""
    cols = []
    for name, dtype in schema.items():
        col = pl.col(name)
        if dtype == pl.Date:
            col = col.dt.strftime("%Y-%m-%d")
        elif dtype.is_temporal():
            col = col.cast(pl.Datetime).dt.strftime("%Y-%m-%d %H:%M:%S")
        elif dtype.is_float():
            col = (
                pl.when(col == col.round(0))
                .then(col.cast(pl.Int64, strict=False).cast(pl.String))
                .otherwise(col.cast(pl.String))
            )
        else:
            col = col.cast(pl.String, strict=False)
        cols.append(col.fill_null("").str.strip_chars().alias(str(name)))
    return cols


def _header_score(rows: list[list[str]], kind: str, lookup: dict[str, str] | None = None) -> tuple[int, int]:
    """Index of the likeliest header row among the first rows (its last row, for a two-row
    header), and how many headers it matched."""
    idx, _, score = locate_header(rows, kind, lookup or alias_lookup())
    return idx, score


def rows_to_frame(rows: list[list[str]], file: str, kind: str, lookup: dict[str, str]) -> pl.DataFrame:
    """Locate the header among the first rows and build a text frame with ``_row`` numbers.

    Cells are stripped and empty rows dropped column-wise in polars: files of a few hundred
    thousand records stay fast.
    """
    head = [[cell.strip() for cell in row] for row in rows[:HEADER_SCAN_ROWS]]
    header_idx, header, _ = locate_header(head, kind, lookup)
    body = rows[header_idx + 1 :]
    width = max([len(header), *map(len, body)])
    if not body or width == 0:
        raise ImportFailed([Problem(file, "empty")])
    header = header + [""] * (width - len(header))
    padded = [r if len(r) == width else r + [""] * (width - len(r)) for r in body]
    columns = list(zip(*padded, strict=True)) if padded else [() for _ in range(width)]
    raw = pl.DataFrame(
        {f"c{j}": pl.Series(values, dtype=pl.String) for j, values in enumerate(columns)},
        schema={f"c{j}": pl.String for j in range(width)},
    )
    raw = raw.with_columns(
        pl.all().str.strip_chars(), pl.int_range(header_idx + 2, header_idx + 2 + len(body), dtype=pl.Int64).alias(ROW)
    )
    raw = raw.filter(pl.any_horizontal([pl.col(f"c{j}") != "" for j in range(width)]) if width else pl.lit(False))
    if raw.height == 0:
        raise ImportFailed([Problem(file, "empty")])
    filled = raw.select((pl.col(f"c{j}") != "").any() for j in range(width)).row(0)  # one pass, every column
    names = column_names(header, lambda j: filled[j])
    return raw.select([*(pl.col(c).alias(n) for c, n in names.items()), ROW])


def column_names(header: list[str], has_data) -> dict[str, str]:
    """``c{j}`` -> the column's name: its header, ``#j`` for an empty header over data (a column
    with neither is a trailing or stray empty one, left out), a repeated header numbered."""
    names: dict[str, str] = {}
    for j, name in enumerate(header):
        if not name and not has_data(j):
            continue
        name = name or f"#{j + 1}"
        base, k = name, 2
        while name in names.values():
            name, k = f"{base} ({k})", k + 1
        names[f"c{j}"] = name
    return names


def read_raw(path: str | Path, kind: str, lookup: dict[str, str] | None = None) -> RawTable:
    """Read a births / population / targets / reported file as text. Raises ImportFailed."""
    path = Path(path)
    file = path.name
    lookup = lookup or alias_lookup()
    if not path.is_file():
        raise ImportFailed([Problem(file, "not_found", fmt={"path": str(path)})])
    with open(path, "rb") as fh:
        magic = fh.read(8)
    suffix = path.suffix.lower()
    if magic.startswith(b"PAR1") or suffix == ".parquet":
        frame = _read_parquet_frame(path, file)
        if frame.height == 0:
            raise ImportFailed([Problem(file, "empty")])
        return RawTable(file, frame)
    if magic.startswith((b"\xd0\xcf\x11\xe0", b"PK")) or suffix in (".xls", ".xlsx", ".xlsm"):
        return _read_excel(path, file, kind, lookup)
    rows, encoding = _read_csv_rows(path, file)
    return RawTable(file, rows_to_frame(rows, file, kind, lookup), encoding=encoding)
