"""How long ``python -m natality query scorecard -p year=2024`` takes as a process (``make clitime``).

A small hyperfine: the query process and the bare import of the command line
(``python -c "import natality.cli"``) run alternately ``--runs`` times each (after one warm-up
each, so the files are in the page cache), over the 2,000-township demo (``--townships``; built
once into ``--work``, its scorecard stored by the demo command as an import stores it). Prints
the median and min wall time and the median CPU time (user + system of the child) of both, and
their ratio; ``--baseline REF`` times the query of git ref REF too (``git archive`` into
``--work``) and prints that ratio. On a machine shared with other work the wall time follows the
load average (printed beside), the CPU time much less. Exit status 1 when the query's median CPU
time is over the goal.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_S = 1.0


def timed(command: list[str], cwd: Path = ROOT) -> tuple[float, float]:
    """(wall, cpu) seconds of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--townships", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--work", default="/tmp/natality-clitime")
    parser.add_argument("--baseline", help="also time the query of git ref REF (git archive into --work)")
    args = parser.parse_args()
    data = Path(args.work) / f"demo-{args.townships}"
    py = sys.executable
    if not (data / "manifest.json").exists():
        subprocess.run(
            [py, "-m", "natality", "demo", "--townships", str(args.townships), "--out", str(data)], cwd=ROOT, check=True
        )
    commands = {
        "query scorecard": [py, "-m", "natality", "query", "scorecard", "--data", str(data), "-p", "year=2024"],
        "import natality.cli": [py, "-c", "import natality.cli"],
    }
    where = dict.fromkeys(commands, ROOT)
    if args.baseline:
        tree = Path(args.work) / f"tree-{args.baseline}"
        if not tree.exists():
            tree.mkdir(parents=True)
            archive = subprocess.run(["git", "archive", args.baseline], cwd=ROOT, check=True, capture_output=True)
            subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
        commands[f"query at {args.baseline}"] = commands["query scorecard"]
        where[f"query at {args.baseline}"] = tree
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for name, command in commands.items():
        timed(command, where[name])  # warm-up
    for _ in range(args.runs):
        for name, command in commands.items():
            times[name].append(timed(command, where[name]))
    load = os.getloadavg()
    loads = " ".join(f"{x:.1f}" for x in load)
    print(f"{args.townships:,} townships, {args.runs} runs each, load average {loads}")
    median = {}
    for name, runs in times.items():
        walls, cpus = [w for w, _ in runs], [c for _, c in runs]
        median[name] = (statistics.median(walls), statistics.median(cpus))
        print(
            f"  {name:22s} wall median {median[name][0]:.2f} s (min {min(walls):.2f} s), "
            f"CPU median {median[name][1]:.2f} s"
        )
    query, bare = median["query scorecard"], median["import natality.cli"]
    print(f"  ratio query / import: wall {query[0] / bare[0]:.2f}, CPU {query[1] / bare[1]:.2f}")
    if args.baseline:
        base = median[f"query at {args.baseline}"]
        print(f"  ratio query / query at {args.baseline}: wall {query[0] / base[0]:.2f}, CPU {query[1] / base[1]:.2f}")
    ok = query[1] <= GOAL_S
    print(f"  goal: query <= {GOAL_S:.0f} s of CPU as a process: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
