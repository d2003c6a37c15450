"""A corpus of bad files: each is refused (exit 2) with a precise message, and nothing on disk changes."""

from __future__ import annotations

import pytest

from natality.importing import importer
from tests.import_fixtures import all_versions, tree_digest

C0 = "411621100000"
HEAD = "乡镇代码,出生日期,性别,孩次\n"
ROW_OK = f"{C0},2024-03-05,男,1\n"

# id: (the content of b.csv, given as births; the expected lines or fragments of stderr)
BAD_BIRTHS = {
    "empty": (b"", ["b.csv: the file has no data rows; expected a header and at least one row"]),
    "header_only": (HEAD.encode(), ["b.csv: the file has no data rows"]),
    "no_sex": (
        f"乡镇代码,出生日期\n{C0},2024-03-05\n".encode(),
        ["b.csv: a required column is missing; expected a header such as sex / 性别 / 婴儿性别"],
    ),
    "no_date": (
        f"乡镇代码,性别\n{C0},男\n".encode(),
        ["b.csv: a required column is missing; expected a header such as birth_date / 出生日期 / 出生时间 / month"],
    ),
    "no_code": (
        "出生日期,性别\n2024-03-05,男\n".encode(),
        ["a required column is missing; expected a header such as township_code / 乡镇代码"],
    ),
    "bad_date": (
        (HEAD + ROW_OK + f"{C0},2024-02-30,女,1\n").encode(),
        ['b.csv, row 3, column "出生日期": found "2024-02-30", expected a date such as 2024-03-05'],
    ),
    "bad_sex": (
        (HEAD + f"{C0},2024-03-05,3,1\n").encode(),
        ['b.csv, row 2, column "性别": found "3", expected a sex: 男/女, M/F, or the GB/T 2261.1 codes'],
    ),
    "bad_order": (
        (HEAD + f"{C0},2024-03-05,男,0\n").encode(),
        ['b.csv, row 2, column "孩次": found "0", expected a birth order: 1, 2, 3, 3+'],
    ),
    "future": (
        (HEAD + f"{C0},2099-01-01,男,1\n").encode(),
        ['b.csv, row 2, column "出生日期": found "2099-01-01", the date is after today'],
    ),
    "before_1949": (
        (HEAD + f"{C0},1948-05-01,男,1\n").encode(),
        ['row 2, column "出生日期": found "1948-05-01", the date is before 1949; expected 1949 or later'],
    ),
    "duplicate_id": (
        (f"记录号,{HEAD}" + f"A1,{ROW_OK}A2,{ROW_OK}A1,{ROW_OK}").encode(),
        ['b.csv, row 4, column "记录号": found "A1", repeats row 2 (the same record twice)'],
    ),
    "unknown_code": (
        (HEAD + ROW_OK + "411621199000,2024-03-05,男,1\n").encode(),
        ['b.csv, row 3, column "乡镇代码": found "411621199000", this township code is not among the extract\'s 3'],
    ),
    "scientific_code": (
        (HEAD + "4.11621E+11,2024-03-05,男,1\n").encode(),
        ['row 2, column "乡镇代码": found "4.11621E+11", the code was turned into scientific notation by Excel'],
    ),
    "negative_count": (
        f"乡镇代码,月份,性别,出生数\n{C0},2024-03,男,-2\n".encode(),
        ['b.csv, row 2, column "出生数": found "-2", a negative number; expected 0 or more'],
    ),
    "fractional_count": (
        f"乡镇代码,月份,性别,出生数\n{C0},2024-03,男,1.5\n".encode(),
        ['row 2, column "出生数": found "1.5", not a whole number'],
    ),
    "future_month": (
        f"乡镇代码,月份,性别,出生数\n{C0},2099-03,男,1\n".encode(),
        ['row 2, column "月份": found "2099-03", the date is after today'],
    ),
    "bad_age": (
        f"乡镇代码,出生日期,性别,母亲年龄\n{C0},2024-03-05,男,abc\n".encode(),
        ['row 2, column "母亲年龄": found "abc", expected the mother\'s age in whole years'],
    ),
    "not_text": (bytes(range(128, 256)) * 4, ["b.csv: the text encoding is not recognised"]),
}
# (id, flag, file name, content, expected lines or fragments of stderr)
CORPUS = [(key, "births", "b.csv", content, expected) for key, (content, expected) in BAD_BIRTHS.items()]
CORPUS += [
    (
        "corrupt_xls",
        "births",
        "b.xls",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
        ["b.xls: this Excel file cannot be read"],
    ),
    ("corrupt_xlsx", "births", "b.xlsx", b"PK\x03\x04 not really a zip", ["b.xlsx: this Excel file cannot be read"]),
    ("missing_file", "births", None, None, ["file not found"]),
    (
        "unknown_indicator",
        "targets",
        "t.csv",
        f"乡镇代码,年份,指标,目标值\n{C0},2025,幸福指数,90\n".encode(),
        ['t.csv, row 2, column "指标": found "幸福指数", unknown indicator; expected one of births, birth_rate'],
    ),
    (
        "duplicate_target",
        "targets",
        "t.csv",
        f"乡镇代码,年份,指标,目标值\n{C0},2025,出生率,7\n{C0},2025,birth_rate,8\n".encode(),
        [f't.csv, row 3: found "{C0} / 2025 / birth_rate", repeats row 2'],
    ),
    (
        "negative_population",
        "population",
        "p.csv",
        f"乡镇代码,年份,人口数\n{C0},2024,-5\n".encode(),
        ['p.csv, row 2, column "人口数": found "-5", a negative number'],
    ),
    (
        "population_unknown_code",
        "population",
        "p.csv",
        "乡镇代码,年份,人口数\n411621188000,2024,5000\n".encode(),
        ['p.csv, row 2, column "乡镇代码": found "411621188000", this township code is not among'],
    ),
    (
        "zero_denominator",
        "reported",
        "r.csv",
        f"乡镇代码,年份,指标,分子,分母\n{C0},2020,出生统计准确率,9,0\n".encode(),
        ['r.csv, row 2, column "分母": found "0", expected a denominator greater than 0'],
    ),
    (
        "broken_boundaries",
        "boundaries",
        "towns.geojson",
        b'{"type": "FeatureCollection", "features": [',
        ["towns.geojson: the boundary file cannot be used"],
    ),
    ("bad_mapping", "mapping", "map.yaml", b"births: [unclosed", ["map.yaml: the mapping file cannot be read"]),
]


