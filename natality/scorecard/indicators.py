"""The indicator registry: which indicators a county scores, how, and with which classes.

The registry is data (``indicators.yaml``): the library ships a default and an extract may carry
its own beside ``manifest.json``, which then wins. Loading validates every field and raises
``RegistryError`` with a message naming the file, the indicator and the field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from natality.core import extract, once

DEFAULT_REGISTRY = Path(__file__).with_name("indicators.yaml")
# libyaml's safe loader when built in, as i18n's catalogue: the pure-Python one took 30 ms of an import.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
QUERIES_DIR = Path(__file__).resolve().parents[2] / "queries"
FORMULAS = ("count", "rate", "srb")
DIRECTIONS = ("higher", "lower")
JUDGES = ("point", "interval")
PARTIAL_YEAR = ("prorate_target", "annualise_value", "as_is")
CREDITS = ("all_or_nothing", "proportional")
FLOORS = ("points", "percent")  # floor: {points: N} in the indicator's unit, {percent: N} of the target
PRORATE = ("seasonal", "linear")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class RegistryError(ValueError):
    """The registry file is malformed; the message says where and what was expected."""


@dataclass(frozen=True)
class Indicator:
    id: str
    name: dict[str, str]
    unit: dict[str, str]
    decimals: int
    query: str | None  # queries/<query>.sql, or None for the reported table
    reported: str | None  # reported.indicator, or None for a query
    formula: str
    scale: float
    directions: tuple[tuple[int, str], ...]  # (first_year, direction), ascending
    weight: float
    veto: bool
    min_denominator: float
    judge: str
    partial_year: str
    credit: str = "all_or_nothing"  # the registry's scoring.credit unless the indicator says
    floor: tuple[str, float] | None = None  # (FLOORS kind, amount): where proportional credit reaches 0

    def floor_gap(self, target: float) -> float | None:
        """How far on the wrong side of ``target`` proportional credit reaches nothing (None: no
        floor, credit is then value / target as achieved)."""
        if self.floor is None:
            return None
        kind, amount = self.floor
        return amount if kind == "points" else abs(target) * amount / 100

    def partial_credit(self, value: float | None, target: float | None, direction: str, achievement) -> float:
        """The share of the weight a missed indicator earns (1.0 at the target, 0.0 at the floor)."""
        if self.credit != "proportional" or value is None or target is None:
            return 0.0
        gap = self.floor_gap(target)
        if gap is None:  # no floor: how close it came, value vs target
            return min(max(achievement or 0.0, 0.0), 1.0)
        short = target - value if direction == "higher" else value - target
        return min(max(1.0 - short / gap, 0.0), 1.0) if gap > 0 else 0.0

    def direction(self, year: int) -> str:
        """Which side of the target is good in ``year``: 'higher' or 'lower'."""
        chosen = self.directions[0][1]
        for first_year, direction in self.directions:
            if year >= first_year:
                chosen = direction
        return chosen


@dataclass(frozen=True)
class ScoreClass:
    id: str
    name: dict[str, str]
    min_score: float


@dataclass(frozen=True)
class Registry:
    indicators: tuple[Indicator, ...]
    classes: tuple[ScoreClass, ...]  # highest min_score first
    veto_class: str
    credit: str
    prorate: str
    score_decimals: int
    vetoed_rank_last: bool
    source: str

    def indicator(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    def score_class(self, class_id: str) -> ScoreClass:
        return next(c for c in self.classes if c.id == class_id)


def registry_path(data_dir: str | Path | None = None) -> Path:
    """The extract's own indicators.yaml when it has one, else the library default."""
    try:
        own = extract.live_version_dir(data_dir) / "indicators.yaml"
    except extract.ExtractError:
        return DEFAULT_REGISTRY
    return own if own.is_file() else DEFAULT_REGISTRY


