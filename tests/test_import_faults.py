"""Faults around an import: a full disk, a read-only data folder, a killed import's leftovers, and
the import log that records every attempt (CLI and page) and every rollback.

The disk-full and read-only cases mount a real tmpfs (we run as root in CI); where mounting is
not allowed, a file-size limit (RLIMIT_FSIZE) stands in for the full disk, so that case always runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest

from natality import cli
from natality.core import extract
from natality.core.i18n import t
from natality.importing import import_log, importer
from natality.versions import view as data_view
from tests.apptest_pages import open_data_page
from tests.import_fixtures import CODES, build_tiny_extract, copy_extract, tree_digest

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = ROOT / "dashboard.py"


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build_tiny_extract(tmp_path_factory.mktemp("tiny"))


def _births(path: Path, rows: int) -> Path:
    lines = ["乡镇代码,出生日期,性别,孩次"] + [f"{CODES[i % 3]},2024-03-{1 + i % 28:02d},男,1" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _live_tables(out: Path) -> dict[str, int]:
    """Rows of every table of the live version (reading them all proves it is readable)."""
    live = extract.live_version_dir(out)
    return {p.stem: pl.read_parquet(p).height for p in sorted(live.glob("*.parquet"))}


def _import(args: list[str], limit_bytes: int | None = None) -> subprocess.CompletedProcess:
    code = "import sys, resource, signal\n"
    if limit_bytes is not None:  # writes past the limit fail with EFBIG, like a disk that is full
        code += f"signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\nresource.setrlimit(resource.RLIMIT_FSIZE, ({limit_bytes}, {limit_bytes}))\n"  # noqa: E501
    code += "from natality.cli import main\nsys.exit(main(sys.argv[1:]))\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", code, "import", *args, "--lang", "en"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def tmpfs(tmp_path):
    """A real 3 MB tmpfs mounted under tmp_path; skipped where mounting is not allowed."""
    mnt = tmp_path / f"mnt-{uuid.uuid4().hex[:6]}"
    mnt.mkdir()
    if (
        os.geteuid() != 0
        or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mnt)], capture_output=True).returncode
        != 0
    ):
        pytest.skip("cannot mount a tmpfs here (needs root); the RLIMIT_FSIZE case covers a full disk")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def _fill(folder: Path) -> None:
    """Fill the file system of ``folder`` to the last block."""
    with open(folder / "ballast", "wb", buffering=0) as fh:
        for size in (1 << 16, 1 << 12, 1):
            try:
                while fh.write(b"\0" * size):
                    pass
            except OSError:
                pass


def _refused_live_unchanged(out: Path, births: Path, message: str, limit_bytes: int | None = None):
    """Import ``births`` into ``out``: exit 2 saying ``message``, no traceback, the live version and
    its tables as they were."""
    before, tables = extract.read_manifest(out)["version"], _live_tables(out)
    done = _import(["--out", str(out), "--births", str(births)], limit_bytes)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
    assert extract.read_manifest(out)["version"] == before and _live_tables(out) == tables
    return done


def test_disk_full_fails_with_exit_2_and_the_live_version_unchanged(template, tmpfs, tmp_path, monkeypatch):
    out = copy_extract(template, tmpfs / "data")
    _fill(tmpfs)
    done = _refused_live_unchanged(out, _births(tmp_path / "b.csv", 30), "the disk is full")
    assert "the live data is unchanged" in done.stderr
    assert not [p for p in extract.versions_dir(out).iterdir() if p.name.startswith(".staging-")]
    # The app keeps serving the live version.
    monkeypatch.setenv("NATALITY_DATA", str(out))
    at = AppTest.from_file(str(DASHBOARD), default_timeout=120)
    at.query_params["lang"] = "en"
    at.run()
    assert not at.exception and not at.error


def test_disk_full_by_file_size_limit(template, tmp_path):
    out = copy_extract(template, tmp_path / "data")
    # No file over 1 kB can be written: the new version's first table file fails (EFBIG), as on a
    # full disk; the births CSV itself is only read.
    _refused_live_unchanged(out, _births(tmp_path / "b.csv", 30), "the disk is full", limit_bytes=1024)


def test_a_write_that_fails_leaves_no_staging_folder_and_the_live_files_byte_identical(template, tmp_path):
    # No root, no mount: a file-size limit makes the write step fail after the staging folder was made
    # (folders are not limited, the first table file over 1 kB is). The failed import itself must remove
    # its staging folder: the next import would too, but until then it is a half-written version on disk.
    out = copy_extract(template, tmp_path / "data")
    vdir = extract.versions_dir(out)
    before, versions = tree_digest(out), sorted(p.name for p in vdir.iterdir())
    done = _import(["--out", str(out), "--births", str(_births(tmp_path / "b.csv", 30))], limit_bytes=1024)
    assert done.returncode == 2, done.stderr
    assert sorted(p.name for p in vdir.iterdir()) == versions  # no .staging-*, no new version
    assert not list(out.parent.glob(f".{out.name}.link-*"))
    assert tree_digest(out) == before


def test_read_only_data_folder_fails_with_exit_2(template, tmpfs, tmp_path):
    out = copy_extract(template, tmpfs / "data")
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    _refused_live_unchanged(out, _births(tmp_path / "b.csv", 3), "read-only or not writable")


def test_a_killed_imports_leftovers_are_removed_with_a_message(template, tmp_path):
    out = copy_extract(template, tmp_path / "data")
    vdir = extract.versions_dir(out)
    (vdir / ".staging-v20260101T000000000000Z").mkdir()
    (vdir / ".staging-v20260101T000000000000Z" / "births.parquet").write_bytes(b"half a file")
    os.symlink("nowhere", out.with_name(f".{out.name}.link-v20260101T000000000000Z"))
    extract.lock_path(out).touch()  # the lock file a killed import leaves (its flock died with it)
    done = _import(["--out", str(out), "--births", str(_births(tmp_path / "b.csv", 3)), "--months-only"])
    assert done.returncode == 0, done.stderr
    assert (
        f"Warning: {out}: an earlier import was interrupted; its leftover temporary files were removed "
        f"(.staging-v20260101T000000000000Z, .{out.name}.link-v20260101T000000000000Z); the live data was not "
        "affected" in done.stderr
    )
    assert not [p for p in vdir.iterdir() if p.name.startswith(".")]
    assert not list(out.parent.glob(f".{out.name}.link-*"))


def test_every_import_and_rollback_is_logged_and_shown_by_the_cli(template, tmp_path, capsys):
    out = copy_extract(template, tmp_path / "data")
    first = extract.read_manifest(out)["version"]
    good = _births(tmp_path / "good.csv", 3)
    bad = tmp_path / "bad.csv"
    bad.write_text(f"乡镇代码,出生日期,性别\n{CODES[0]},2024-02-30,男\n", encoding="utf-8")
    assert importer.main(["--out", str(out), "--births", str(bad), "--lang", "en"]) == 2
    assert importer.main(["--out", str(out), "--births", str(good), "--months-only", "--lang", "en"]) == 0
    second = extract.read_manifest(out)["version"]
    assert cli.main(["rollback", first, "--data", str(out)]) == 0
    ok, _ = data_view.run_upload({"births": ("../../etc/出生.csv", good.read_bytes())}, out, True, "en", "session:abc")
    assert ok
    capsys.readouterr()

    rows = import_log.read(out)
    # newest first: the page's upload, the CLI rollback, the good import, the failed one
    assert rows["result"].to_list() == ["ok", "rollback", "ok", "failed"]
    assert rows["source"].to_list() == ["page", "cli", "cli", "cli"]
    assert rows["who"][0] == "session:abc" and rows["who"][1].startswith("cli:")
    assert rows["version"][1] == first and rows["version"][2] == second
    size = good.stat().st_size
    assert rows["files"].to_list() == [
        f"出生.csv ({size:,} B)",
        "",
        f"good.csv ({size:,} B)",
        f"bad.csv ({bad.stat().st_size:,} B)",
    ]
    assert rows["message"][3].startswith(
        'bad.csv, row 2, column "出生日期": found "2024-02-30", expected a date such as 2024-03-05'
    )

    assert cli.main(["log", "--data", str(out), "--format", "json", "--limit", "2"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert [r["result"] for r in shown] == ["ok", "rollback"]
    assert cli.main(["log", "--data", str(out)]) == 0
    text = capsys.readouterr().out.splitlines()
    assert len(text) == 4 and " failed " in text[3] and "bad.csv" in text[3]
    # Appended, never rewritten: a damaged last line (a disk that filled mid-write) is skipped.
    with open(import_log.log_path(out), "a", encoding="utf-8") as fh:
        fh.write('{"time": "2026-')
    assert import_log.read(out).height == 4


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("出生.csv", "出生.csv"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\x.xlsx", "x.xlsx"),
        (".bashrc", "bashrc"),
        ("a\x00b\x1f.csv", "a_b_.csv"),
        ("", "births"),
        ("名单.c$v", "名单.cv"),
        ("x" * 300 + ".csv", "x" * 100 + ".csv"),
    ],
)
def test_upload_file_names_are_made_safe(name, safe):
    assert data_view.safe_upload_name(name, "births") == safe


def test_upload_attempts_are_limited_to_five_a_minute():
    history: list[float] = []
    results = []
    for now in (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 59.5, 60.5):
        refused, history = data_view.refusal(history, now, "wrong", "s3cret", {}, 200, "en")
        results.append(refused)
    # 5 attempts in the first minute are judged; the 6th (t=5) waits until t=60 (the first one
    # leaves the window): 60 - 5 = 55 s. At t=59.5 still 5 in the window (1..4 and 0 is 59.5 s old):
    # wait 60 - 59.5 = 0.5 -> 1 s. At t=60.5 the attempt at t=0 has left: judged again.
    assert results == ["Wrong password."] * 5 + [
        "Too many attempts (at most 5 a minute); try again in 56 s.",
        "Too many attempts (at most 5 a minute); try again in 1 s.",
        "Wrong password.",
    ]


def test_uploads_over_the_limit_are_refused_before_reading():
    sizes = {"births": ("出生.csv", 2_500_000), "targets": ("t.csv", 900_000)}
    refused, _ = data_view.refusal([], 0.0, "s3cret", "s3cret", sizes, 2, "zh")
    assert refused == "文件超过 2 MB 的上限，未读取：出生.csv (2 MB)"
    assert data_view.refusal([], 0.0, "s3cret", "s3cret", sizes, 3, "zh")[0] is None


def test_upload_limit_is_configurable(monkeypatch):
    monkeypatch.setenv("NATALITY_MAX_UPLOAD_MB", "50")
    assert data_view.upload_limit_mb() == 50
    monkeypatch.setenv("NATALITY_MAX_UPLOAD_MB", "lots")
    assert data_view.upload_limit_mb() == 200
    monkeypatch.delenv("NATALITY_MAX_UPLOAD_MB")
    assert data_view.upload_limit_mb() == 200


def _frame(at: AppTest, column: str):
    """The page's one table with this column header."""
    (frame,) = [d.value for d in at.dataframe if column in d.value.columns]
    return frame


