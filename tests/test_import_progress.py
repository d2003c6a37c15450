"""Issue 23 point 5: long work shows its progress. The command line prints each step and the
rows read (a bar on a terminal, plain lines otherwise); the Data page's upload shows st.status /
st.progress and then the sheet-by-sheet summary of a workbook, in both languages."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from natality.core import extract, literal
from natality.core.progress import Steps, terminal_progress
from natality.importing import importer
from tests.apptest_pages import open_data_page
from tests.import_fixtures import CODES

ROOT = Path(__file__).resolve().parents[1]
BIRTHS = f"乡镇代码,出生日期,性别\n{CODES[0]},2024-03-05,男\n{CODES[1]},2024-03-09,女\n{CODES[1]},2024-04-01,女\n"


def test_plain_lines_name_each_step_and_the_rows_read(ext, tmp_path, capsys):
    path = tmp_path / "births.csv"
    path.write_text(BIRTHS, encoding="utf-8")
    assert importer.main(["--out", str(ext), "--births", str(path), "--lang", "en", "--progress", "lines"]) == 0
    version = extract.read_manifest(ext)["version"]
    # One input + checking/writing + the switch: 3 steps; three records read.
    assert capsys.readouterr().err.splitlines()[:4] == [
        "[0/3] Reading and checking births.csv (births) …",
        "[1/3] Read births.csv: 3 row(s)",
        "[2/3] Writing the new version …",
        f"[3/3] Switched to the new version {version}",
    ]


def test_a_terminal_gets_a_bar_redrawn_in_place_and_a_pipe_plain_lines():
    bar = io.StringIO()
    steps = Steps(terminal_progress("zh", bar, "bar"), 4)
    steps.now("importer.step.checking")
    steps.did("importer.step.writing")
    # 0 of 24 cells filled, then 6 (a quarter); each drawn over the line before, no newline yet.
    first, second = "░" * 24 + " [0/4] 正在核对乡镇代码 …", "█" * 6 + "░" * 18 + " [1/4] 正在写入新版本 …"
    assert bar.getvalue() == "\r\x1b[2K" + first + "\r\x1b[2K" + second
    steps.progress.end_line()  # the work failed midway: what follows starts on a line of its own
    steps.progress.end_line()  # once
    assert bar.getvalue().endswith(second + "\n")
    pipe = io.StringIO()  # not a terminal: the default is plain lines
    Steps(terminal_progress("en", pipe), 2).did("importer.step.writing")
    assert pipe.getvalue() == "[1/2] Writing the new version …\n"


def test_the_command_line_shows_progress_when_piped(ext, tmp_path):
    path = tmp_path / "births.csv"
    path.write_text(BIRTHS, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "natality", "import", "--out", str(ext), "--births", str(path), "--lang", "zh"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NATALITY_IMPORT_NICE": "0"},
    )
    assert done.returncode == 0, done.stderr
    assert "[1/3] 已读取 births.csv：3 行\n[2/3] 正在写入新版本 …\n" in done.stderr


def _workbook() -> bytes:
    """Two month sheets (1月, 2月; the year in the title row) and a 汇总 sheet that agrees."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    for name, rows in (
        ("汇总", [["城关镇", 3, 1], ["东区", 0, 2]]),
        ("1月", [["城关镇", 2, 1], ["东区", 0, 1]]),
        ("2月", [["城关镇", 1, 0], ["东区", 0, 1]]),
    ):
        ws = book.add_worksheet(name)
        ws.merge_range(0, 0, 0, 2, "2024年出生人口统计表" if name == "汇总" else f"2024年{name}出生人口统计表")
        ws.write_row(1, 0, ["乡镇", "男", "女"])
        for i, row in enumerate(rows):
            ws.write_row(2 + i, 0, row)
    book.close()
    return out.getvalue()


SHEET_LINES = {
    "en": [
        '  sheet "汇总": summary, 4 number(s) agree with the sum of the 2 month sheets; not counted again',
        '  sheet "1月": 2024-01, 2 row(s)',
        '  sheet "2月": 2024-02, 2 row(s)',
    ],
    "zh": [
        "  工作表“汇总”：汇总表，4 个数与 2 个月份表之和一致，未重复计入",
        "  工作表“1月”：2024-01，2 行",
        "  工作表“2月”：2024-02，2 行",
    ],
}
STEPS = {
    "en": [
        "[0/3] Reading and checking report.xlsx (births) …",
        "[1/3] Read report.xlsx: 4 row(s)",
        "[2/3] Writing the new version …",
    ],
    "zh": ["[0/3] 正在读取并检查 report.xlsx（births）…", "[1/3] 已读取 report.xlsx：4 行", "[2/3] 正在写入新版本 …"],
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_data_page_upload_shows_progress_and_the_sheets(ext, monkeypatch, lang):
    at = open_data_page(ext, monkeypatch, lang)
    at.text_input(key="data_password").input("s3cret")
    at.get("file_uploader")[0].set_value(("report.xlsx", _workbook(), "application/vnd.ms-excel"))
    at.button[0].click()
    at.run()
    assert not at.exception, at.exception
    version = extract.read_manifest(ext)["version"]
    done = STEPS[lang] + [
        f"[3/3] Switched to the new version {version}" if lang == "en" else f"[3/3] 已切换到新版本 {version}"
    ]
    # After the import the page is drawn again over the new version: the steps it went through
    # stay, collapsed under the last one, and the summary lists what each sheet gave.
    [status] = at.status
    assert (status.label, status.state) == (literal.md(done[-1]), "complete")  # Markdown: escaped
    assert status.text[0].value.splitlines() == done
    summary = at.code[0].value.splitlines()
    assert [line for line in summary if line.startswith("  ")][-3:] == SHEET_LINES[lang]


def test_the_crosswalk_upload_slot_imports_it_and_tells_its_steps(ext):
    from natality.versions import view as data_view

    seen: list[tuple] = []
    crosswalk = "原乡镇代码,新乡镇代码,变更年份,比例\n411621199000,411621100000,2021,\n".encode("gb18030")
    ok, message = data_view.run_upload(
        {"crosswalk": ("区划调整.csv", crosswalk)}, ext, False, "en", progress=lambda *step: seen.append(step)
    )
    assert ok, message
    # No table but the crosswalk: 1 step for it, 1 for checking and writing, 1 for the switch.
    version = extract.read_manifest(ext)["version"]
    assert [s[:3] for s in seen] == [
        (0, 3, "importer.step.reading"),
        (1, 3, "importer.step.checking"),
        (2, 3, "importer.step.writing"),
        (3, 3, "importer.step.done"),
    ]
    assert seen[-1][3] == {"version": version}
    stored = pl.read_parquet(ext.resolve() / "crosswalk.parquet")
    assert stored.select("old_code", "new_code").rows() == [("411621199000", "411621100000")]
