"""Progress of long work (an import, the meeting pack), told as it goes.

The work calls a ``Progress`` at each step with how far it is (``done`` of ``total`` steps) and
a message key with its values, never a ready text: the receiver knows the language. The command
line prints it (``terminal_progress``: a bar redrawn in place on a terminal, one plain line a
step otherwise, for logs and pipes); the pages show it with ``st.progress`` (``natality.ui``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from natality.core.i18n import t

# progress(done, total, message key, message values)
Progress = Callable[[int, int, str, dict], None]
BAR_WIDTH = 24


def step_text(done: int, total: int, key: str, fmt: dict, lang: str) -> str:
    """One step in words: '[3/6] Reading births.csv …'."""
    return f"[{done}/{max(total, 1)}] {t(key, lang, **fmt)}"


def fraction(done: int, total: int) -> float:
    return min(1.0, max(0.0, done / total)) if total > 0 else 0.0


def terminal_progress(lang: str, stream: TextIO | None = None, style: str | None = None) -> Progress:
    """A ``Progress`` printing to ``stream`` (stderr): on a terminal a bar redrawn on one line,
    else plain lines (a log file or a pipe keeps every step, without control characters);
    ``style`` "bar" or "lines" chooses."""
    out = stream or sys.stderr
    tty = out.isatty() if style is None else style == "bar"

    def report(done: int, total: int, key: str, fmt: dict) -> None:
        text = step_text(done, total, key, fmt, lang)
        if not tty:
            print(text, file=out, flush=True)
            return
        filled = round(BAR_WIDTH * fraction(done, total))
        bar = "█" * filled + "░" * (BAR_WIDTH - filled)
        report.open = done < total  # the bar's line is ended when the work is done (or by ``end_line``)
        print(f"\r\x1b[2K{bar} {text}", end="" if report.open else "\n", file=out, flush=True)

    def end_line() -> None:
        if report.open:
            print(file=out, flush=True)
            report.open = False

    report.open = False
    report.end_line = end_line  # the work stopped before its last step: messages start on a new line
    return report


def quiet(done: int, total: int, key: str, fmt: dict) -> None:
    """A ``Progress`` that says nothing."""


class Steps:
    """Counts the steps of one piece of work and tells ``progress`` (None: nobody) of each."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def now(self, key: str, **fmt: object) -> None:
        """The step begun now (not yet done)."""
        if self.progress is not None:
            self.progress(self.done, self.total, key, fmt)

    def did(self, key: str, **fmt: object) -> None:
        """A step finished."""
        self.done = min(self.total, self.done + 1)
        self.now(key, **fmt)
