"""``python -m natality import``: validate source files, then publish a new extract version.

Every input is read and checked before anything is written; all problems are reported at once
(exit 2) and nothing on disk changes. A good import writes a complete new version beside the
live one and switches to it atomically (``extract.publish``), holding the extract's lock from
reading the live version to the switch. Tables not imported are carried over from the live
version; ``--months-only`` replaces just the months present in the births file.

Every births file is validated by one piece of SQL (``validate_births``) over a DuckDB view of
its text cells (``cells``): a small file's cells stay in memory (``readers``), a file of many
records (``stream.STREAM_ROWS``, 200,000 by default) is written out as Parquet of text cells in a
work directory beside the extract (``stream``), so that memory stays bounded.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml

from natality.core import extract, literal
from natality.core.i18n import normalise_lang, t
from natality.core.progress import Progress, Steps, terminal_progress
from natality.importing import cells, import_log, stream
from natality.importing import crosswalk as xwalk
from natality.importing.headers import alias_lookup, canonical_for, region_lookup
from natality.importing.importer_cli import register_cli
from natality.importing.names import NameIndex, with_county
from natality.importing.problems import ImportFailed, Problem, ProblemLog, write_problem
from natality.importing.readers import RawTable, read_raw
from natality.importing.summary import ImportSummary, summary_text
from natality.importing.townships import (
    known_codes,
    live_township_codes,
    note_villages,
    read_boundary_file,
    refuse_unknown_codes,
    roll_up_villages,
    township_name_lookup,
)
from natality.importing.validate import name_problem
from natality.importing.validate_births import BirthsInput, validate_births
from natality.importing.validate_tables import TableInput, validate_regions, validate_table
from natality.importing.write import Checked, write_version

OTHER_TABLES = ("population", "targets", "reported")
INPUTS = ("births", *OTHER_TABLES, "regions")
BOUNDARY_OPTIONS = ("code_field", "name_field", "parent_field", "encoding", "crs")


@dataclass
class ImportRequest:
    out: Path
    births: Path | None = None
    boundaries: Path | None = None
    population: Path | None = None
    targets: Path | None = None
    reported: Path | None = None
    regions: Path | None = None  # names of counties, cities, provinces (regions.parquet)
    crosswalk: Path | None = None  # merged, split and renamed townships (crosswalk.parquet)
    mapping: Path | None = None
    name: str | None = None
    months_only: bool = False
    sum_duplicates: bool = False  # repeated rows of counts added up instead of refused
    boundary_options: dict = field(default_factory=dict)
    today: date | None = None
    who: str | None = None  # for the import log: a login name or session id; None: the CLI's user
    source: str = "cli"  # "cli" or "page"
    progress: Progress | None = None  # told of each step (natality.core.progress)


def resolve_lang(arg: str | None = None) -> str:
    """--lang, else NATALITY_LANG, else zh when the locale is Chinese, else en."""
    for value in (arg, os.environ.get("NATALITY_LANG")):
        if normalise_lang(value):
            return normalise_lang(value)
    locale = os.environ.get("LC_ALL") or os.environ.get("LC_MESSAGES") or os.environ.get("LANG")
    return "zh" if (locale or "").lower().startswith("zh") else "en"


def load_mapping(path: Path | None, log: ProblemLog) -> dict:
    """Optional YAML: ``columns: {header: canonical}``, ``values: {column: {raw: value}}``,
    per-table sections (``births: {columns: ..., values: ...}``) and ``boundaries: {code_field: ...}``.
    """
    if path is None:
        return {}
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8-sig")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        log.add(Problem(Path(path).name, "mapping", fmt={"detail": str(exc).splitlines()[0]}))
        return {}
    if not isinstance(data, dict):
        log.add(Problem(Path(path).name, "mapping", fmt={"detail": "not a mapping"}))
        return {}
    return data


def _section(mapping: dict, table: str, key: str) -> dict:
    merged = dict(mapping.get(key) or {})
    merged.update((mapping.get(table) or {}).get(key) or {})
    return {str(k): v for k, v in merged.items()}


def _live_dir(out: Path) -> Path | None:
    try:
        return extract.live_version_dir(out)
    except extract.ExtractError:
        return None


def run_import(req: ImportRequest) -> ImportSummary:
    """Validate everything, then publish. Raises ImportFailed (bad input) or ExtractLocked."""
    out = Path(req.out)
    if out.is_dir() and not out.is_symlink() and not (out / "manifest.json").exists() and any(out.iterdir()):
        # Never adopt (move away) a directory that is not an extract, e.g. `--out data` by mistake.
        raise ImportFailed([Problem(str(out), "out_not_extract")])
    who = req.who or import_log.cli_user()
    paths = [p for p in _input_paths(req) if p.is_file()]
    files = [import_log.file_facts(p) for p in paths]
    digests = {str(p): f["sha256"] for p, f in zip(paths, files, strict=True)}  # for the manifest too
    try:
        with extract.import_lock(req.out):
            summary = _run_locked(req, digests)
    except ImportFailed as exc:
        import_log.append(req.out, who=who, source=req.source, result="failed", files=files, message=exc.render("en"))
        raise
    except extract.ExtractLocked as exc:
        import_log.append(req.out, who=who, source=req.source, result="locked", files=files, message=str(exc))
        raise
    except Exception as exc:  # a full disk, a read-only folder: nothing was published
        problem = write_problem(req.out, exc)
        if problem is None:
            raise
        failed = ImportFailed([problem])
        import_log.append(
            req.out, who=who, source=req.source, result="failed", files=files, message=failed.render("en")
        )
        raise failed from exc
    import_log.append(
        req.out,
        who=who,
        source=req.source,
        result="ok",
        files=files,
        version=summary.version,
        message=f"data up to {summary.manifest.get('cutoff_month') or '-'}",
    )
    return summary


def _input_paths(req: ImportRequest) -> list[Path]:
    return [Path(p) for p in (*(getattr(req, k) for k in INPUTS), req.boundaries, req.mapping) if p]


def _run_locked(req: ImportRequest, digests: dict[str, str] | None = None) -> ImportSummary:
    today = req.today or date.today()
    log = ProblemLog()
    recovered = extract.remove_leftovers(Path(req.out))
    if recovered:  # a killed import's staging files: removed now that we hold the lock
        log.warn(Problem(str(req.out), "recovered_leftovers", fmt={"items": ", ".join(recovered)}))
    if literal.name_problem(req.name):  # the region's name, kept as written like every name
        log.add(name_problem("--name", literal.name_problem(req.name), None, None, req.name))
    mapping = load_mapping(req.mapping, log)
    live = _live_dir(req.out)
    live_manifest = extract.read_manifest(live) if live is not None else {}  # read once
    inputs = {k: getattr(req, k) for k in INPUTS if getattr(req, k, None)}
    if not inputs and req.boundaries is None and req.crosswalk is None:
        raise ImportFailed([Problem(str(req.out), "nothing_to_import")])
    boundary_options = {**(mapping.get("boundaries") or {}), **req.boundary_options}
    steps = Steps(req.progress, len(inputs) + bool(req.boundaries) + bool(req.crosswalk) + 2)
    if req.boundaries:
        steps.now("importer.step.boundaries", file=Path(req.boundaries).name)
    shapes = read_boundary_file(req.boundaries, boundary_options, log) if req.boundaries else None
    names = township_name_lookup(shapes, live)
    if req.boundaries:
        steps.did("importer.step.boundaries_read", file=Path(req.boundaries).name)
    files: list[dict] = []
    births: BirthsInput | None = None
    regions: TableInput | None = None
    tables: dict[str, TableInput] = {}
    for table, path in inputs.items():
        columns = _section(mapping, table, "columns")
        lookup = region_lookup(columns) if table == "regions" else alias_lookup(columns)
        values = _section(mapping, table, "values")
        steps.now("importer.step.reading", file=Path(path).name, table=table)
        try:
            if table == "births":
                raw, result = _births(req, path, lookup, log, today, values, names)
            else:
                raw, start = with_county(read_raw(path, table, lookup), lookup, names), len(log.problems)
                result = _validate(table, raw, lookup, log, today, values, names)
                raw.place_problems(log, start)  # a workbook of month sheets: each sheet's own rows
        except ImportFailed as exc:  # the file cannot be read at all
            for problem in exc.problems:
                log.add(problem)
            steps.did("importer.step.unreadable", file=Path(path).name)
            continue
        steps.did("importer.step.read", file=raw.file, rows=f"{_rows_read(raw, result):,}")
        if table == "births":
            births = result
        elif table == "regions":
            regions = result
        else:
            tables[table] = result
        if result is not None and result.frame is not None:
            files.append(
                {
                    "table": table,
                    "file": raw.file,
                    "path": path,
                    "encoding": raw.encoding,
                    "sheet": raw.sheet,
                    "personal": result.columns.personal,
                    "ignored": [h for h in result.columns.ignored if canonical_for(h, lookup) != "county"],
                    "sheets": getattr(raw, "sheets", None),
                }
            )
    if live is None and births is None and shapes is None and not log.problems:
        raise ImportFailed([Problem(str(req.out), "new_extract_needs_townships")])
    live_codes = live_township_codes(live) if shapes is None else None  # read once for every check
    if births is not None:  # village codes counted for their townships
        known_now = set(shapes["township_code"]) if shapes is not None else live_codes
        births, villages = roll_up_villages(births, known_now)
        note_villages(req.births.name, *villages, log)
    if req.crosswalk:
        steps.now("importer.step.reading", file=Path(req.crosswalk).name, table="crosswalk")
    crosswalk, crosswalk_raw = xwalk.read_crosswalk(req.crosswalk, log, today.year) if req.crosswalk else (None, None)
    if req.crosswalk:
        steps.did("importer.step.checking")
    mapped = xwalk.old_codes(crosswalk if req.crosswalk else xwalk.live_crosswalk(live))  # codes of the past
    mapped |= xwalk.raw_old_codes(crosswalk_raw) if crosswalk is None else set()
    if req.boundaries is None or shapes is not None:  # codes are checked against known townships
        known = known_codes(req, live, births, shapes, log, mapped, live_codes)
        region = _region_code(live_manifest, known)
        for table, result in tables.items():
            if result is not None:
                refuse_unknown_codes(
                    inputs[table].name,
                    result.code_column,
                    result.code_rows,
                    known,
                    log,
                    mapped | ({region} if table == "targets" else set()),
                )
        if crosswalk is not None:
            xwalk.refuse_unknown_new_codes(req.crosswalk.name, crosswalk, known, log)
    if crosswalk is not None:
        files.append(
            {
                "table": "crosswalk",
                "file": req.crosswalk.name,
                "path": req.crosswalk,
                "encoding": crosswalk_raw.encoding,
                "sheet": crosswalk_raw.sheet,
                "personal": [],
                "ignored": [],
            }
        )
    log.check()
    steps.did("importer.step.writing")
    state = Checked(
        births,
        tables,
        shapes,
        tuple(files),
        region,
        regions,
        crosswalk,
        frozenset(mapped),
        live_manifest,
        digests or {},
    )
    final = extract.publish(req.out, lambda staging: write_version(req, live, state, staging), locked=True)
    manifest = extract.read_manifest(final)
    steps.did("importer.step.done", version=final.name)
    return ImportSummary(final.name, manifest, log.warnings, files)


def _validate(table: str, raw, lookup: dict, log: ProblemLog, today: date, values: dict, names: NameIndex | None):
    if table == "regions":
        return validate_regions(raw, lookup, log)
    return validate_table(raw, table, lookup, log, today, names)


def _births(
    req: ImportRequest, path: Path, lookup: dict, log: ProblemLog, today: date, values: dict, names: NameIndex | None
) -> tuple[cells.Cells | RawTable, BirthsInput | None]:
    """A births file as text cells in DuckDB (in memory, or Parquet in a scratch directory beside
    the extract for a large file), validated by the one validator."""
    with stream.work_dir(req.out) as workdir:
        con = cells.connect(workdir)
        try:
            if stream.wants_stream(path):
                source = with_county(stream.open_births(path, lookup, workdir, con), lookup, names)
                return source, validate_births(source, lookup, log, today, values, names, req.sum_duplicates)
            raw, start = with_county(read_raw(path, "births", lookup), lookup, names), len(log.problems)
            source = cells.from_frame(raw, con)
            result = validate_births(source, lookup, log, today, values, names, req.sum_duplicates)
            raw.place_problems(log, start)  # a workbook of month sheets: each sheet's own rows
            return raw, result  # the file as read (a workbook's sheets), its cells now validated
        finally:
            con.close()


def _rows_read(raw, result) -> int:
    """Records read from a file (after its total rows), for the progress."""
    frame = getattr(raw, "frame", None)
    return getattr(result, "records", 0) or (frame.height if frame is not None else 0)


def _region_code(live_manifest: dict, known: set[str]) -> str:
    region = live_manifest.get("region_code")
    if region:
        return str(region)
    counties = [c[:6] for c in known if len(c) == 12]  # GB/T 2260 codes only: an 8-digit code names no county
    return max(set(counties), key=counties.count) if counties else ""


def main(argv: list[str] | None = None) -> int:
    """Run ``import`` from an argument list (for tests and ``python -m natality.importing.importer``)."""
    parser = argparse.ArgumentParser(prog="python -m natality")
    register_cli(parser.add_subparsers(dest="command", required=True), main_args)
    args = parser.parse_args(["import", *(sys.argv[1:] if argv is None else argv)])
    args.progress = args.progress or "none"  # for tests: stderr holds the result only, unless asked
    return main_args(args)


def request_from_args(args: argparse.Namespace) -> ImportRequest:
    options = {k: getattr(args, k) for k in BOUNDARY_OPTIONS if getattr(args, k, None)}
    return ImportRequest(
        out=Path(args.out),
        births=args.births,
        boundaries=args.boundaries,
        population=args.population,
        targets=args.targets,
        reported=args.reported,
        regions=getattr(args, "regions", None),
        crosswalk=getattr(args, "crosswalk", None),
        mapping=args.mapping,
        name=args.name,
        months_only=args.months_only,
        sum_duplicates=getattr(args, "sum_duplicates", False),
        boundary_options=options,
    )


def main_args(args: argparse.Namespace) -> int:
    """Exit 0 done, 2 bad input (every problem on stderr), 1 anything else."""
    lang = resolve_lang(getattr(args, "lang", None))
    request = request_from_args(args)
    if getattr(args, "progress", None) != "none":  # a bar on a terminal, plain lines in a log
        request.progress = terminal_progress(lang, sys.stderr, getattr(args, "progress", None))
    try:
        summary = run_import(request)
    except ImportFailed as exc:
        getattr(request.progress, "end_line", lambda: None)()  # a bar stopped midway: end its line
        print(t("importer.failed", lang), file=sys.stderr)
        print(exc.render(lang), file=sys.stderr)
        return 2
    except extract.ExtractLocked:
        print(t("importer.locked", lang, out=args.out), file=sys.stderr)
        return 1
    except Exception as exc:  # last line of defence: a message, not a traceback
        print(t("importer.internal", lang, detail=f"{type(exc).__name__}: {exc}"), file=sys.stderr)
        return 1
    print(summary_text(summary, lang), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
