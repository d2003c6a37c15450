"""Command line: ``python -m natality demo|import|query|pack|versions|rollback|log`` (a stable contract, see DESIGN.md).

Exit status: 0 done; 2 bad input (message on stderr); 1 anything else.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from natality.core import db, extract
from natality.core.i18n import t
from natality.demo import defaults as demo_defaults
from natality.export import pack_cli
from natality.importing import import_log, importer_cli

EXIT_OK, EXIT_ERROR, EXIT_BAD_INPUT = 0, 1, 2


class BadInput(Exception):
    """Input the user can fix: the message names the file, row and column."""


def _param(text: str) -> tuple[str, object]:
    """``key=value``; integers become int, ``null`` or an empty value becomes None, else a string.

    Codes with leading zeros stay strings: only values without a leading zero are integers.
    """
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"expected key=value, got {text!r}")
    key, value = text.split("=", 1)
    if value in ("", "null"):
        return key, None
    if value.lstrip("-").isdigit() and not (len(value) > 1 and value.startswith("0")) and len(value) < 10:
        return key, int(value)
    return key, value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m natality", description="Township birth statistics.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help="build the synthetic demo county (or, with --townships N, province) extract")
    p.add_argument("--out", required=True, help="extract directory to create or replace")
    p.add_argument("--seed", type=int, default=demo_defaults.DEFAULT_SEED)
    p.add_argument("--until", default=demo_defaults.DEFAULT_UNTIL, help="last month of data, YYYY-MM")
    p.add_argument(
        "--townships",
        type=int,
        default=demo_defaults.DEFAULT_TOWNSHIPS,
        metavar="N",
        help=f"{demo_defaults.DEFAULT_TOWNSHIPS} (default): the demo county; more: a province-like demo of N townships "
        "in cities and counties (e.g. 2000: about 12 cities, 133 counties, 15 M births)",
    )

    p = sub.add_parser("query", help="run queries/NAME.sql and print the result")
    p.add_argument("name")
    p.add_argument("--data", default=None, help="extract directory (default: $NATALITY_DATA or data/demo)")
    p.add_argument("-p", "--param", action="append", type=_param, default=[], metavar="KEY=VALUE")
    p.add_argument("--format", choices=["csv", "json"], default="csv")

    p = sub.add_parser("versions", help="list the extract's kept versions, the live one marked")
    p.add_argument("--data", default=None, help="extract directory (default: $NATALITY_DATA or data/demo)")
    p.set_defaults(handler=run_versions)

    p = sub.add_parser("rollback", help="make an earlier version of the extract live again (atomic)")
    p.add_argument("version", help="a version id from `python -m natality versions`")
    p.add_argument("--data", default=None, help="extract directory (default: $NATALITY_DATA or data/demo)")
    p.set_defaults(handler=run_rollback)

    p = sub.add_parser("log", help="show the import log: every import, upload attempt and rollback, newest first")
    p.add_argument("--data", default=None, help="extract directory (default: $NATALITY_DATA or data/demo)")
    p.add_argument("--limit", type=int, default=50, help="entries to show (default 50)")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(handler=run_log)

    importer_cli.register_cli(sub, run_import)
    pack_cli.register_cli(sub)
    return parser


def run_versions(args: argparse.Namespace) -> int:
    data = Path(args.data) if args.data else extract.default_data_dir()
    rows = extract.list_versions(data)
    if not rows:
        raise BadInput(f"{data}: no versions kept here (is it an extract directory?)")
    for row in rows:
        mark = "*" if row["live"] else " "
        state = "" if row["readable"] else "  (unreadable: manifest.json missing or damaged)"
        births = f"{row['births_rows']:,} births rows" if row["births_rows"] is not None else ""
        print(
            f"{mark} {row['version']}  created {row['created_at'] or '?'}  data to {row['cutoff_month'] or '?'}"
            f"  {births}{state}"
        )
    return EXIT_OK


def run_rollback(args: argparse.Namespace) -> int:
    data = Path(args.data) if args.data else extract.default_data_dir()
    try:
        live = extract.switch_version(data, args.version)
    except extract.ExtractLocked as exc:
        print(f"error: {exc}; try again when it has finished", file=sys.stderr)
        return EXIT_ERROR
    except extract.ExtractError as exc:
        raise BadInput(str(exc)) from exc
    import_log.append(
        data,
        who=import_log.cli_user(),
        source="cli",
        result="rollback",
        version=live.name,
        message=f"rollback to {live.name}",
    )
    print(f"live version is now {live.name} ({data} -> {live})", file=sys.stderr)
    return EXIT_OK


def run_log(args: argparse.Namespace) -> int:
    data = Path(args.data) if args.data else extract.default_data_dir()
    rows = import_log.read(data, limit=max(args.limit, 1))
    if args.format == "json":
        sys.stdout.write(json.dumps(rows.to_dicts(), ensure_ascii=False, indent=1) + "\n")
        return EXIT_OK
    if rows.is_empty():
        print(f"{import_log.log_path(data)}: no imports logged yet", file=sys.stderr)
    for row in rows.iter_rows(named=True):
        version = f"  -> {row['version']}" if row["version"] else ""
        print(
            f"{row['time']}  {row['result']:<8} {row['who']} ({row['source']}){version}  {row['files']}"
            f"  {row['message']}".rstrip()
        )
    return EXIT_OK


# Query names answered in Python after SQL: name -> (module, function(data_dir, **params)). Each
# module is imported only for its own names: scipy's distributions (alerts, projection) took two
# thirds of a ``query scorecard`` process.
COMPUTED_QUERIES = {
    "scorecard": ("natality.scorecard.scoring", "scorecard_query"),
    "births_projection": ("natality.births.projection", "births_projection_query"),
    "births_projection_region": ("natality.births.projection", "births_projection_region_query"),
    "data_alerts": ("natality.births.alerts", "data_alerts_query"),
}


def computed_query(name: str) -> Callable[..., Any] | None:
    """The Python function that answers query ``name`` (e.g. ``scorecard``), or None for a SQL query."""
    where = COMPUTED_QUERIES.get(name)
    return getattr(importlib.import_module(where[0]), where[1]) if where else None


def computed_queries() -> dict:
    """Every query name answered in Python: name -> function(data_dir, **params)."""
    return {name: computed_query(name) for name in COMPUTED_QUERIES}


ALERTS_PRINTED = 30  # after an import: the first alerts as warnings, then how many more


def print_alert_warnings(args: argparse.Namespace) -> None:
    """After an import: the implausible months of the new version as warnings on stderr."""
    from natality.births import alerts
    from natality.importing import importer

    lang = importer.resolve_lang(getattr(args, "lang", None))
    try:
        found, _, _ = alerts.data_alerts(extract.live_version_dir(args.out), lang)
    except Exception as exc:  # the import is done: a failed check must not turn it into a failure
        print(f"warning: data alerts not computed ({type(exc).__name__}: {exc})", file=sys.stderr)
        return
    for reason in found["reason"].head(ALERTS_PRINTED).to_list():
        print(t("alerts.cli_warning", lang, reason=reason), file=sys.stderr)
    if found.height > ALERTS_PRINTED:
        print(t("alerts.cli_more", lang, n=found.height - ALERTS_PRINTED), file=sys.stderr)


def run_import(args: argparse.Namespace) -> int:
    from natality.importing import importer  # its readers and geopandas only for this command

    return importer.main_args(args)


def run_demo(args: argparse.Namespace) -> int:
    try:
        from natality.demo import county as demo  # the generator's imports only for this command

        live = demo.build_demo(args.out, seed=args.seed, until=args.until, townships=args.townships)
    except ValueError as exc:
        raise BadInput(str(exc)) from exc
    size = "" if args.townships == demo_defaults.DEFAULT_TOWNSHIPS else f" ({args.townships:,} townships)"
    print(f"demo extract written{size}: {args.out} -> {live}", file=sys.stderr)
    return EXIT_OK


def prepare_scorecard(data: str | Path) -> None:
    """Store the new version's scorecard in both languages (``scorecard.stored``): a server's
    first visitor and every ``query scorecard`` read it instead of computing it (3 s at 2,000
    townships). A scorecard that cannot be made (no targets, a bad registry) is left to the pages."""
    from natality.scorecard import scoring

    try:
        scoring.prepare(data)
    except Exception as exc:  # the import itself succeeded: say so, and go on
        print(f"note: the scorecard was not prepared ({type(exc).__name__}: {exc})", file=sys.stderr)


def run_query_command(args: argparse.Namespace) -> int:
    params = dict(args.param)
    try:
        computed = computed_query(args.name)
        run = computed or (lambda data, **p: db.run_query(args.name, data, **p))
        result = run(args.data, **params)
    except (db.QueryError, extract.ExtractError) as exc:
        raise BadInput(str(exc)) from exc
    if args.format == "csv":
        sys.stdout.write(result.write_csv())
    else:
        sys.stdout.write(json.dumps(result.to_dicts(), ensure_ascii=False, default=str, indent=1) + "\n")
    return EXIT_OK


def entry() -> int:
    """``python -m natality``: an import, run while leaders browse, yields the CPU to the
    dashboard (nice 10); in-process calls of ``main`` (tests, the server) are left as they are."""
    if sys.argv[1:2] == ["import"]:
        importer_cli.yield_cpu_to_the_dashboard()
    return main()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handlers = {"demo": run_demo, "query": run_query_command}
    handler = handlers.get(args.command) or getattr(args, "handler", None)
    try:
        code = handler(args)
        if code == EXIT_OK and args.command in ("import", "demo"):
            prepare_scorecard(args.out)
        if code == EXIT_OK and args.command == "import":
            print_alert_warnings(args)
        return code
    except BadInput as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception as exc:  # the CLI's last line of defence: a message, exit 1
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_ERROR