@pytest.mark.parametrize(("flag", "name", "content", "expected"), [c[1:] for c in CORPUS], ids=[c[0] for c in CORPUS])
def test_bad_file_is_refused_precisely_and_nothing_changes(ext, tmp_path, capsys, flag, name, content, expected):
    before, versions = tree_digest(ext), all_versions(ext)
    path = tmp_path / "inputs" / (name or "absent.csv")
    path.parent.mkdir()
    if content is not None:
        path.write_bytes(content)
    args = ["--out", str(ext), f"--{flag}", str(path), "--lang", "en"]
    if flag == "mapping":  # a mapping alone imports nothing; give it a good births file
        good = tmp_path / "good.csv"
        good.write_text(HEAD + ROW_OK, encoding="utf-8")
        args += ["--births", str(good)]
    assert importer.main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("Import refused; nothing on disk was changed.")
    for fragment in expected:
        assert fragment in err, err
    assert "Traceback" not in err
    assert tree_digest(ext) == before
    assert all_versions(ext) == versions


def test_every_problem_is_listed_in_one_run(ext, tmp_path, capsys):
    path = tmp_path / "b.csv"
    path.write_text(HEAD + f"{C0},2024-13-01,X,1\n411621199000,2024-03-05,男,七\n", encoding="utf-8")
    assert importer.main(["--out", str(ext), "--births", str(path), "--lang", "en"]) == 2
    lines = capsys.readouterr().err.splitlines()[1:]
    assert lines == [
        'b.csv, row 2, column "出生日期": found "2024-13-01", expected a date such as 2024-03-05, 2024/3/5, '
        "2024年3月5日 or an Excel date",
        'b.csv, row 2, column "性别": found "X", expected a sex: 男/女, M/F, or the GB/T 2261.1 codes 1 (male), '
        "2 (female), 0/9 (unknown)",
        'b.csv, row 3, column "乡镇代码": found "411621199000", this township code is not among the extract\'s 3 '
        "townships (usually a typo); for a new township, import a boundary file too",
    ]


def test_messages_in_chinese(ext, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NATALITY_LANG", "zh")
    path = tmp_path / "出生.csv"
    path.write_text(HEAD + f"{C0},2024-03-05,X,1\n", encoding="utf-8")
    assert importer.main(["--out", str(ext), "--births", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "导入未完成，数据未作任何改动。请修正以下问题后重试：",
        "出生.csv，第 2 行，“性别”列：值为“X”，应为性别：男/女、M/F，或 GB/T 2261.1 代码 1（男）、2（女）、0/9（未知）",
    ]


def test_problems_are_capped_with_a_count_of_the_rest(ext, tmp_path, capsys):
    path = tmp_path / "b.csv"
    path.write_text(HEAD + "".join(f"{C0},2024-03-05,X,1\n" for _ in range(60)), encoding="utf-8")
    assert importer.main(["--out", str(ext), "--births", str(path), "--lang", "en"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 + 50 + 1
    assert lines[-1] == "... and 10 more problem(s) not listed."


def test_nothing_to_import(ext, capsys):
    assert importer.main(["--out", str(ext), "--lang", "en"]) == 2
    assert "nothing to import" in capsys.readouterr().err


def test_a_second_import_while_one_holds_the_lock_is_refused(ext, tmp_path, capsys):
    from natality.core import extract

    path = tmp_path / "b.csv"
    path.write_text(HEAD + ROW_OK, encoding="utf-8")
    before = tree_digest(ext)
    with extract.import_lock(ext):
        assert importer.main(["--out", str(ext), "--births", str(path), "--lang", "en"]) == 1
    assert "Another import into" in capsys.readouterr().err
    assert tree_digest(ext) == before
    assert importer.main(["--out", str(ext), "--births", str(path), "--lang", "en"]) == 0


def test_out_that_is_a_plain_directory_of_other_files_is_never_moved(tmp_path, capsys):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me", encoding="utf-8")
    births = tmp_path / "b.csv"
    births.write_text(HEAD + ROW_OK, encoding="utf-8")
    assert importer.main(["--out", str(folder), "--births", str(births), "--lang", "en"]) == 2
    assert "is not an extract (no manifest.json)" in capsys.readouterr().err
    assert [p.name for p in folder.iterdir()] == ["notes.txt"] and not folder.is_symlink()
