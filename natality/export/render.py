"""Slide-ready images (PNG, PDF pages), rendered server-side by kaleido.

Kaleido drives the system Chromium (never a downloaded one; no network: MathJax is off and
plotly.js comes from the plotly package). One browser serves every image of a pack. Chinese
needs a CJK font (Noto Sans CJK SC, Debian package fonts-noto-cjk): without one the export
stops with a clear message rather than drawing empty boxes.

The pack itself (slides, PPTX/PDF writers, CLI) is in natality.export.pack.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import threading
from pathlib import Path

import plotly.graph_objects as go

SLIDE_PX = (960, 540)  # at scale 2: 1920 x 1080, the size of a 16:9 slide
SCALE = 2
CJK_FAMILY = "Noto Sans CJK SC"
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
# kaleido's sync server is one per process and answers calls in order without telling callers
# apart: two sessions exporting at once must take turns.
_SERVER_LOCK = threading.RLock()
MIME = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
}


class ExportError(Exception):
    """The export cannot run here (no CJK font, no Chromium) or failed: the message says why."""


def cjk_font_file() -> Path:
    """The font file fontconfig uses for Noto Sans CJK SC; ExportError when it has none."""
    if shutil.which("fc-match") is None:
        raise ExportError("fontconfig (fc-match) is missing: cannot check for a CJK font. Install fontconfig.")
    result = subprocess.run(
        ["fc-match", "-f", "%{family}|%{file}", f"{CJK_FAMILY}:lang=zh-cn"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    family, _, path = result.stdout.partition("|")
    if result.returncode != 0 or not any(k in family for k in ("CJK", "Source Han", "Noto Sans SC")) or not path:
        raise ExportError(
            f"no CJK font found (fontconfig resolves {CJK_FAMILY!r} to {family or 'nothing'!r}): Chinese would "
            "render as empty boxes. Install Noto Sans CJK (Debian/Ubuntu: apt-get install fonts-noto-cjk)."
        )
    return Path(path)


def chromium_path() -> str:
    """The system Chromium: $NATALITY_CHROMIUM, $BROWSER_PATH, or a usual install path."""
    for candidate in (os.environ.get("NATALITY_CHROMIUM"), os.environ.get("BROWSER_PATH"), *CHROMIUM_CANDIDATES):
        if candidate and Path(candidate).is_file():
            return candidate
    raise ExportError(
        "no Chromium found for image export: install it (apt-get install chromium) or set NATALITY_CHROMIUM to its path"
    )


class Renderer:
    """Figures -> PNG or PDF bytes through one kaleido browser, kept open while the ``with`` lasts."""

    def __init__(self) -> None:
        self.images = 0

    def __enter__(self) -> Renderer:
        import kaleido

        cjk_font_file()
        _SERVER_LOCK.acquire()
        # The sync server is a process-wide singleton: a nested renderer reuses the running one.
        self._owner = not kaleido._global_server.is_running()
        if self._owner:
            kaleido.start_sync_server(path=chromium_path(), mathjax=False, n=1, timeout=120, silence_warnings=True)
        return self

    def __exit__(self, *exc: object) -> None:
        import kaleido

        try:
            if self._owner:
                kaleido.stop_sync_server(silence_warnings=True)
        finally:
            _SERVER_LOCK.release()

    def render(self, fig: go.Figure, fmt: str = "png", size: tuple[int, int] = SLIDE_PX) -> bytes:
        import kaleido

        opts = {"format": fmt, "width": size[0], "height": size[1], "scale": SCALE}
        try:
            data = kaleido.calc_fig_sync(fig, opts=opts)
        except Exception as exc:  # kaleido raises its own types; the caller needs one
            raise ExportError(f"image export failed: {type(exc).__name__}: {exc}") from exc
        self.images += 1
        return data


def figure_png(fig: go.Figure, size: tuple[int, int] = SLIDE_PX) -> bytes:
    """One slide-size PNG (1920 x 1080 at the default size)."""
    with Renderer() as renderer:
        return renderer.render(fig, "png", size)


def png_size(data: bytes) -> tuple[int, int]:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return image.size
