"""QR codes of a view's URL, made offline by segno (pure Python): the meeting screen shows one so
that everyone in the room opens the same view on their phone."""

from __future__ import annotations

import io

import segno


def qr_code(url: str) -> segno.QRCode:
    """The QR code of ``url``, error correction M (a projected code photographed at an angle)."""
    return segno.make(url, error="m", micro=False)


def qr_svg(url: str, size_px: int = 220) -> str:
    """The QR code as an inline SVG about ``size_px`` wide (whole pixels per module, black on
    white, a quiet zone of 4 modules), no XML header."""
    code = qr_code(url)
    scale = max(2, size_px // code.symbol_size(scale=1, border=4)[0])
    buffer = io.BytesIO()
    code.save(buffer, kind="svg", scale=scale, border=4, xmldecl=False, svgns=True, dark="#000", light="#fff")
    return buffer.getvalue().decode("utf-8")


def qr_png(url: str, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    qr_code(url).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def qr_data_uri(url: str, size_px: int = 220) -> str:
    """The SVG of ``qr_svg`` as a ``data:`` URI for an ``<img>`` (the page's HTML sanitiser
    keeps images but drops inline SVG)."""
    code = qr_code(url)
    scale = max(2, size_px // code.symbol_size(scale=1, border=4)[0])
    return code.svg_data_uri(scale=scale, border=4, dark="#000", light="#fff")
