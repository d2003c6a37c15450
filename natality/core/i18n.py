"""Messages in Simplified Chinese and English.

Catalogues are YAML files in ``natality/core/locales/``, one per area of the product; each key maps
to both languages: ``births.title: {zh: 出生人数, en: Births}``.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
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
    """Every message, checked; read from a JSON copy kept in ``locales/__pycache__`` when the
    YAML files are byte for byte those it was made from (0.02 s of YAML per process start:
    every ``python -m natality`` command pays it), else from the YAML files, the copy then
    rewritten where it can be (a read-only install reads the YAML every time)."""
    paths = sorted(LOCALES_DIR.glob("*.yaml"))
    texts = [path.read_bytes() for path in paths]
    digest = hashlib.blake2b(digest_size=12)
    for path, text in zip(paths, texts, strict=True):
        digest.update(path.name.encode() + b"\0" + text + b"\0")
    kept = LOCALES_DIR / "__pycache__" / f"catalogue-{digest.hexdigest()}.json"
    try:
        return json.loads(kept.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    merged: dict[str, dict[str, str]] = {}
    for path, text in zip(paths, texts, strict=True):
        entries = yaml.load(text.decode("utf-8"), Loader=_LOADER) or {}
        for key, texts_ in entries.items():
            if key in merged:
                raise CatalogueError(f"{path.name}: key {key!r} is defined twice")
            if not isinstance(texts_, dict) or any(not isinstance(texts_.get(lang), str) for lang in LANGS):
                raise CatalogueError(f"{path.name}: key {key!r} needs a text for each of {LANGS}")
            merged[key] = texts_
    _keep(kept, merged)
    return merged


def _keep(path: Path, merged: dict) -> None:
    """Write the checked catalogue's JSON copy whole (a temporary file renamed), older copies removed."""
    try:
        path.parent.mkdir(exist_ok=True)
        for old in path.parent.glob("catalogue-*.json"):
            old.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".catalogue-", dir=path.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(merged, fh, ensure_ascii=False)
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)


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
