"""Township names matched to codes, for files that carry names instead of codes.

A name is compared after normalising: full-width forms to half-width (NFKC), no spaces, lower
case, Traditional characters in their Simplified form (``zhconv``), and, failing that, without
the 镇 / 乡 / 街道 / 办事处 suffix. Lookups are dictionaries built once per import, so a file
of 2,000 townships by name reads as fast as one by code. A name that matches no township, or
several, is refused with the closest known names (by edit distance), never guessed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz.distance import Levenshtein

from natality.importing.values import BadValue

# Longest first: "城关街道办事处" loses "街道办事处", not just "处".
SUFFIXES = ("街道办事处", "街道办", "办事处", "街道", "街办", "民族乡", "镇", "乡")
CANDIDATES = 3  # closest names shown in a message
_SPACE = re.compile(r"\s+")


def _simplified(text: str) -> str:
    import zhconv  # imported here: only imports of files with names pay for its dictionary

    return zhconv.convert(text, "zh-hans")


def name_key(text: str) -> str:
    """A name as compared: NFKC, no spaces, lower case, Simplified characters."""
    value = _SPACE.sub("", unicodedata.normalize("NFKC", str(text))).lower()
    return _simplified(value) if value and not value.isascii() else value


def bare_key(key: str) -> str:
    """``name_key`` without the township-type suffix ("王店乡" -> "王店"), when a stem remains."""
    for suffix in SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions), by rapidfuzz (C++)."""
    return Levenshtein.distance(a, b)


@dataclass
class NameIndex:
    """Known townships (name, code) and the dictionaries that find a code from a written name."""

    pairs: list[tuple[str, str]]
    _by_key: dict[str, list[int]] = field(default_factory=dict, init=False, repr=False)
    _by_bare: dict[str, list[int]] = field(default_factory=dict, init=False, repr=False)
    _bare: list[str] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        for i, (name, _) in enumerate(self.pairs):
            key = name_key(name)
            self._by_key.setdefault(key, []).append(i)
            self._bare.append(bare_key(key))
            self._by_bare.setdefault(self._bare[-1], []).append(i)

    def __len__(self) -> int:
        return len(self.pairs)

    def code_for(self, text: str) -> str:
        """The code of the one township this name means; BadValue naming candidates otherwise."""
        key = name_key(text)
        for hits in (self._by_key.get(key), self._by_bare.get(bare_key(key))):
            if hits and len({self.pairs[i][1] for i in hits}) == 1:
                return self.pairs[hits[0]][1]
            if hits:
                raise BadValue("ambiguous_name", candidates=self._listed(hits))
        raise BadValue("unknown_name", n=len(self.pairs), candidates=_Closest(self, bare_key(key)))

    def _listed(self, indexes: list[int]) -> str:
        return "、".join(f"{self.pairs[i][0]}（{self.pairs[i][1]}）" for i in indexes)

    def closest(self, bare: str) -> str:
        """The known names nearest to ``bare`` (a ``bare_key``), closest first, then by name."""
        if not self.pairs:
            return "–"
        # Only names sharing a character with this one (or every name, when none does) are scored.
        chars = set(bare)
        pool = [i for i, b in enumerate(self._bare) if chars & set(b)] or range(len(self.pairs))
        scored = sorted(pool, key=lambda i: (edit_distance(bare, self._bare[i]), self.pairs[i][0]))
        return self._listed(scored[:CANDIDATES])


class _Closest:
    """The candidates of a message, found only when the message is shown: a file of 2,000
    unknown names lists 50 problems, and only those 50 scan the known names."""

    def __init__(self, index: NameIndex, bare: str) -> None:
        self.index, self.bare, self._text = index, bare, None

    def __str__(self) -> str:
        if self._text is None:
            self._text = self.index.closest(self.bare)
        return self._text

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)
