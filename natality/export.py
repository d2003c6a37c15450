"""Slide-ready images and the meeting pack (PPTX or PDF), rendered server-side by kaleido.

Kaleido drives the system Chromium (never a downloaded one; no network: MathJax is off and
plotly.js comes from the plotly package). One browser serves every image of a pack. Chinese
needs a CJK font (Noto Sans CJK SC, Debian package fonts-noto-cjk): without one the export
stops with a clear message rather than drawing empty boxes.

CLI: ``python -m natality pack --year YYYY [--data DIR] [--lang zh|en] --out FILE.pptx|FILE.pdf``.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import threading
import time
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
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
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
    raise ExportError("no Chromium found for image export: install it (apt-get install chromium) "
                      "or set NATALITY_CHROMIUM to its path")  # fmt: skip


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


def pack_bytes(data_dir: str | Path | None, year: int, lang: str, fmt: str) -> bytes:
    """The meeting pack of ``year`` in ``lang`` as PPTX or PDF bytes."""
    from natality import export_pack, export_slides

    if fmt not in MIME:
        raise ExportError(f"unknown pack format {fmt!r}: expected pptx or pdf")
    with Renderer() as renderer:
        slides = export_slides.build_slides(data_dir, year, lang)
        if fmt == "pptx":
            return export_pack.write_pptx(slides, renderer, lang)
        return export_pack.write_pdf(slides, renderer, lang)


def register_cli(subparsers) -> None:
    """Add ``pack`` to ``python -m natality``."""
    p = subparsers.add_parser("pack", help="build the meeting pack (16:9 PPTX or PDF) for a year")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--data", default=None, help="extract directory (default: $NATALITY_DATA or data/demo)")
    p.add_argument("--lang", choices=["zh", "en"], default="zh")
    p.add_argument("--out", required=True, help="FILE.pptx or FILE.pdf")
    p.set_defaults(handler=run_pack)


def run_pack(args) -> int:
    """Exit 0 written; 2 bad input (format, year); 1 the pack cannot be made here (font, browser)."""
    from natality import extract

    out = Path(args.out)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in MIME:
        print(f"error: --out {out}: expected a .pptx or .pdf file name", file=sys.stderr)
        return 2
    try:
        manifest = extract.read_manifest(extract.live_version_dir(args.data or extract.default_data_dir()))
    except extract.ExtractError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    last = int(manifest["cutoff_month"][:4])
    if not 2000 <= args.year <= last:
        print(f"error: --year {args.year}: the extract has data up to {manifest['cutoff_month']}", file=sys.stderr)
        return 2
    started = time.monotonic()
    try:
        data = pack_bytes(args.data, args.year, args.lang, fmt)
    except ExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    with contextlib.suppress(FileNotFoundError):
        out.unlink()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, out)  # a reader never sees half a file
    print(f"meeting pack written: {out} ({len(data) / 1024:,.0f} KB, {time.monotonic() - started:.1f} s)",
          file=sys.stderr)  # fmt: skip
    return 0


def png_size(data: bytes) -> tuple[int, int]:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return image.size
