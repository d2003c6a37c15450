"""The import's summary in the user's language: what was imported, from which file and sheet, what
was dropped, and the warnings (the command line's stderr, the Data page's message)."""

from __future__ import annotations

from dataclasses import dataclass

from natality.core.i18n import t
from natality.importing.problems import Problem


@dataclass
class ImportSummary:
    """A finished import: its version, manifest, warnings and what each input file gave."""

    version: str
    manifest: dict
    warnings: list[Problem]
    files: list[dict]  # per input file: table, file, encoding, sheet, personal, ignored, sheets


def summary_text(summary: ImportSummary, lang: str) -> str:
    """What was imported, what was dropped, and the warnings, in the user's language."""
    m = summary.manifest
    lines = [t("importer.done", lang, version=summary.version, cutoff=m.get("cutoff_month") or "–")]
    counts = ", ".join(f"{k} {v:,}" for k, v in m.get("row_counts", {}).items())
    lines.append(t("importer.row_counts", lang, counts=counts))
    for info in summary.files:
        lines.append(
            t(
                "importer.file_read",
                lang,
                file=info["file"],
                table=info["table"],
                encoding=info["encoding"] or info["sheet"] or "parquet",
            )
        )
        if info["personal"]:
            lines.append(t("importer.personal_dropped", lang, columns=", ".join(info["personal"])))
        if info["ignored"]:
            lines.append(t("importer.ignored", lang, columns=", ".join(info["ignored"])))
        for note in info.get("sheets") or []:  # a workbook of month sheets: what each sheet gave
            lines.append(t(f"importer.sheet.{note.key}", lang, sheet=note.sheet, **note.fmt))
    for warning in summary.warnings:
        lines.append(t("importer.warning", lang, text=warning.render(lang)))
    return "\n".join(lines)
