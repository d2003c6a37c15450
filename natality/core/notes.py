"""Leaders' notes on charts, townships and years, kept in a SQLite file beside the extract.

A note belongs to a page state (the page and its URL parameters: year, township, region, ...)
and to one chart of that page. The file lives next to the extract, never inside a version:
``data/demo`` (the live link) and ``data/demo.versions/`` sit beside ``data/demo.notes.sqlite3``,
so a new import or a rollback leaves every note in place. One table, one index for the page
lookup (one query per page run) and one for the meeting pack (by year).

Text is stored as typed; whoever shows it must show it as plain text (the app uses ``st.text``,
the pack writes it into the slide notes, which python-pptx escapes).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

MAX_TEXT = 2000  # a note is a short interpretation, not a report
MAX_AUTHOR = 60
# URL parameters that change how a view looks, not what it shows: left out of a note's state.
VIEW_ONLY = frozenset({"lang", "present"})
FILE_SUFFIX = ".notes.sqlite3"
BUSY_MS = 10_000  # how long a writer waits for another process's write to end

SCHEMA = """
create table if not exists notes (
    id integer primary key autoincrement,
    page text not null,
    chart text not null,
    state text not null,
    year integer,
    township_code text,
    region_code text,
    author text not null,
    created_at text not null,
    body text not null
);
create index if not exists notes_by_view on notes (page, state);
create index if not exists notes_by_year on notes (year);
"""


class NoteError(ValueError):
    """A note that cannot be written or deleted; the message key says why (see locales/notes.yaml)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class Note:
    id: int
    page: str
    chart: str
    state: dict[str, str]
    year: int | None
    township_code: str | None
    region_code: str | None
    author: str
    created_at: str
    body: str


def notes_path(data_dir: str | Path) -> Path:
    """The notes file of an extract, given its directory (the live link) or a version inside it."""
    path = Path(data_dir).absolute()
    real = path.resolve()
    if real.parent.name.endswith(".versions"):  # a version: <name>.versions/<id>/
        versions = real.parent
        return versions.with_name(versions.name.removesuffix(".versions") + FILE_SUFFIX)
    return path.with_name(path.name + FILE_SUFFIX)


def file_stamp(data_dir: str | Path) -> tuple:
    """Changes whenever a note is written or deleted, by any process: the time and size of the
    notes file and of its write-ahead log (in WAL mode a write reaches the file itself only at the
    next checkpoint). () when there are no notes yet."""
    path = notes_path(data_dir)
    stamp: tuple = ()
    for part in (path, path.with_name(path.name + "-wal")):
        try:
            stat = part.stat()
        except OSError:
            continue
        stamp += (part.name, stat.st_mtime_ns, stat.st_size)
    return stamp


def page_state(params: Mapping[str, object]) -> dict[str, str]:
    """The URL parameters that say what a page shows (language and presentation mode left out)."""
    return {str(k): str(v) for k, v in sorted(params.items()) if k not in VIEW_ONLY and v not in (None, "")}


def state_key(state: Mapping[str, str]) -> str:
    return json.dumps(dict(sorted(state.items())), ensure_ascii=False, separators=(",", ":"))


@contextmanager
def _connect(data_dir: str | Path, write: bool = False) -> Iterator[sqlite3.Connection]:
    """A connection in a transaction (committed on success); a file that cannot be opened or
    written (read-only folder, damaged file) is NoteError('notes.error_storage'), not a traceback.

    Several app processes (replicas behind nginx) share the file: it is in WAL mode (readers
    never wait for a writer), a writer waits up to ``BUSY_MS`` for another (sqlite3's ``timeout``, its busy timeout),
    and a write transaction takes the write lock when it begins (``begin immediate``), so two
    leaders saving at the same moment are served one after the other and both notes are kept."""
    try:
        with closing(sqlite3.connect(notes_path(data_dir), timeout=BUSY_MS / 1000, isolation_level=None)) as con:
            if con.execute("pragma journal_mode").fetchone()[0] != "wal":
                con.execute("pragma journal_mode = wal")  # kept in the file: once per file
            con.executescript(SCHEMA)
            con.execute("begin immediate" if write else "begin")
            try:
                yield con
            except BaseException:
                con.execute("rollback")
                raise
            con.execute("commit")
    except sqlite3.Error as exc:
        raise NoteError("notes.error_storage") from exc


def _note(row: tuple) -> Note:
    nid, page, chart, state, year, town, region, author, created, body = row
    return Note(nid, page, chart, json.loads(state), year, town, region, author, created, body)


COLUMNS = "id, page, chart, state, year, township_code, region_code, author, created_at, body"


def add_note(data_dir: str | Path, page: str, chart: str, state: Mapping[str, str], author: str, body: str) -> Note:
    """Store a note on ``chart`` of ``page`` in ``state``; NoteError if the text or author is empty or too long."""
    body, author = body.strip(), author.strip()
    if not body:
        raise NoteError("notes.error_empty")
    if len(body) > MAX_TEXT:
        raise NoteError("notes.error_long")
    if not author:
        raise NoteError("notes.error_author")
    if len(author) > MAX_AUTHOR:
        raise NoteError("notes.error_author_long")
    state = page_state(state)
    year = int(state["year"]) if state.get("year", "").isdigit() else None
    created = datetime.now(UTC).isoformat(timespec="seconds")
    row = (page, chart, state_key(state), year, state.get("township"), state.get("region"), author, created, body)
    with _connect(data_dir, write=True) as con:
        cur = con.execute(
            "insert into notes (page, chart, state, year, township_code, region_code, author, created_at, body)"
            " values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            row,
        )
        return Note(cur.lastrowid, page, chart, state, year, *row[4:])


def notes_for_view(data_dir: str | Path, page: str, state: Mapping[str, str]) -> list[Note]:
    """Every note of ``page`` in exactly this ``state`` (all its charts), oldest first: one indexed query."""
    path = notes_path(data_dir)
    if not path.exists():
        return []
    with _connect(data_dir) as con:
        rows = con.execute(
            f"select {COLUMNS} from notes where page = ? and state = ? order by created_at, id",
            (page, state_key(page_state(state))),
        ).fetchall()
    return [_note(r) for r in rows]


def notes_for_year(data_dir: str | Path, year: int, region: str | None = None) -> list[Note]:
    """The notes a meeting pack of ``year`` carries: those written on that year (or on no year)
    in the same region view (``region`` None: the whole extract), oldest first."""
    path = notes_path(data_dir)
    if not path.exists():
        return []
    with _connect(data_dir) as con:
        rows = con.execute(
            f"select {COLUMNS} from notes where (year = ? or year is null)"
            " and region_code is ? order by created_at, id",
            (year, region),
        ).fetchall()
    return [_note(r) for r in rows]


def delete_note(data_dir: str | Path, note_id: int, author: str) -> None:
    """Delete note ``note_id`` if ``author`` wrote it; NoteError('notes.error_not_author') otherwise."""
    with _connect(data_dir, write=True) as con:
        cur = con.execute("delete from notes where id = ? and author = ?", (int(note_id), author.strip()))
        if cur.rowcount != 1:
            raise NoteError("notes.error_not_author")
