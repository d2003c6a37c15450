"""The context every page and export shares: language, live extract, cut-off, period texts.

Free of Streamlit, so that the command line (the meeting pack) builds the same texts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import polars as pl

from natality.core import db, i18n, literal


@dataclass(frozen=True)
class Ctx:
    """What every page (and the meeting pack) needs: language, the live extract and its cut-off."""

    lang: str
    data_dir: str
    version_dir: str
    manifest: dict
    # The region the pages are narrowed to (a county, city or province code; None = the whole
    # extract) and its names in Chinese and English.
    region_code: str | None = None
    region_names: tuple[str, str] | None = None

    @property
    def cutoff_year(self) -> int:
        return int(self.manifest["cutoff_month"][:4])

    @property
    def cutoff_month(self) -> int:
        return int(self.manifest["cutoff_month"][5:7])

    @property
    def name_col(self) -> str:
        """The township-name column of query results for this language."""
        return "township_name" if self.lang == "zh" else "township_name_en"

    def t(self, key: str, **fmt: Any) -> str:
        return i18n.t(key, self.lang, **fmt)

    @property
    def partial_year(self) -> int | None:
        """The cut-off year when it is not yet complete (its figures are partial), else None."""
        return self.cutoff_year if self.months_in(self.cutoff_year) < 12 else None

    def labeller(self, prefix: str) -> Callable[[object], str]:
        """A selector's ``format_func``: option ``x`` shown as the message ``prefix.x``."""
        return lambda option: self.t(f"{prefix}.{option}")

    def region(self) -> str:
        """The name of what the pages show: the chosen region, or the whole extract."""
        if self.region_names is not None:
            return self.region_names[1 if self.lang == "en" else 0]
        return self.extract_name()

    def extract_name(self) -> str:
        if self.lang == "en":
            return self.manifest.get("region_name_en") or self.manifest.get("region_name", "")
        return self.manifest.get("region_name", "")

    def cutoff_text(self) -> str:
        return i18n.fmt_month(self.cutoff_year, self.cutoff_month, self.lang)

    def footnote(self, escape: Callable[[object], str] = literal.plot) -> str:
        """The figures' footnote (cut-off and source); ``escape`` the extract's name for the text's
        sink: plotly by default, ``literal.md`` for a Streamlit caption."""
        key = "common.source_demo" if self.manifest.get("synthetic") else "common.source"
        source = self.t(key, region=escape(self.extract_name()))
        return self.t("common.footnote", cutoff=self.cutoff_text(), source=source)

    def months_in(self, year: int) -> int:
        """Months of data in ``year``: 12, or the cut-off month for the current year."""
        return self.cutoff_month if year == self.cutoff_year else 12

    def period(self, year: int, months: int | None = None) -> str:
        """'2026年1-9月' / '2026 Jan-Sep' for a partial year, '2025年' / '2025' for a full one.

        ``months`` gives the same months of another year ('2025年1-9月' to compare with 2026).
        """
        months = months or self.months_in(year)
        if months == 12:
            return self.t("common.period_year", year=year)
        if months == 1:
            return self.t("common.period_month", year=year, month_name=self.t("charts.month_1"))
        return self.t("common.period_ytd", year=year, month=months, month_name=self.t(f"charts.month_{months}"))

    def query(self, name: str, **params: Any) -> pl.DataFrame:
        """Uncached ``db.run_query`` on this version and region (the UI uses ``ui.query``, cached)."""
        return db.run_query(name, self.version_dir, **self.scoped(name, params))

    def scoped(self, name: str, params: dict[str, Any]) -> dict[str, Any]:
        """``params`` with this context's region, for a query that takes ``$region``."""
        if "region" in db.query_parameters(name) and "region" not in params:
            return {**params, "region": self.region_code}
        return params


def region_names(version_dir: str, manifest: dict) -> dict[str, tuple[str, str]]:
    """region_code -> (Chinese name, English name) of every region of the extract.

    A region without a name of its own (no regions file, no parent name) that is the extract's
    own code takes the manifest's names; any other keeps its code.
    """
    rows = db.run_query("regions", version_dir).rows(named=True)
    names = {r["region_code"]: (r["name"], r["name_en"]) for r in rows}
    own = manifest.get("region_code")
    if own in names and names[own][0] == own:
        zh = manifest.get("region_name", own)
        names[own] = (zh, manifest.get("region_name_en") or zh)
    return names


class UnknownRegion(ValueError):
    """A region code that is not a county, city or province of the extract."""


def context_for(
    lang: str, version_dir: str, manifest: dict, region: str | None = None, data_dir: str | None = None
) -> Ctx:
    """A Ctx narrowed to ``region`` (None: the whole extract); UnknownRegion for a code the extract lacks."""
    names = region_names(version_dir, manifest).get(region) if region else None
    if region and names is None:
        raise UnknownRegion(region)
    return Ctx(
        lang=lang,
        data_dir=data_dir or version_dir,
        version_dir=version_dir,
        manifest=manifest,
        region_code=region,
        region_names=names,
    )
