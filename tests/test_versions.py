"""`python -m natality versions` and `rollback`: list the kept versions and switch back atomically."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from natality.core import db, extract
from tests.factory import make_extract

ROOT = Path(__file__).resolve().parent.parent
T = "419901001000"


def natality(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "natality", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def two_versions(tmp_path):
    out = tmp_path / "x"
    make_extract(out, [(T, "一镇", "One")], [(T, "2024-01", "M", 1, None, None, 3)])
    first = out.resolve()
    make_extract(out, [(T, "一镇", "One")], [(T, "2024-01", "M", 1, None, None, 5)])
    return out, first, out.resolve()


def test_versions_lists_both_and_marks_the_live_one(two_versions):
    out, first, second = two_versions
    rows = extract.list_versions(out)
    assert [(r["version"], r["live"], r["births_rows"]) for r in rows] == [
        (first.name, False, 1),
        (second.name, True, 1),
    ]
    done = natality("versions", "--data", str(out))
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"  {first.name}") and lines[1].startswith(f"* {second.name}")


def test_rollback_makes_the_earlier_version_live_and_queries_follow(two_versions):
    out, first, _ = two_versions
    assert db.run_query("srb_county", out, year_from=2024, year_to=2024)["boys"].to_list() == [5]
    done = natality("rollback", first.name, "--data", str(out))
    assert done.returncode == 0, done.stderr
    assert out.resolve() == first
    assert db.run_query("srb_county", out, year_from=2024, year_to=2024)["boys"].to_list() == [3]
    assert [r["live"] for r in extract.list_versions(out)] == [True, False]


def test_rollback_to_an_unknown_version_says_which_exist_and_changes_nothing(two_versions):
    out, first, second = two_versions
    done = natality("rollback", "v1999", "--data", str(out))
    assert done.returncode == 2
    assert "no version 'v1999'" in done.stderr and first.name in done.stderr and second.name in done.stderr
    assert out.resolve() == second


def test_rollback_refuses_a_version_without_manifest(two_versions):
    out, first, second = two_versions
    (first / "manifest.json").unlink()
    with pytest.raises(extract.ExtractError, match=r"no readable manifest\.json"):
        extract.switch_version(out, first.name)
    assert out.resolve() == second
