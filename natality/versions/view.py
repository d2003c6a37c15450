"""The Data page's pieces: facts about the live extract, the completeness heatmap, and the upload
step (the same import as the command line, with the same messages). No Streamlit here.
"""

from __future__ import annotations

import hmac
import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

import plotly.graph_objects as go
import polars as pl

from natality.core import extract, ranking, theme
from natality.core.i18n import fmt_month, t
from natality.core.literal import plot
from natality.core.progress import Progress
from natality.importing import import_log
from natality.importing.importer import ImportRequest, run_import
from natality.importing.problems import ImportFailed
from natality.importing.summary import summary_text

UPLOAD_SLOTS = ("births", "boundaries", "population", "targets", "reported", "crosswalk", "mapping")
DEFAULT_UPLOAD_MB = 200
MAX_ATTEMPTS, ATTEMPT_WINDOW_S = 5, 60.0  # password attempts per session: 5 a minute
ALERT_COLOUR = "#1F2933"  # data alerts ringed on the heatmap
GAP_COLOUR = "#D55E00"  # months without records: the house palette's alarm colour


def extract_facts(manifest: dict, lang: str) -> pl.DataFrame:
    """What extract is live, as an item/value table."""
    cutoff = manifest.get("cutoff_month") or ""
    region = manifest.get("region_name_en" if lang == "en" else "region_name") or manifest.get("region_name", "")
    rows = [
        ("data.fact_region", f"{region} ({manifest.get('region_code', '')})"),
        ("data.fact_version", manifest.get("version", "")),
        ("data.fact_created", str(manifest.get("created_at", "")).replace("T", " ")),
        ("data.fact_cutoff", fmt_month(int(cutoff[:4]), int(cutoff[5:7]), lang) if len(cutoff) == 7 else "–"),
        ("data.fact_kind", t("data.kind_synthetic" if manifest.get("synthetic") else "data.kind_real", lang)),
        ("data.fact_population", t(f"data.population_{manifest.get('population_basis', 'mean')}", lang)),
    ]
    crosswalk = (manifest.get("row_counts") or {}).get("crosswalk")
    if crosswalk:
        rows.append(("data.fact_crosswalk", t("data.crosswalk", lang, n=f"{crosswalk:,}")))
    shapeless = manifest.get("townships_without_shape") or []
    if shapeless:
        listed = ", ".join(shapeless[:10]) + (" …" if len(shapeless) > 10 else "")
        rows.append(("data.fact_shapeless", t("data.shapeless", lang, n=len(shapeless), codes=listed)))
    return pl.DataFrame(
        {t("data.col_item", lang): [t(k, lang) for k, _ in rows], t("data.col_value", lang): [v for _, v in rows]}
    )


def row_counts(manifest: dict) -> list[tuple[str, int]]:
    counts = manifest.get("row_counts", {})
    return [(table, int(counts[table])) for table in extract.TABLES if table in counts]


def sources_table(manifest: dict, lang: str) -> pl.DataFrame:
    rows = [s for s in manifest.get("source_files", []) if isinstance(s, dict)]
    return pl.DataFrame(
        {
            t("data.col_table", lang): [t(f"data.table_{s.get('table', 'births')}", lang) for s in rows],
            t("data.col_file", lang): [s.get("path", "") for s in rows],
            "sha256": [str(s.get("sha256", ""))[:16] for s in rows],
        },
        schema={t("data.col_table", lang): pl.String, t("data.col_file", lang): pl.String, "sha256": pl.String},
    )


def personal_columns(manifest: dict) -> list[str]:
    """Dropped personal-data columns, 'file: column' (older manifests may list bare names)."""
    out = []
    for item in manifest.get("dropped_personal_columns", []):
        out.append(f"{item.get('file', '')}: {item.get('column', '')}" if isinstance(item, dict) else str(item))
    return out


def gap_count(frame: pl.DataFrame) -> int:
    """Township-months with no records at all."""
    return int((frame["births"] == 0).sum()) if frame.height else 0


