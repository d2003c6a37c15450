"""A damaged or missing file in the live version: a message naming the file and the way back."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from natality.core import db
from tests.factory import make_extract

DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard.py"
T = "419901001000"


@pytest.fixture
def damaged(tmp_path):
    out = make_extract(tmp_path / "x", [(T, "一镇", "One")], [(T, "2024-01", "M", 1, None, None, 3)])
    version = out.resolve()
    (version / "births.parquet").write_bytes((version / "births.parquet").read_bytes()[:300])  # truncated
    return out


def test_query_names_the_damaged_file_and_the_way_back(damaged):
    with pytest.raises(db.DamagedExtract) as info:
        db.run_query("srb_by_year", damaged)
    assert info.value.file == "births.parquet"
    assert info.value.version == damaged.resolve().name
    assert "python -m natality rollback VERSION" in str(info.value)


def test_missing_townships_file_is_named(tmp_path):
    out = make_extract(tmp_path / "y", [(T, "一镇", "One")], [(T, "2024-01", "M", 1, None, None, 3)])
    (out.resolve() / "townships.parquet").unlink()
    with pytest.raises(db.DamagedExtract, match=r"townships.parquet of version .* \(the file is missing\)"):
        db.run_query("township_list", out)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", ["pages/overview.py", "pages/data.py", "pages/sex-ratio.py"])
def test_pages_show_the_message_not_a_traceback(damaged, monkeypatch, lang, page):
    monkeypatch.setenv("NATALITY_DATA", str(damaged))
    at = AppTest.from_file(str(DASHBOARD), default_timeout=60)
    at.query_params["lang"] = lang
    at.switch_page(page)
    at.run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors and "births.parquet" in errors[0] and damaged.resolve().name in errors[0]
    assert any("rollback" in i.value for i in at.info)
