"""``python -m natality pack``: its arguments, without importing the pack's machinery.

Building slides needs python-pptx, pypdf, kaleido and the figures of every area (about a second
of imports); every other command (``query``, ``versions`` …) starts without them.
"""

from __future__ import annotations


def register_cli(subparsers) -> None:
    """Add ``pack`` to ``python -m natality``."""
    p = subparsers.add_parser("pack", help="build the meeting pack (16:9 PPTX or PDF) for a year")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--data", default=None, help="extract directory (default: $NATALITY_DATA or data/demo)")
    p.add_argument("--lang", choices=["zh", "en"], default="zh")
    p.add_argument("--region", default=None, help="a county, city or province code (default: the whole extract)")
    p.add_argument("--out", required=True, help="FILE.pptx or FILE.pdf")
    p.set_defaults(handler=_run_pack)


def _run_pack(args) -> int:
    from natality.export import pack

    return pack.run_pack(args)
