"""Killing an import at any moment leaves a live version that is complete and readable."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from natality.core import extract
from tests.import_fixtures import CODES, build_tiny_extract, copy_extract

ROOT = Path(__file__).resolve().parent.parent
KILLS = 20  # kill -9 at 20 moments spread over a whole import: 20/20 must leave a complete live version


def _big_births(path: Path, n: int) -> None:
    rng = random.Random(7)
    lines = ["记录号,姓名,乡镇代码,出生日期,性别,孩次,母亲年龄"]
    for i in range(n):
        day = f"20{rng.randint(15, 24)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        lines.append(
            f"R{i},某某,{rng.choice(CODES)},{day},{rng.choice('男女')},{rng.randint(1, 4)},{rng.randint(18, 45)}"
        )
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))


def _assert_live_version_complete(out: Path) -> str:
    """Every table of the live version reads, and its row count is the manifest's."""
    manifest = extract.read_manifest(out)
    live = extract.live_version_dir(out)
    for table, count in manifest["row_counts"].items():
        assert pl.read_parquet(live / f"{table}.parquet").height == count, table
    return manifest["version"]


def _run(args: list[str]) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "natality", "import", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.timeout(600)
def test_kill_at_random_moments_leaves_a_readable_live_version(tmp_path):
    out = copy_extract(build_tiny_extract(tmp_path / "tpl"), tmp_path / "data")
    first = _assert_live_version_complete(out)
    births = tmp_path / "big.csv"
    _big_births(births, 60_000)
    args = ["--out", str(out), "--births", str(births), "--lang", "en"]

    start = time.monotonic()
    proc = _run(args)
    assert proc.wait(timeout=300) == 0, proc.stderr.read().decode()
    duration = time.monotonic() - start
    seen = {first, _assert_live_version_complete(out)}

    rng = random.Random(11)
    for i in range(KILLS):
        proc = _run(args)
        time.sleep(duration * (i + rng.random()) / KILLS)  # spread over the whole run
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        proc.stderr.close()
        version = _assert_live_version_complete(out)
        seen.add(version)
        assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["version"] == version

    # The next import clears what the killed ones left behind and succeeds.
    proc = _run(args)
    assert proc.wait(timeout=300) == 0, proc.stderr.read().decode()
    proc.stderr.close()
    _assert_live_version_complete(out)
    vdir = out.with_name(out.name + ".versions")
    assert not [p for p in vdir.iterdir() if p.name.startswith(".staging-")]
    assert not list(out.parent.glob(f".{out.name}.link-*"))
    assert len([p for p in vdir.iterdir() if p.is_dir()]) == 3  # pruned to the newest three
    assert len(seen) >= 2


SLOW_PUBLISH = """
import sys, time
from pathlib import Path
import polars as pl
from natality.core import extract

def write(staging: Path) -> dict:
    live = extract.live_version_dir(sys.argv[1])
    for name in ("townships", "births"):
        data = (live / f"{name}.parquet").read_bytes()
        with open(staging / f"{name}.parquet", "wb") as fh:
            for i in range(0, len(data), 64):  # slowly, so that a kill lands mid-file
                fh.write(data[i : i + 64])
                fh.flush()
                time.sleep(0.002)
    manifest = extract.read_manifest(live)
    return {k: v for k, v in manifest.items() if k != "version"}

print("start", flush=True)
extract.publish(sys.argv[1], write)
"""


@pytest.mark.timeout(300)
def test_kill_during_the_write_and_switch_of_publish(tmp_path):
    """A write step slowed down on purpose, killed at many moments: old or new, never half."""
    out = copy_extract(build_tiny_extract(tmp_path / "tpl"), tmp_path / "data")
    for table in ("population", "reported", "targets"):  # publish writes townships and births only
        assert not (out / f"{table}.parquet").exists()
    script = tmp_path / "slow_publish.py"
    script.write_text(SLOW_PUBLISH, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}

    def run() -> subprocess.Popen:
        proc = subprocess.Popen(
            [sys.executable, str(script), str(out)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert proc.stdout.readline().strip() == b"start"  # imports done; publish begins now
        return proc

    proc = run()
    t0 = time.monotonic()
    assert proc.wait(timeout=120) == 0
    duration = time.monotonic() - t0
    assert duration > 0.2, duration
    rng = random.Random(5)
    staged = 0
    for i in range(8):
        proc = run()
        time.sleep(duration * (i + rng.random()) / 8)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        proc.stdout.close()
        _assert_live_version_complete(out)
        vdir = out.with_name(out.name + ".versions")
        staged += any(p.name.startswith(".staging-") for p in vdir.iterdir())
    assert staged >= 2  # the kills did land inside the write step
    proc = run()
    assert proc.wait(timeout=120) == 0
    proc.stdout.close()
    _assert_live_version_complete(out)
    assert not [p for p in out.with_name(out.name + ".versions").iterdir() if p.name.startswith(".")]
