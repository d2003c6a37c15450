"""The township crosswalk (``import --crosswalk FILE``): merged, split and renamed townships.

One row per old township and the township of today it went to: old_code, new_code, from_year
(the first year of the new township), share (of the old township's births and people that went
to new_code; 1 for a merge or a new code, e.g. 0.6 / 0.4 for a split), and optionally old_name.

The file is validated here and stored in the extract as ``crosswalk.parquet``; it is applied
when DuckDB opens a version (``core/db.py``): the ``births``, ``population`` and ``reported``
views every query reads are rewritten onto today's codes, so trends, comparisons, scorecards,
maps and the meeting pack all see the same townships, while births.parquet keeps the codes as
they were registered (a corrected crosswalk needs no re-import of births).

Every row under an old code is mapped, whatever its year: from_year dates the change (the
Township page's "formed in 2021 from ..."), and a birth registered late under the old code still
belongs to today's township. A chain (A -> B in 2018, B -> C in 2021) is refused: write A -> C.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from natality.importing import validate
from natality.importing.headers import normalize_header
from natality.importing.problems import ImportFailed, Problem, ProblemLog
from natality.importing.readers import ROW, RawTable, read_raw
from natality.importing.values import BadValue, parse_number, parse_year

FILE = "crosswalk.parquet"
SCHEMA = {
    "old_code": pl.String,
    "new_code": pl.String,
    "from_year": pl.Int32,
    "share": pl.Float64,
    "old_name": pl.String,
}
ALIASES: dict[str, tuple[str, ...]] = {
    "old_code": ("old_code", "原乡镇代码", "原代码", "旧代码", "原区划代码", "撤并乡镇代码"),
    "new_code": ("new_code", "新乡镇代码", "新代码", "现乡镇代码", "现代码", "现区划代码"),
    "from_year": ("from_year", "year", "起始年份", "变更年份", "生效年份", "调整年份", "年份"),
    "share": ("share", "比例", "份额", "划入比例", "划转比例"),
    "old_name": ("old_name", "原乡镇名称", "原名称", "旧名称", "撤并乡镇名称"),
}
LOOKUP = {normalize_header(a): canon for canon, names in ALIASES.items() for a in names}
SHARE_TOLERANCE = 0.001  # shares written with three decimals (0.333 x 3) still add up


def _share(text: str) -> float:
    if not text.strip():
        return 1.0  # no share: the whole old township went to new_code
    value = parse_number(text)
    if "%" in text:
        value = value / 100.0
    if not 0 < value <= 1:  # 60 without a % sign is refused, not guessed
        raise BadValue("crosswalk_share")
    return value


def read_crosswalk(path: Path, log: ProblemLog, today_year: int) -> tuple[pl.DataFrame | None, RawTable | None]:
    """Read and check a crosswalk file: (the table, or None when ``log`` got problems; the file read)."""
    try:
        raw = read_raw(path, "crosswalk", LOOKUP)
    except ImportFailed as exc:
        for problem in exc.problems:
            log.add(problem)
        return None, None
    return _checked(raw, log, today_year), raw


def _checked(raw: RawTable, log: ProblemLog, today_year: int) -> pl.DataFrame | None:
    canon = {LOOKUP[normalize_header(h)]: h for h in reversed(raw.headers) if normalize_header(h) in LOOKUP}
    missing = [c for c in ("old_code", "new_code", "from_year") if c not in canon]
    if missing:
        names = ", ".join(f"{c} / {next(a for a in ALIASES[c] if not a.isascii())}" for c in missing)
        log.add(Problem(raw.file, "missing_column", fmt={"names": names}))
        return None
    start = len(log.problems) + log.more
    code = validate.code_parser()

    def col(name: str, parser, dtype, required: bool = True) -> pl.Series:
        if name not in canon:
            return pl.Series(name, [None] * raw.frame.height, dtype=dtype)
        return validate.parse_column(raw, canon[name], parser, dtype, log, required=required).alias(name)

    frame = pl.DataFrame(
        [
            col("old_code", code, pl.String),
            col("new_code", code, pl.String),
            col("from_year", lambda v: parse_year(v, latest=today_year + 1), pl.Int32),
            col("share", _share, pl.Float64, required=False).fill_null(1.0),
            col("old_name", lambda v: v.strip() or None, pl.String, required=False),
            raw.frame[ROW],
        ]
    )
    if len(log.problems) + log.more > start:
        return None
    _check_rows(raw, frame, canon, log)
    if len(log.problems) + log.more > start:
        return None
    return frame.drop(ROW).sort("old_code", "new_code").cast(SCHEMA)


def _check_rows(raw: RawTable, frame: pl.DataFrame, canon: dict[str, str], log: ProblemLog) -> None:
    """Same code both sides, a pair twice, chains (a new code that is also an old one), and shares
    of an old township that do not add up to 1."""
    for row, old in frame.filter(pl.col("old_code") == pl.col("new_code")).select(ROW, "old_code").iter_rows():
        log.add(Problem(raw.file, "crosswalk_same", row, canon["new_code"], old))
    validate.report_duplicates(raw, frame, ["old_code", "new_code"], log, canon["old_code"])
    chained = frame.filter(pl.col("new_code").is_in(frame["old_code"].implode()))
    for row, new in chained.select(ROW, "new_code").iter_rows():
        log.add(Problem(raw.file, "crosswalk_chain", row, canon["new_code"], new))
    sums = frame.group_by("old_code").agg(pl.col("share").sum(), pl.col(ROW).min())
    for old, total, row in sums.filter((pl.col("share") - 1).abs() > SHARE_TOLERANCE).sort(ROW).iter_rows():
        log.add(Problem(raw.file, "crosswalk_shares", row, canon.get("share"), old, {"total": f"{total:g}"}))


def refuse_unknown_new_codes(file: str, crosswalk: pl.DataFrame, known: set[str], log: ProblemLog) -> None:
    """Every new code must be a township of the extract (today's boundaries)."""
    unknown = sorted(set(crosswalk["new_code"]) - known)
    for new in unknown[:10]:
        log.add(Problem(file, "crosswalk_unknown", None, None, new))


def live_crosswalk(live: Path | None) -> pl.DataFrame | None:
    path = live / FILE if live is not None else None
    return pl.read_parquet(path) if path is not None and path.is_file() else None


def raw_old_codes(raw: RawTable | None) -> set[str]:
    """The old codes of a crosswalk file that has problems, as written: its births are then not
    refused as unknown codes as well (one problem, not two)."""
    headers = [h for h in raw.headers if LOOKUP.get(normalize_header(h)) == "old_code"] if raw is not None else []
    return set(raw.frame[headers[0]].str.strip_chars().to_list()) if headers else set()


def old_codes(crosswalk: pl.DataFrame | None) -> set[str]:
    """Codes that files may still use although no boundary has them: they are mapped on read."""
    return set() if crosswalk is None else set(crosswalk["old_code"])