def load_registry(data_dir: str | Path | None = None, path: str | Path | None = None) -> Registry:
    """Read and validate the registry (``path``, else the extract's, else the default)."""
    path = Path(path) if path is not None else registry_path(data_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RegistryError(f"{path}: cannot read the indicator registry ({exc.strerror})") from exc
    return parse_registry(text, source=str(path))


@once.cache(maxsize=16)
def parse_registry(text: str, source: str = "indicators.yaml") -> Registry:
    """Validate registry YAML text and build the Registry (kept per text: pages read it on every
    view, and parsing the YAML was a tenth of a view's CPU; a Registry is never changed)."""
    try:
        doc = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise RegistryError(f"{source}: not valid YAML ({exc})") from exc
    if not isinstance(doc, dict):
        raise RegistryError(f"{source}: expected a mapping with 'indicators', 'scoring' and 'classes'")
    where = _Where(source)
    items = doc.get("indicators")
    if not isinstance(items, list) or not items:
        raise where.error("", "indicators", "a non-empty list of indicators")
    scoring = doc.get("scoring") or {}
    if not isinstance(scoring, dict):
        raise where.error("", "scoring", "a mapping")
    credit = where.choice(scoring, "scoring", "credit", CREDITS, "all_or_nothing")
    indicators = tuple(_indicator(item, i, where, credit) for i, item in enumerate(items))
    ids = [ind.id for ind in indicators]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise RegistryError(f"{source}: indicator id repeated: {', '.join(dupes)}")
    classes = _classes(doc.get("classes"), where)
    veto_class = doc.get("veto_class", classes[-1].id)
    if veto_class not in [c.id for c in classes]:
        raise where.error(
            "",
            "veto_class",
            f"one of the class ids {[c.id for c in classes]}",
            veto_class,
        )
    return Registry(
        indicators=indicators,
        classes=classes,
        veto_class=veto_class,
        credit=credit,
        prorate=where.choice(scoring, "scoring", "prorate", PRORATE, "seasonal"),
        score_decimals=where.integer(scoring, "scoring", "score_decimals", 1),
        vetoed_rank_last=where.boolean(scoring, "scoring", "vetoed_rank_last", True),
        source=source,
    )


class _Where:
    """Field readers that raise one clear message per problem."""

    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, what: str, field: str, expected: str, got: object = None) -> RegistryError:
        place = f"{what}: " if what else ""
        tail = "" if got is None else f", got {got!r}"
        return RegistryError(f"{self.source}: {place}'{field}' must be {expected}{tail}")

    def required(self, item: dict, what: str, field: str) -> object:
        if field not in item or item[field] is None:
            raise RegistryError(f"{self.source}: {what}: '{field}' is missing")
        return item[field]

    def names(self, item: dict, what: str, field: str) -> dict[str, str]:
        value = self.required(item, what, field)
        ok = isinstance(value, dict) and all(isinstance(value.get(k), str) and value[k] for k in ("zh", "en"))
        if not ok:
            raise self.error(what, field, "a mapping with non-empty 'zh' and 'en' texts", value)
        return {"zh": value["zh"], "en": value["en"]}

    def choice(self, item: dict, what: str, field: str, allowed: tuple, default=None) -> str:
        value = item.get(field, default) if default is not None else self.required(item, what, field)
        if value not in allowed:
            raise self.error(what, field, " or ".join(repr(a) for a in allowed), value)
        return value

    def number(self, item: dict, what: str, field: str, minimum: float = 0.0) -> float:
        value = self.required(item, what, field)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
            raise self.error(what, field, f"a number >= {minimum:g}", value)
        return float(value)

    def integer(self, item: dict, what: str, field: str, default: int | None = None) -> int:
        value = item.get(field, default) if default is not None else self.required(item, what, field)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 6:
            raise self.error(what, field, "a whole number from 0 to 6", value)
        return value

    def boolean(self, item: dict, what: str, field: str, default: bool | None = None) -> bool:
        value = item.get(field, default) if default is not None else self.required(item, what, field)
        if not isinstance(value, bool):
            raise self.error(what, field, "true or false", value)
        return value