def completeness_heatmap(
    frame: pl.DataFrame,
    name_col: str,
    lang: str,
    title: str,
    subtitle: str,
    footnote: str,
    find: Sequence[str] = (),
    marks: pl.DataFrame | None = None,
) -> go.Figure:
    """Townships x months, births in each cell; months with no records in the alarm colour; the
    cells of ``marks`` (township_code, month_number: data alerts) ringed.

    Past ``TOP + BOTTOM`` townships only those with the most months without records are drawn
    (most first), and those of ``find`` (codes); the subtitle says how many of how many.
    """
    per_town = frame.group_by("township_code", maintain_order=True).agg(
        gaps=(pl.col("births") == 0).sum(), births=pl.col("births").sum()
    )
    if per_town.height > ranking.TOP + ranking.BOTTOM:
        per_town = per_town.sort(["gaps", "births", "township_code"], descending=[True, False, False])
        kept = ranking.top_bottom(per_town, "gaps", top=ranking.TOP + ranking.BOTTOM, bottom=0, keep=find)
        order = kept.rows["township_code"].to_list()
        note = t("data.heatmap_cut", lang, shown=kept.rows.height, n=f"{per_town.height:,}")
        subtitle = f"{subtitle}<br>{note}"
    else:
        order = sorted(per_town["township_code"].to_list())
    position = {code: i for i, code in enumerate(order)}
    frame = frame.filter(pl.col("township_code").is_in(order))
    names = dict(frame.select("township_code", name_col).unique("township_code").iter_rows())
    months = sorted(set(frame["month_number"].to_list()))
    wide = frame.pivot(on="month_number", index="township_code", values="births")
    wide = wide.sort(pl.col("township_code").replace_strict(position, return_dtype=pl.Int64))
    codes = wide["township_code"].to_list()
    repeated = {n for n in names.values() if list(names.values()).count(n) > 1}
    # a repeated name would merge two rows of the category axis: tell them apart by their code
    y = [plot(f"{names[c]} [{c}]" if names[c] in repeated else names[c]) for c in codes]
    counts = [[row.get(str(m)) for m in months] for row in wide.drop("township_code").iter_rows(named=True)]
    x = [t(f"charts.month_{m}", lang) for m in months]
    shown = [[c if c else None for c in row] for row in counts]
    gaps = [[1 if c == 0 else None for c in row] for row in counts]
    unit = t("data.births_unit", lang)
    fig = go.Figure(
        [
            go.Heatmap(
                z=shown,
                x=x,
                y=y,
                colorscale="Blues",
                text=[[f"{c:,}" if c else "" for c in r] for r in counts],
                texttemplate="%{text}",
                colorbar={"title": {"text": unit}},
                xgap=2,
                ygap=2,
                hovertemplate="%{y} · %{x}: %{z} " + unit + "<extra></extra>",
            ),
            go.Heatmap(
                z=gaps,
                x=x,
                y=y,
                colorscale=[[0, GAP_COLOUR], [1, GAP_COLOUR]],
                showscale=False,
                xgap=2,
                ygap=2,
                text=[[t("data.no_records_short", lang) if c == 0 else "" for c in r] for r in counts],
                texttemplate="%{text}",
                textfont={"color": "white"},
                name=t("data.no_records", lang),
                hovertemplate="%{y} · %{x}: " + t("data.no_records", lang) + "<extra></extra>",
            ),
        ]
    )
    if marks is not None and marks.height:
        drawn = marks.filter(pl.col("township_code").is_in(codes) & pl.col("month_number").is_in(months))
        label = dict(zip(codes, y, strict=True))
        fig.add_scatter(
            x=[t(f"charts.month_{m}", lang) for m in drawn["month_number"].to_list()],
            y=[label[c] for c in drawn["township_code"].to_list()],
            mode="markers",
            marker={"symbol": "square-open", "size": 22, "color": ALERT_COLOUR, "line": {"width": 3}},
            name=t("alerts.heatmap_mark", lang),
            hovertemplate="%{y} · %{x}: " + t("alerts.heatmap_mark", lang) + "<extra></extra>",
        )
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(side="top", type="category")
    height = max(340, 180 + 26 * len(y))
    fig = theme.finish_figure(fig, title, subtitle, footnote, height=height)
    top = fig.layout.margin.t or 90
    return fig.update_layout(margin={"t": top + 30})  # month labels sit on top, under the subtitle


def upload_limit_mb() -> int:
    """The largest upload accepted, in MB: ``NATALITY_MAX_UPLOAD_MB`` (default 200)."""
    try:
        return max(1, int(os.environ.get("NATALITY_MAX_UPLOAD_MB", DEFAULT_UPLOAD_MB)))
    except ValueError:
        return DEFAULT_UPLOAD_MB


