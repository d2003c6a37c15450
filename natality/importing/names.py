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
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import polars as pl

from natality.importing.values import BadValue

# Longest first: "城关街道办事处" loses "街道办事处", not just "处".
SUFFIXES = ("街道办事处", "街道办", "办事处", "街道", "街办", "民族乡", "镇", "乡")
COUNTY_SUFFIXES = ("自治县", "自治旗", "县级市", "新区", "县", "区", "市", "旗")
# A township's name and its county's, as one cell ("城关镇｜淮阳县"): a file's county column
# tells same-named townships apart (``with_county``); the full-width bar is no character of a name.
QUALIFIER = "｜"
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
    """Levenshtein distance (insertions, deletions, substitutions), by rapidfuzz (C++); loaded
    when a name is first matched: a file of codes (the usual births file) never needs it."""
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(a, b)


def county_key(text: str) -> str:
    """A county's name as compared: ``name_key`` without 县 / 区 / 市 (淮阳县, 淮阳区 -> 淮阳)."""
    key = name_key(text)
    for suffix in COUNTY_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


@dataclass
class NameIndex:
    """Known townships (name, code) and the dictionaries that find a code from a written name;
    ``counties``: county code (6 digits) -> the county's names, to tell same-named townships apart."""

    pairs: list[tuple[str, str]] = field(default_factory=list)
    counties: dict[str, set[str]] = field(default_factory=dict)
    # pairs and counties read when first needed (``townships.township_name_lookup``): a file of
    # codes (the usual births file) never reads the known townships' names
    load: Callable[[], tuple[list[tuple[str, str]], dict[str, set[str]]]] | None = field(default=None, repr=False)
    _by_key: dict[str, list[int]] = field(default_factory=dict, init=False, repr=False)
    _by_bare: dict[str, list[int]] = field(default_factory=dict, init=False, repr=False)
    _bare: list[str] = field(default_factory=list, init=False, repr=False)

    def _index(self) -> None:
        """The name dictionaries, built on the first look-up: an import of codes only never pays
        for the Simplified-character conversion of every known name."""
        self._loaded()
        if len(self._bare) == len(self.pairs):
            return
        self._by_key.clear(), self._by_bare.clear(), self._bare.clear()
        for i, (name, _) in enumerate(self.pairs):
            key = name_key(name)
            self._by_key.setdefault(key, []).append(i)
            self._bare.append(bare_key(key))
            self._by_bare.setdefault(self._bare[-1], []).append(i)

    def _loaded(self) -> None:
        if self.load is not None:
            load, self.load = self.load, None
            self.pairs, self.counties = load()

    def __len__(self) -> int:
        self._loaded()
        return len(self.pairs)

    def code_for(self, text: str) -> str:
        """The code of the one township this name means; BadValue naming candidates otherwise.
        ``name｜county`` (``QUALIFIER``) looks only among the townships of that county (its code
        or name)."""
        text, _, county = str(text).partition(QUALIFIER)
        self._index()
        key = name_key(text)
        for hits in (self._by_key.get(key), self._by_bare.get(bare_key(key))):
            if hits and county:
                within = [i for i in hits if self._in_county(self.pairs[i][1], county)]
                if not within:
                    raise BadValue("name_not_in_county", county=county, candidates=self._listed(hits))
                hits = within
            if hits and len({self.pairs[i][1] for i in hits}) == 1:
                return self.pairs[hits[0]][1]
            if hits:
                raise BadValue("ambiguous_name", candidates=self._listed(hits))
        raise BadValue("unknown_name", n=len(self.pairs), candidates=_Closest(self, bare_key(key)))

    def _in_county(self, code: str, county: str) -> bool:
        """Is the township ``code`` in the county written ``county`` (a 6- or 12-digit code, or a name)?"""
        digits = unicodedata.normalize("NFKC", county).strip()
        if digits.isdigit() and len(digits) in (6, 12):
            return len(code) == 12 and code[:6] == digits[:6]
        return county_key(county) in self.counties.get(code[:6], ())

    def _listed(self, indexes: list[int]) -> str:
        return "、".join(f"{self.pairs[i][0]}（{self.pairs[i][1]}）" for i in indexes)

    def closest(self, bare: str) -> str:
        """The known names nearest to ``bare`` (a ``bare_key``), closest first, then by name."""
        self._loaded()
        if not self.pairs:
            return "–"
        self._index()
        # Only names sharing a character with this one (or every name, when none does) are scored.
        chars = set(bare)
        pool = [i for i, b in enumerate(self._bare) if chars & set(b)] or range(len(self.pairs))
        scored = sorted(pool, key=lambda i: (edit_distance(bare, self._bare[i]), self.pairs[i][0]))
        return self._listed(scored[:CANDIDATES])


def with_county(raw, lookup: dict[str, str], names: NameIndex | None):
    """A file naming townships (no code column) beside a county column: each name joined with its
    row's county (``城关镇｜淮阳县``), so that ``NameIndex.code_for`` tells same-named townships in
    different counties apart. Other files are returned as they are. One vectorised pass: polars
    for a ``RawTable``, the DuckDB view ``raw`` made again for a large file's ``StreamTable``."""
    from natality.importing.headers import canonical_for  # headers imports nothing of ours

    found = {canonical_for(h, lookup): h for h in reversed(raw.headers)}
    name, county = found.get("township_name"), found.get("county")
    if names is None or name is None or county is None or "township_code" in found:
        return raw
    if hasattr(raw, "con"):  # out of core: the same cells, joined in SQL (column names are h0, h1 …)
        n, c = raw.columns[name], raw.columns[county]
        raw.con.execute("alter view raw rename to raw_without_county")
        raw.con.execute(
            f"create view raw as select * replace (case when {c} <> '' and {n} <> '' "
            f"then {n} || '{QUALIFIER}' || {c} else {n} end as {n}) from raw_without_county"
        )
        return raw
    joined = (
        pl.when((pl.col(county) != "") & (pl.col(name) != ""))
        .then(pl.col(name) + QUALIFIER + pl.col(county))
        .otherwise(pl.col(name))
    )
    return replace(raw, frame=raw.frame.with_columns(joined.alias(name)))


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