def _indicator(item: object, index: int, where: _Where, credit: str = "all_or_nothing") -> Indicator:
    if not isinstance(item, dict):
        raise where.error(f"indicator #{index + 1}", "indicator", "a mapping of fields", item)
    ind_id = item.get("id")
    if not isinstance(ind_id, str) or not _NAME.match(ind_id):
        raise where.error(
            f"indicator #{index + 1}",
            "id",
            "a lowercase name like 'birth_rate'",
            ind_id,
        )
    what = f"indicator '{ind_id}'"
    source = where.required(item, what, "source")
    if not isinstance(source, dict) or len(source) != 1 or not {"query", "reported"} & source.keys():
        raise where.error(what, "source", "{query: NAME} or {reported: INDICATOR}", source)
    query, reported = source.get("query"), source.get("reported")
    name = query or reported
    if not isinstance(name, str) or not _NAME.match(name):
        raise where.error(what, "source", "a lowercase query or indicator name", name)
    if query and not (QUERIES_DIR / f"{query}.sql").is_file():
        raise where.error(what, "source", f"a query in queries/ (queries/{query}.sql not found)")
    return Indicator(
        id=ind_id,
        name=where.names(item, what, "name"),
        unit=where.names(item, what, "unit"),
        decimals=where.integer(item, what, "decimals"),
        query=query,
        reported=reported,
        formula=where.choice(item, what, "formula", FORMULAS),
        scale=where.number(item, what, "scale", minimum=1e-9),
        directions=_directions(where.required(item, what, "direction"), what, where),
        weight=where.number(item, what, "weight", minimum=1e-9),
        veto=where.boolean(item, what, "veto"),
        min_denominator=where.number(item, what, "min_denominator"),
        judge=where.choice(item, what, "judge", JUDGES),
        partial_year=where.choice(item, what, "partial_year", PARTIAL_YEAR),
        credit=where.choice(item, what, "credit", CREDITS, credit),
        floor=_floor(item.get("floor"), what, where),
    )


def _floor(value: object, what: str, where: _Where) -> tuple[str, float] | None:
    if value is None:
        return None
    expected = "{points: N} (in the indicator's unit) or {percent: N} (of the target), N > 0"
    if not isinstance(value, dict) or len(value) != 1 or next(iter(value)) not in FLOORS:
        raise where.error(what, "floor", expected, value)
    kind, amount = next(iter(value.items()))
    if isinstance(amount, bool) or not isinstance(amount, int | float) or amount <= 0:
        raise where.error(what, "floor", expected, value)
    return kind, float(amount)


def _directions(value: object, what: str, where: _Where) -> tuple[tuple[int, str], ...]:
    expected = "'higher', 'lower' or a mapping {first_year: direction}"
    if isinstance(value, str):
        if value not in DIRECTIONS:
            raise where.error(what, "direction", expected, value)
        value = {0: value}
    if not isinstance(value, dict) or not value:
        raise where.error(what, "direction", expected, value)
    out = []
    for year, direction in value.items():
        if isinstance(year, bool) or not isinstance(year, int) or direction not in DIRECTIONS:
            raise where.error(what, "direction", expected, {year: direction})
        out.append((year, direction))
    return tuple(sorted(out))


def _classes(items: object, where: _Where) -> tuple[ScoreClass, ...]:
    if not isinstance(items, list) or not items:
        raise where.error("", "classes", "a non-empty list of {id, name, min_score}")
    classes = []
    for i, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise where.error(f"class #{i + 1}", "id", "a class id", item)
        what = f"class '{item['id']}'"
        score = where.number(item, what, "min_score")
        if score > 100:
            raise where.error(what, "min_score", "a number from 0 to 100", score)
        classes.append(ScoreClass(item["id"], where.names(item, what, "name"), score))
    scores = [c.min_score for c in classes]
    if scores != sorted(scores, reverse=True) or len(set(scores)) != len(scores):
        raise RegistryError(
            f"{where.source}: 'classes' must be listed from the highest min_score down, "
            f"each min_score different, got {scores}"
        )
    if scores[-1] != 0:
        raise RegistryError(f"{where.source}: the last class must have min_score 0 so every score has a class")
    return tuple(classes)
