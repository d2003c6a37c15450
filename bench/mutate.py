"""Mutation testing: do the tests notice a wrong number? (``make mutate``, minutes, not in CI.)

Two parts, one report:

- Python: mutmut (``[tool.mutmut]`` in pyproject.toml names the modules and the fast tests that
  check them) makes one small wrong change at a time in natality/srb, natality/scorecard and
  natality/importing/values.py and runs the tests that reach the changed function.
- SQL: mutmut cannot read SQL, so this script makes the same kind of changes in
  ``queries/views/crosswalk.sql`` and ``queries/macros/region.sql`` (an operator turned, asc and
  desc swapped, and/or swapped, a number moved by one, a where clause or one of its conditions
  dropped), one at a time in a copy of the project, and runs the tests of that file on each.

Printed: per module, the mutants killed (a test failed) out of those tried, as a share, and the
survivors; bench/MUTATION.md explains the survivors judged equivalent (no test can tell them
from the real code). ``--sql-only``/``--python-only`` run one part; ``--max-children N`` is
mutmut's parallelism (default 2: the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = Path(sys.executable)
MUTMUT = PY.with_name("mutmut")

# the SQL files and the tests that must notice a wrong change in them
SQL_TESTS = {
    "queries/views/crosswalk.sql": ["tests/test_crosswalk.py", "-k", "trend or population or compare or split"],
    "queries/macros/region.sql": ["tests/test_region_queries.py"],
}
# what a python module's mutants are reported under
GROUPS = {"natality/srb/": "srb/", "natality/scorecard/": "scorecard/"}
GOAL = 0.90  # on srb/ and scorecard/

# one wrong change each: (name, pattern, replacement); patterns apply to code, never to comments
SQL_SWAPS = [
    ("desc->asc", r"\bdesc\b", "asc"),
    ("asc->desc", r"\basc\b", "desc"),
    ("and->or", r"\band\b", "or"),
    ("or->and", r"\bor\b", "and"),
    ("is null->is not null", r"\bis null\b", "is not null"),
    ("not in->in", r"\bnot in\b", "in"),
    ("in->not in", r"(?<!not )\bin \(", "not in ("),
    ("floor->ceil", r"\bfloor\(", "ceil("),
    ("sum->max", r"\bsum\(", "max("),
    ("inner join->left join", r"\binner join\b", "left join"),
    ("union all->union", r"\bunion all\b", "union"),
    ("<=-><", r"<=", "<"),
    (">=->>", r">=", ">"),
    ("<-><=", r"<(?![=>])", "<="),
    (">->>=", r"(?<![<\-])>(?!=)", ">="),
    ("=-><>", r"(?<![<>!:])=(?![>])", "<>"),
    ("<>->=", r"<>", "="),
    ("+->-", r"\+", "-"),
    ("-->+", r"(?<=\s)-(?=\s)", "+"),
    ("*->/", r"(?<!select )(?<=[\w)]\s)\*(?=\s)", "/"),  # a product, not "select *"
    ("number+1", r"(?<![\w.$])\d+(?![\w.])", None),
]


@dataclass
class SqlMutant:
    file: str
    line: int
    kind: str
    before: str
    after: str
    status: str = "not run"


def code_part(line: str) -> tuple[str, str]:
    """A line's code and its trailing comment (``--`` outside a string)."""
    at = line.find("--")
    return (line, "") if at < 0 else (line[:at], line[at:])


def sql_mutants(rel: str) -> list[SqlMutant]:
    lines = (ROOT / rel).read_text(encoding="utf-8").splitlines()
    out: list[SqlMutant] = []
    for i, line in enumerate(lines):
        code, comment = code_part(line)
        if not code.strip() or code.lstrip().startswith("create "):  # "create or replace": no logic
            continue
        for kind, pattern, repl in SQL_SWAPS:
            for m in re.finditer(pattern, code):
                new = str(int(m.group()) + 1) if repl is None else repl
                out.append(SqlMutant(rel, i + 1, kind, line, code[: m.start()] + new + code[m.end() :] + comment))
        # a where clause dropped, and each of its conditions (joined by a top-level "and") dropped
        where = re.search(r"\bwhere\s+(.*?)(;?)\s*$", code)
        if where:
            cond, end = _until_unmatched(where.group(1)), where.group(2)
            end = where.group(1)[len(cond) :] + end  # a subquery's closing parenthesis stays
            head = code[: where.start(1)]
            out.append(SqlMutant(rel, i + 1, "where dropped", line, f"{head}true{end}{comment}"))
            parts = _top_level_and(cond)
            if len(parts) > 1:
                for k in range(len(parts)):
                    kept = " and ".join(p for j, p in enumerate(parts) if j != k)
                    out.append(SqlMutant(rel, i + 1, "condition dropped", line, f"{head}{kept}{end}{comment}"))
    return out


def _until_unmatched(text: str) -> str:
    """``text`` up to its first closing parenthesis that opens before it (the end of a subquery)."""
    depth = 0
    for i, c in enumerate(text):
        depth += (c == "(") - (c == ")")
        if depth < 0:
            return text[:i].rstrip()
    return text


