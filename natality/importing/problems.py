"""Import problems: collected (up to a limit) before failing, rendered in the user's language.

Each problem names the file, the row (as the user sees it in Excel or a text editor: the header
is row 1 when it is the first line), the column header as written in the file, the value found
and what was expected. Messages live in ``natality/core/locales/importer.yaml``.
"""

from __future__ import annotations

import errno
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from natality.core.i18n import t

MAX_PROBLEMS = 50


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file; ``key`` names the message, ``fmt`` fills it."""

    file: str
    key: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    fmt: dict = field(default_factory=dict)

    def render(self, lang: str) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(t("importer.where.row", lang, row=self.row))
        if self.column is not None:
            where.append(t("importer.where.column", lang, column=self.column))
        text = t(f"importer.err.{self.key}", lang, **self.fmt)
        if self.value is not None:
            shown = self.value if len(self.value) <= 60 else self.value[:57] + "..."
            text = t("importer.where.found", lang, value=shown, expected=text)
        return t("importer.where.sep", lang).join(where) + t("importer.where.colon", lang) + text


class ImportFailed(Exception):
    """The input is wrong; nothing was written. ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem], more: int = 0) -> None:
        super().__init__(f"{len(problems) + more} problem(s) in the input")
        self.problems = problems
        self.more = more

    def render(self, lang: str) -> str:
        lines = [p.render(lang) for p in self.problems]
        if self.more:
            lines.append(t("importer.more_problems", lang, n=self.more))
        return "\n".join(lines)


@dataclass
class ProblemLog:
    """Collects problems and warnings; ``check()`` raises when any problem was found."""

    limit: int = MAX_PROBLEMS
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    more: int = 0

    def add(self, problem: Problem) -> None:
        if len(self.problems) < self.limit:
            self.problems.append(problem)
        else:
            self.more += 1

    def warn(self, problem: Problem) -> None:
        self.warnings.append(problem)

    @property
    def full(self) -> bool:
        return len(self.problems) >= self.limit

    def check(self) -> None:
        """Raise ImportFailed with the problems, file by file, in row order."""
        if self.problems:
            files = list(dict.fromkeys(p.file for p in self.problems))
            ordered = sorted(self.problems, key=lambda p: (files.index(p.file), p.row or 0))
            raise ImportFailed(ordered, self.more)


# errno -> the message key of a write that failed (no space, read-only, no permission, quota)
_WRITE_ERRORS = {
    errno.ENOSPC: "disk_full",
    errno.EDQUOT: "disk_full",
    errno.EFBIG: "disk_full",
    errno.EROFS: "read_only",
    errno.EACCES: "read_only",
    errno.EPERM: "read_only",
}


def write_problem(out: Path, exc: BaseException) -> Problem | None:
    """The message for an import that could not write (which folder, why, and that nothing
    changed), or None when ``exc`` is not a failed write. Polars and DuckDB wrap the OS error
    in their own exceptions ('... (os error 28)'), so the errno is read from the text too."""
    number = exc.errno if isinstance(exc, OSError) else None
    if number is None:
        found = re.search(r"os error (\d+)", str(exc))
        number = int(found.group(1)) if found else None
    if number is None:
        for code in _WRITE_ERRORS:
            if os.strerror(code) in str(exc):
                number = code
                break
    if number not in _WRITE_ERRORS and not isinstance(exc, OSError):
        return None
    key = _WRITE_ERRORS.get(number, "write_failed")
    path = getattr(exc, "filename", None) or str(out)
    reason = os.strerror(number) if number else str(exc)
    return Problem(str(out), f"write_{key}" if key != "write_failed" else key, fmt={"path": path, "reason": reason})