def _data_page(out: Path, monkeypatch, lang: str = "en") -> AppTest:
    return open_data_page(out, monkeypatch, lang)


def test_data_page_lists_versions_and_the_log_and_rolls_back(template, tmp_path, monkeypatch):
    out = copy_extract(template, tmp_path / "data")
    first = extract.read_manifest(out)["version"]
    assert importer.main(["--out", str(out), "--births", str(_births(tmp_path / "b.csv", 3)), "--months-only"]) == 0
    second = extract.read_manifest(out)["version"]
    at = _data_page(out, monkeypatch)
    versions = _frame(at, "Created (UTC)")
    assert versions["Version"].tolist() == [second, first] and versions["Live"].tolist() == ["live", ""]
    log = _frame(at, "Who")
    assert log["Result"].tolist() == ["imported"] and log["Version"].tolist() == [second]

    at.selectbox(key="data_rollback_version").set_value(first)
    at.text_input(key="data_rollback_password").input("wrong")
    at.button[1].click()
    at.run()
    assert [e.value for e in at.error] == ["Wrong password."]
    assert extract.read_manifest(out)["version"] == second
    at.text_input(key="data_rollback_password").input("s3cret")
    at.button[1].click()
    at.run()
    assert not at.exception
    assert extract.read_manifest(out)["version"] == first
    rolled = [s.value for s in at.success if s.value != t("alerts.none", "en")]  # the alerts' all-clear aside
    assert rolled == [f"Version {first} is live again."]
    log = _frame(at, "Who")
    assert log["Result"].tolist() == ["rollback", "refused", "imported"]
    assert log["Message"][1] == "Wrong password." and log["Who"][0].startswith("session:")


