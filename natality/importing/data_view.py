"""The Data page's pieces: facts about the live extract, the completeness heatmap, and the upload
step (the same import as the command line, with the same messages). No Streamlit here.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

import plotly.graph_objects as go
import polars as pl

from natality.core import extract, ranking, theme
from natality.core.i18n import fmt_month, t
from natality.importing.importer import ImportRequest, run_import, summary_text
from natality.importing.problems import ImportFailed

UPLOAD_SLOTS = ("births", "boundaries", "population", "targets", "reported", "mapping")
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
    frame: pl.DataFrame, name_col: str, lang: str, title: str, subtitle: str, footnote: str, find: Sequence[str] = ()
) -> go.Figure:
    """Townships x months, births in each cell; months with no records in the alarm colour.

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
    y = [f"{names[c]} [{c}]" if names[c] in repeated else names[c] for c in codes]
    counts = [[row.get(str(m)) for m in months] for row in wide.drop("township_code").iter_rows(named=True)]
    x = [t(f"charts.month_{m}", lang) for m in months]
    shown = [[c if c else None for c in row] for row in counts]
    gaps = [[1 if c == 0 else None for c in row] for row in counts]
    unit = t("data.births_unit", lang)
    fig = go.Figure(
        [
            go.Heatmap(
                z=shown, x=x, y=y, colorscale="Blues", text=[[f"{c:,}" if c else "" for c in r] for r in counts],
                texttemplate="%{text}", colorbar={"title": {"text": unit}}, xgap=2, ygap=2,
                hovertemplate="%{y} · %{x}: %{z} " + unit + "<extra></extra>",
            ),
            go.Heatmap(
                z=gaps, x=x, y=y, colorscale=[[0, GAP_COLOUR], [1, GAP_COLOUR]], showscale=False, xgap=2, ygap=2,
                text=[[t("data.no_records_short", lang) if c == 0 else "" for c in r] for r in counts],
                texttemplate="%{text}", textfont={"color": "white"}, name=t("data.no_records", lang),
                hovertemplate="%{y} · %{x}: " + t("data.no_records", lang) + "<extra></extra>",
            ),
        ]
    )  # fmt: skip
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(side="top", type="category")
    height = max(340, 180 + 26 * len(y))
    fig = theme.finish_figure(fig, title, subtitle, footnote, height=height)
    top = fig.layout.margin.t or 90
    return fig.update_layout(margin={"t": top + 30})  # month labels sit on top, under the subtitle


def run_upload(
    uploads: dict[str, tuple[str, bytes]], out: str | Path, months_only: bool, lang: str
) -> tuple[bool, str]:
    """Import uploaded files (slot -> (file name, bytes)) exactly as the CLI would; (ok, message)."""
    with tempfile.TemporaryDirectory(prefix="natality-upload-") as tmp:
        paths = {}
        for slot, (name, data) in uploads.items():
            if slot not in UPLOAD_SLOTS:
                continue
            path = Path(tmp) / slot / Path(name).name  # keep the user's file name for messages
            path.parent.mkdir()
            path.write_bytes(data)
            paths[slot] = path
        request = ImportRequest(out=Path(out), months_only=months_only, **paths)
        try:
            summary = run_import(request)
        except ImportFailed as exc:
            return False, t("importer.failed", lang) + "\n" + exc.render(lang)
        except extract.ExtractLocked:
            return False, t("importer.locked", lang, out=Path(out).name)
    return True, summary_text(summary, lang)
