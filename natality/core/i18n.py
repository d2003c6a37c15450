"""Messages in Simplified Chinese and English.

Catalogues are YAML files in ``natality/core/locales/``, one per area of the product; each key maps
to both languages: ``births.title: {zh: 出生人数, en: Births}``.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from natality.core import once

# libyaml's safe loader when built in (a tenth of the pure-Python one's time on every process start)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

LANGS = ("zh", "en")
LOCALES_DIR = Path(__file__).resolve().parent / "locales"


class CatalogueError(Exception):
    """A catalogue file with a duplicate key or a missing language."""


@once.cache(maxsize=1)
def catalogue() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(LOCALES_DIR.glob("*.yaml")):
        with open(path, encoding="utf-8") as fh:
            entries = yaml.load(fh, Loader=_LOADER) or {}
        for key, texts in entries.items():
            if key in merged:
                raise CatalogueError(f"{path.name}: key {key!r} is defined twice")
            if not isinstance(texts, dict) or any(not isinstance(texts.get(lang), str) for lang in LANGS):
                raise CatalogueError(f"{path.name}: key {key!r} needs a text for each of {LANGS}")
            merged[key] = texts
    return merged


def normalise_lang(value: str | None) -> str | None:
    """'zh', 'zh-CN', 'zh_Hans' -> 'zh'; 'en-GB' -> 'en'; anything else -> None."""
    if not value:
        return None
    head = value.replace("_", "-").split("-")[0].lower()
    return head if head in LANGS else None


def t(key: str, lang: str, **fmt) -> str:
    """The message ``key`` in ``lang``, formatted with ``fmt``; unknown keys raise KeyError."""
    text = catalogue()[key][lang if lang in LANGS else "en"]
    return text.format(**fmt) if fmt else text


def fmt_int(value: int | float | None, lang: str) -> str:
    return "–" if value is None else f"{round(value):,}"


def fmt_num(value: float | None, decimals: int = 1) -> str:
    return "–" if value is None else f"{value:,.{decimals}f}"


def fmt_month(year: int, month: int, lang: str) -> str:
    return f"{year}年{month}月" if lang == "zh" else f"{year}-{month:02d}"