def test_data_page_refuses_the_sixth_attempt_in_a_minute(template, tmp_path, monkeypatch):
    out = copy_extract(template, tmp_path / "data")
    at = _data_page(out, monkeypatch, "zh")
    for _ in range(6):
        at.text_input(key="data_password").input("guess")
        at.button[0].click()
        at.run()
    assert at.error[0].value.startswith("尝试次数过多（每分钟最多 5 次）")
    assert import_log.read(out)["result"].to_list() == ["refused"] * 6


def test_with_a_login_configured_only_the_login_button_shows(template, tmp_path, monkeypatch):
    out = copy_extract(template, tmp_path / "data")
    monkeypatch.setenv("NATALITY_DATA", str(out))
    at = AppTest.from_file(str(DASHBOARD), default_timeout=120)
    at.query_params["lang"] = "zh"
    at.secrets["auth"] = {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "x" * 32,
        "client_id": "dashboard",
        "client_secret": "s",
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    }
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["请先登录"]
    assert [b.label for b in at.button] == ["用单位账号登录"]
    assert not at.metric and not at.get("plotly_chart")  # no number before the login


def test_a_command_line_import_yields_the_cpu_to_the_dashboard(template, tmp_path):
    out = copy_extract(template, tmp_path / "data")
    births = _births(tmp_path / "b.csv", 3)
    # python -m natality import ..., and the niceness it ran at, printed by the same process
    code = (
        "import os, runpy, sys\nstart = os.nice(0)\n"
        f"sys.argv = ['natality', 'import', '--out', {str(out)!r}, '--births', {str(births)!r}, '--months-only']\n"
        "try:\n    runpy.run_module('natality', run_name='__main__')\nexcept SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\nprint(min(os.nice(0), 19) - start)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("NATALITY_IMPORT_NICE", None)
    start = os.nice(0)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.stdout.split()[-1] == str(min(start + 10, 19) - start), done.stderr
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "NATALITY_IMPORT_NICE": "0"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.split()[-1] == "0", done.stderr