def _top_level_and(cond: str) -> list[str]:
    parts, depth, start, i = [], 0, 0, 0
    while i < len(cond):
        c = cond[i]
        depth += c == "("
        depth -= c == ")"
        if depth == 0 and cond.startswith(" and ", i):
            parts.append(cond[start:i].strip())
            start = i + 5
            i += 5
            continue
        i += 1
    parts.append(cond[start:].strip())
    return parts


def earlier_kills(path: Path) -> set[tuple[str, int]]:
    """(file, number) of the SQL mutants a previous run's output (``--recheck FILE``) says were killed:
    tests are only ever added, so those stay killed and only the rest are run again."""
    found = re.findall(r"^\s+(\S+?):\d+ .+?: killed \(.*?, (\d+)/\d+\)$", path.read_text(encoding="utf-8"), re.M)
    return {(rel, int(n)) for rel, n in found}


def run_sql(log, killed_before: set[tuple[str, int]] = frozenset()) -> dict[str, list[SqlMutant]]:
    """Each SQL mutant in a copy of the project, with the tests of its file; killed = a test failed."""
    results: dict[str, list[SqlMutant]] = {}
    with tempfile.TemporaryDirectory(prefix="natality-sql-mutants-") as tmp:
        copy = Path(tmp) / "project"
        skip = (".venv", "mutants", "data", ".git", "__pycache__", ".pytest_cache", ".hypothesis", "screenshots")
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*skip))
        env = {**os.environ, "PYTHONPATH": str(copy)}
        for rel, tests in SQL_TESTS.items():
            original = (ROOT / rel).read_text(encoding="utf-8")
            base = _pytest(copy, tests, env)
            if base != 0:
                raise SystemExit(f"{rel}: its tests fail without any mutation (exit {base}): fix them first")
            mutants = sql_mutants(rel)
            for n, mutant in enumerate(mutants, 1):
                if (rel, n) in killed_before:
                    mutant.status = "killed"
                    continue
                lines = original.splitlines()
                lines[mutant.line - 1] = mutant.after
                (copy / rel).write_text("\n".join(lines) + "\n", encoding="utf-8")
                started = time.monotonic()
                code = _pytest(copy, tests, env)
                mutant.status = "killed" if code == 1 else "survived" if code == 0 else f"error {code}"
                log(
                    f"  {rel}:{mutant.line} {mutant.kind}: {mutant.status} ({time.monotonic() - started:.0f} s, "
                    f"{n}/{len(mutants)})"
                )
            (copy / rel).write_text(original, encoding="utf-8")
            results[rel] = mutants
    return results


def _pytest(cwd: Path, tests: list[str], env: dict) -> int:
    args = [str(PY), "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "--timeout", "300", *tests]
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True).returncode


def run_mutmut(max_children: int, log, sample: int = 1, modules: tuple[str, ...] = (), offset: int = 0) -> int:
    """``mutmut run`` over pyproject's [tool.mutmut]; its progress spinner goes to mutants.log.

    ``sample`` N > 1: every N-th mutant of each module only (by name, so the same ones each time; the
    first ``mutmut run`` of a pattern that names none makes the mutants and the test map).
    ``modules``: only the mutants of the files whose path starts with one of these; ``offset`` K:
    the sample starts at each module's K-th mutant (another sample of the same size)."""
    names: list[str] = []
    if sample > 1 or modules or offset:
        _mutmut(["run", "--max-children", str(max_children), "none.such"], log)
        for by_key in python_results(include_unchecked=True, modules=modules).values():
            names += sorted(by_key, key=_natural)[offset::sample]
        of = f" of {', '.join(modules)}" if modules else ""
        log(f"mutmut: {len(names)} mutants (1 in {sample}, from the {offset}th{of})")
    return _mutmut(["run", "--max-children", str(max_children), *names], log)


def _natural(name: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name))