def safe_upload_name(name: str, slot: str) -> str:
    """The user's file name, made safe to write in the temporary folder (no separators, no control
    or odd bytes, no leading dots, at most 120 characters); its suffix, which says the format, kept."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch if ch.isprintable() and ch not in '<>:"|?*' else "_" for ch in base).strip().lstrip(".")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    suffix = re.sub(r"[^A-Za-z0-9]", "", suffix)[:10]
    stem = stem[:100] or slot
    return f"{stem}.{suffix}" if suffix else stem


def attempt_allowed(history: Sequence[float], now: float) -> tuple[bool, int, list[float]]:
    """Rate limit of the upload form: at most ``MAX_ATTEMPTS`` per ``ATTEMPT_WINDOW_S`` seconds.

    ``history`` holds this session's earlier attempt times; returns (allowed, seconds to wait,
    the history to keep, with this attempt added when it is allowed).
    """
    recent = [a for a in history if now - a < ATTEMPT_WINDOW_S]
    if len(recent) >= MAX_ATTEMPTS:
        return False, int(ATTEMPT_WINDOW_S - (now - min(recent))) + 1, recent
    return True, 0, [*recent, now]


def too_large(sizes: dict[str, tuple[str, int]], limit_mb: int) -> list[str]:
    """The uploaded files (slot -> (name, bytes)) over the limit, as 'name (N MB)'; refused unread."""
    return [f"{name} ({size / 1e6:,.0f} MB)" for name, size in sizes.values() if size > limit_mb * 1_000_000]


def refusal(
    history: Sequence[float],
    now: float,
    given: str,
    password: str,
    sizes: dict[str, tuple[str, int]],
    limit_mb: int,
    lang: str,
) -> tuple[str | None, list[float]]:
    """Why an upload or rollback attempt is refused (None: go ahead), and the attempts to keep.

    Checked in this order: too many attempts (before the password is even compared, so guessing
    stays at 5 a minute), the password (compared in constant time), files over the size limit
    (refused before a byte is parsed).
    """
    allowed, wait, kept = attempt_allowed(history, now)
    if not allowed:
        return t("data.too_many", lang, seconds=wait), kept
    if not hmac.compare_digest(given.encode(), password.encode()):
        return t("data.wrong_password", lang), kept
    big = too_large(sizes, limit_mb)
    if big:
        return t("data.too_large", lang, files=", ".join(big), mb=limit_mb), kept
    return None, kept


def run_upload(
    uploads: dict[str, tuple[str, bytes]],
    out: str | Path,
    months_only: bool,
    lang: str,
    who: str | None = None,
    sum_duplicates: bool = False,
    progress: Progress | None = None,
) -> tuple[bool, str]:
    """Import uploaded files (slot -> (file name, bytes)) exactly as the CLI would; (ok, message).

    The files are written only inside a fresh temporary folder (removed afterwards), one folder per
    slot, under a sanitised copy of the user's file name.
    """
    with tempfile.TemporaryDirectory(prefix="natality-upload-") as tmp:
        paths = {}
        for slot, (name, data) in uploads.items():
            if slot not in UPLOAD_SLOTS:
                continue
            path = Path(tmp) / slot / safe_upload_name(name, slot)  # keep the user's file name for messages
            path.parent.mkdir()
            path.write_bytes(data)
            paths[slot] = path
        request = ImportRequest(
            out=Path(out),
            months_only=months_only,
            sum_duplicates=sum_duplicates,
            who=who,
            source="page",
            progress=progress,
            **paths,
        )
        try:
            summary = run_import(request)
        except ImportFailed as exc:
            return False, t("importer.failed", lang) + "\n" + exc.render(lang)
        except extract.ExtractLocked:
            return False, t("importer.locked", lang, out=Path(out).name)
    return True, summary_text(summary, lang)


def refuse_upload(out: str | Path, who: str, files: dict[str, tuple[str, int]], reason: str) -> None:
    """Log an upload refused before any import (wrong password, too many attempts, too large)."""
    facts = [{"name": name, "bytes": size} for name, size in files.values()]
    import_log.append(out, who=who, source="page", result="refused", files=facts, message=reason)


def log_table(out: str | Path, lang: str, limit: int = 100) -> pl.DataFrame:
    """The import log, newest first, with headers in the user's language."""
    rows = import_log.read(out, limit)
    rows = rows.with_columns(
        pl.col("result").replace_strict(
            {r: t(f"data.log_result_{r}", lang) for r in import_log.RESULTS}, default=pl.col("result")
        )
    )
    return rows.rename({c: t(f"data.log_{c}", lang) for c in rows.columns})


def versions_table(out: str | Path, lang: str) -> pl.DataFrame:
    """The kept versions, newest first: id, live mark, created, data up to, births rows."""
    rows = list(reversed(extract.list_versions(out)))
    return pl.DataFrame(
        {
            t("data.ver_version", lang): [r["version"] for r in rows],
            t("data.ver_live", lang): [t("data.ver_is_live", lang) if r["live"] else "" for r in rows],
            t("data.ver_created", lang): [str(r["created_at"] or "–").replace("T", " ") for r in rows],
            t("data.ver_cutoff", lang): [r["cutoff_month"] or "–" for r in rows],
            t("data.ver_births", lang): [r["births_rows"] for r in rows],
        },
        schema_overrides={t("data.ver_births", lang): pl.Int64},
    )


def run_rollback(out: str | Path, version: str, who: str, lang: str) -> tuple[bool, str]:
    """Make a kept version live again (as ``python -m natality rollback``), logged; (ok, message)."""
    try:
        live = extract.switch_version(out, version)
    except extract.ExtractLocked:
        return False, t("importer.locked", lang, out=Path(out).name)
    except extract.ExtractError as exc:
        return False, str(exc)
    import_log.append(
        out, who=who, source="page", result="rollback", version=live.name, message=f"rollback to {live.name}"
    )
    return True, t("data.rolled_back", lang, version=live.name)
