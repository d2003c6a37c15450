"""Leaders' notes: stored beside the extract, read after a new import, deleted only by their
author, written from a page (AppTest) and carried into the meeting pack's slide notes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pptx import Presentation
from streamlit.testing.v1 import AppTest

from natality.core import extract, notes
from natality.export.pack import pack_bytes
from natality.export.slides import build_slides
from tests.apptest_pages import open_boxes
from tests.factory import make_extract

A, B = "419901101000", "419901102000"
DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard.py"
SCRIPT = "<script>document.title='pwned'</script> **not bold** <img src=x onerror=alert(1)>"


def tiny(out: Path, births_a: int = 7) -> Path:
    """Two townships, January 2023 and 2024 (cut-off 2024-01), populations in both years."""
    return make_extract(
        out,
        [(A, "城关镇", "Chengguan"), (B, "王店乡", "Wangdian")],
        [
            (A, "2024-01", "M", 1, "25-29", None, births_a),
            (B, "2024-01", "F", 1, "25-29", None, 3),
            (A, "2023-01", "F", 2, "30-34", None, 5),
        ],
        [(A, 2024, 1000), (B, 2024, 1000), (A, 2023, 1000), (B, 2023, 1000)],
        cutoff="2024-01",
    )


def test_the_notes_file_lies_beside_the_extract_and_survives_a_new_import(tmp_path):
    data = tiny(tmp_path / "x")
    first = extract.live_version_dir(data)
    note = notes.add_note(data, "overview", "overview_trend", {"year": "2024", "lang": "zh"}, " 王主任 ", " 复核1月 ")
    assert (note.author, note.body, note.year, note.state) == ("王主任", "复核1月", 2024, {"year": "2024"})
    assert notes.notes_path(data) == tmp_path / "x.notes.sqlite3"
    assert notes.notes_path(first) == tmp_path / "x.notes.sqlite3"  # from a version dir: the same file
    assert not list(first.glob("*.sqlite3"))  # never inside a version
    tiny(tmp_path / "x", births_a=9)  # a new import: a new version made live
    assert extract.live_version_dir(data) != first
    (kept,) = notes.notes_for_view(data, "overview", {"year": "2024", "lang": "en", "present": "1"})
    assert (kept.id, kept.body, kept.chart) == (note.id, "复核1月", "overview_trend")
    # Another state of the page (another year, a region) does not show it.
    assert notes.notes_for_view(data, "overview", {"year": "2023"}) == []
    assert notes.notes_for_view(data, "overview", {"year": "2024", "region": "419901"}) == []


def test_only_the_author_deletes_and_bad_notes_are_refused(tmp_path):
    data = tiny(tmp_path / "x")
    note = notes.add_note(data, "births", "births_monthly", {"year": "2024"}, "李", "note")
    with pytest.raises(notes.NoteError) as refused:
        notes.delete_note(data, note.id, "王")
    assert refused.value.key == "notes.error_not_author"
    assert len(notes.notes_for_year(data, 2024)) == 1
    notes.delete_note(data, note.id, "李")
    assert notes.notes_for_year(data, 2024) == []
    for author, body, key in [
        ("李", "  ", "notes.error_empty"),
        ("", "text", "notes.error_author"),
        ("李", "x" * (notes.MAX_TEXT + 1), "notes.error_long"),
    ]:
        with pytest.raises(notes.NoteError) as bad:
            notes.add_note(data, "births", "births_monthly", {}, author, body)
        assert bad.value.key == key


def test_a_notes_file_that_cannot_be_opened_is_a_message(tmp_path):
    data = tiny(tmp_path / "x")
    notes.notes_path(data).mkdir()  # a folder where the file should be: SQLite cannot open it
    for call in (
        lambda: notes.add_note(data, "births", "births_monthly", {}, "李", "x"),
        lambda: notes.notes_for_view(data, "births", {}),
    ):
        with pytest.raises(notes.NoteError) as failed:
            call()
        assert failed.value.key == "notes.error_storage"


def test_notes_for_a_pack_year_and_region(tmp_path):
    data = tiny(tmp_path / "x")
    notes.add_note(data, "overview", "overview_trend", {"year": "2024"}, "a", "y2024")
    notes.add_note(data, "overview", "overview_trend", {"year": "2023"}, "a", "y2023")
    notes.add_note(data, "scorecard", "scorecard_dist", {}, "a", "no year")
    notes.add_note(data, "overview", "overview_trend", {"year": "2024", "region": "419901"}, "a", "county")
    assert [n.body for n in notes.notes_for_year(data, 2024)] == ["y2024", "no year"]
    assert [n.body for n in notes.notes_for_year(data, 2024, "419901")] == ["county"]


def test_each_note_goes_into_its_slides_speaker_notes(tmp_path):
    data = tiny(tmp_path / "x")
    notes.add_note(data, "overview", "overview_trend", {"year": "2024"}, "王", SCRIPT)
    notes.add_note(data, "map", "map", {"year": "2024", "indicator": "birth_rate"}, "李", "出生率图")
    notes.add_note(data, "township", "township_order", {"year": "2024", "township": A}, "李", "合并后复核")
    notes.add_note(data, "overview", "overview_rank", {"year": "2023"}, "李", "上一年")
    built = build_slides(data, 2024, "zh")
    slides = {s.chart: s.notes for s in built if s.chart}
    assert slides["overview_trend"].endswith(f"领导批注\n• 王（{today()}）：{SCRIPT}")
    assert slides["map:birth_rate"].endswith(f"领导批注\n• 李（{today()}）：出生率图")
    assert "出生率图" not in slides["map:srb_shrunk"]
    # The township profile has no slide: the title slide says where the note was written.
    assert built[0].notes.endswith(f"领导批注\n其他页面的批注\n• [乡镇档案 · 城关镇] 李（{today()}）：合并后复核")
    assert not any("上一年" in text for text in slides.values())  # a 2023 note stays out of the 2024 pack


def today() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).strftime("%Y-%m-%d")


def test_the_pptx_speaker_notes_carry_the_note_text_literally(tmp_path):
    data = tiny(tmp_path / "x")
    notes.add_note(data, "sex-ratio", "srb_funnel", {"year": "2024"}, "Director Wang", SCRIPT)
    prs = Presentation(io.BytesIO(pack_bytes(data, 2024, "en", "pptx")))
    texts = [s.notes_slide.notes_text_frame.text for s in prs.slides]
    (funnel,) = [t for t in texts if SCRIPT in t]
    assert funnel.endswith(f"Leaders' notes\n• Director Wang ({today()}): {SCRIPT}")


def app(lang: str, **params) -> AppTest:
    at = AppTest.from_file(str(DASHBOARD), default_timeout=90)
    at.query_params["lang"] = lang
    for key, value in params.items():
        at.query_params[key] = str(value)
    return at.run()


def test_a_note_written_on_the_overview_is_read_after_a_new_import_and_deleted_by_its_author(tmp_path, monkeypatch):
    data = tiny(tmp_path / "x")
    monkeypatch.setenv("NATALITY_DATA", str(data))
    at = app("zh", year=2024)
    assert not at.exception, at.exception
    assert at.expander(key="overview_trend_notes").label == "批注"
    assert not at.text_area  # closed: the form is made only when a leader opens the notes
    at.session_state["overview_trend_notes_open"] = True  # opened (as its on_change callback records)
    at.run()
    at.text_area(key="overview_trend_note_text").input(SCRIPT)
    at.button(key="FormSubmitter:overview_trend_note_form-添加批注").click().run()
    assert [w.value for w in at.warning] == ["请先填写您的姓名，批注需署名。"]  # unsigned: not saved
    assert notes.notes_for_year(data, 2024) == []
    at.text_input(key="overview_trend_note_author").input("王主任")
    at.button(key="FormSubmitter:overview_trend_note_form-添加批注").click().run()
    assert not at.exception and not at.warning
    assert at.expander(key="overview_trend_notes").label == "批注（1条）"
    texts = [t.value for t in at.text]
    assert SCRIPT in texts  # shown as plain text: the element holds the characters as typed
    assert "批注人：王主任" in texts  # the name is asked once: the next form signs with it
    assert at.text_area(key="overview_trend_note_text").value == ""

    tiny(tmp_path / "x", births_a=9)  # a new import
    other = app("en", year=2024)  # another leader's session, after the import
    assert other.metric[0].value == "12"  # the new version is live: 9 + 3 births
    assert other.expander(key="overview_trend_notes").label == "Notes (1)"
    open_boxes(other, "_notes")
    assert SCRIPT in [t.value for t in other.text]
    assert not [b for b in other.button if "note_delete" in str(b.key)]  # not theirs to delete
    assert other.expander(key="overview_rank_notes").label == "Notes"  # the note is on one chart only

    # From the page to the meeting pack: the note is in the trend slide's speaker notes.
    prs = Presentation(io.BytesIO(pack_bytes(data, 2024, "zh", "pptx")))
    trend = [s.notes_slide.notes_text_frame.text for s in prs.slides if SCRIPT in s.notes_slide.notes_text_frame.text]
    # 2024: 12 births x 12 months / 2,000 people = 72 per 1,000
    assert len(trend) == 1 and trend[0].startswith("2023: 5; 30.00‰\n2024: 12; 72.00‰")

    (delete,) = [b for b in at.button if "note_delete" in str(b.key)]
    delete.click().run()
    assert not at.exception
    assert at.expander(key="overview_trend_notes").label == "批注"
    assert notes.notes_for_year(data, 2024) == []