def _mutmut(args: list[str], log) -> int:
    with open(ROOT / "mutants.log", "a", encoding="utf-8") as out:
        done = subprocess.run([str(MUTMUT), *args], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    log(f"mutmut {args[0]}: exit {done.returncode} (its output: mutants.log)")
    return done.returncode


def python_results(include_unchecked: bool = False, modules: tuple[str, ...] = ()) -> dict[str, dict[str, str]]:
    """Per source file, each mutant's status from mutmut's result files (mutants/<path>.meta)."""
    status = {
        1: "killed",
        3: "killed",
        0: "survived",
        36: "timeout",
        24: "timeout",
        -24: "timeout",
        152: "timeout",
        255: "timeout",
        5: "no tests",
        33: "no tests",
        34: "skipped",
        None: "not checked",
    }
    out: dict[str, dict[str, str]] = {}
    for meta in sorted((ROOT / "mutants").rglob("*.py.meta")):
        rel = str(meta.relative_to(ROOT / "mutants"))[: -len(".meta")]
        if modules and not rel.startswith(modules):
            continue
        codes = json.loads(meta.read_text(encoding="utf-8")).get("exit_code_by_key", {})
        by_key = {k: status.get(v, "suspicious") for k, v in codes.items()}
        if not include_unchecked:
            by_key = {k: v for k, v in by_key.items() if v != "not checked"}
        if by_key:
            out[rel] = by_key
    return out


def forget_survivors(modules: tuple[str, ...] = ()) -> list[str]:
    """Mark the survivors of mutmut's last run as not run (in mutants/<path>.meta); their names."""
    names = []
    for meta in sorted((ROOT / "mutants").rglob("*.py.meta")):
        if modules and not str(meta.relative_to(ROOT / "mutants")).startswith(modules):
            continue
        data = json.loads(meta.read_text(encoding="utf-8"))
        codes = data.get("exit_code_by_key", {})
        for key, code in codes.items():
            if code in (0, 5, 33):  # survived, no tests
                codes[key] = None
                names.append(key)
        meta.write_text(json.dumps(data), encoding="utf-8")
    return names


def share(statuses: list[str]) -> tuple[int, int]:
    """(killed, tried): a timeout counts as killed (the change made the tests hang), 'no tests' as
    tried and not killed (no test reaches the change), 'not checked'/'skipped' not at all."""
    tried = [s for s in statuses if s not in ("not checked", "skipped")]
    return sum(s in ("killed", "timeout") for s in tried), len(tried)


def report(py: dict[str, dict[str, str]], sql: dict[str, list[SqlMutant]]) -> list[str]:
    lines = [f"{'module':<44} {'killed':>7} {'tried':>6} {'share':>7}"]
    groups: dict[str, list[str]] = {}
    for rel, by_key in py.items():
        killed, tried = share(list(by_key.values()))
        lines.append(f"{rel:<44} {killed:>7} {tried:>6} {killed / max(tried, 1):>7.1%}")
        for prefix, name in GROUPS.items():
            if rel.startswith(prefix):
                groups.setdefault(name, []).extend(by_key.values())
    for rel, mutants in sql.items():
        killed, tried = share([m.status for m in mutants])
        lines.append(f"{rel:<44} {killed:>7} {tried:>6} {killed / max(tried, 1):>7.1%}")
    for name, statuses in groups.items():
        killed, tried = share(statuses)
        verdict = "ok" if killed / max(tried, 1) >= GOAL else f"below the {GOAL:.0%} goal"
        lines.append(f"{'all of ' + name:<44} {killed:>7} {tried:>6} {killed / max(tried, 1):>7.1%}  {verdict}")
    survivors = [k for by_key in py.values() for k, s in by_key.items() if s not in ("killed", "timeout")]
    survivors += [
        f"{m.file}:{m.line} {m.kind}: {m.after.strip()}" for ms in sql.values() for m in ms if m.status != "killed"
    ]
    if survivors:
        lines += ["", f"survivors ({len(survivors)}; `mutmut show NAME` prints a Python one's change):"]
        lines += [f"  {s}" for s in survivors]
    return lines


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--max-children", type=int, default=2)
    p.add_argument("--sample", type=int, default=1, help="N: every N-th Python mutant only (a quicker estimate)")
    p.add_argument("--offset", type=int, default=0, help="K: the sample starts at each module's K-th mutant")
    p.add_argument(
        "--modules",
        nargs="+",
        default=(),
        metavar="PATH",
        help="only the modules whose path starts with one of these (natality/scorecard/)",
    )
    p.add_argument("--sql-only", action="store_true")
    p.add_argument("--python-only", action="store_true")
    p.add_argument("--list-sql", action="store_true", help="print the SQL mutants without running them")
    p.add_argument("--report-only", action="store_true", help="print the last Python results without running")
    p.add_argument(
        "--rerun-survivors",
        action="store_true",
        help="run the last Python survivors again (after adding tests), keep the rest",
    )
    p.add_argument("--recheck", type=Path, default=None, help="an earlier run's output: run only its SQL survivors")
    args = p.parse_args(argv)
    if args.list_sql:
        for rel in SQL_TESTS:
            for m in sql_mutants(rel):
                print(f"{rel}:{m.line} {m.kind}: {m.after.strip()}")
        return 0

    def log(text: str) -> None:
        print(text, flush=True)

    started = time.monotonic()
    if args.rerun_survivors:
        _mutmut(["run", "--max-children", str(args.max_children), *forget_survivors(tuple(args.modules))], log)
    elif not args.sql_only and not args.report_only:
        (ROOT / "mutants.log").unlink(missing_ok=True)
        run_mutmut(args.max_children, log, args.sample, tuple(args.modules), args.offset)
    killed_before = earlier_kills(args.recheck) if args.recheck else set()
    sql = {} if args.python_only or args.report_only or args.rerun_survivors else run_sql(log, killed_before)
    py = {} if args.sql_only else python_results(modules=tuple(args.modules))
    print()
    print("\n".join(report(py, sql)))
    print(f"\n{time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
