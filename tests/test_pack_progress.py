"""Issue 23 point 5: the meeting pack tells its progress (the numbers, each slide drawn, done)."""

from __future__ import annotations

import io
from pathlib import Path

from pptx import Presentation

from natality.export.pack import pack_bytes
from tests.factory import TWO_TOWNSHIP_CODES, make_extract, make_two_township_extract

A, B = TWO_TOWNSHIP_CODES
ROOT = Path(__file__).resolve().parents[1]


def test_the_pack_tells_each_slide_as_it_draws_it(tmp_path):
    data = make_two_township_extract(tmp_path / "y", (2024, 2023))
    seen: list[tuple] = []
    built = pack_bytes(data, 2024, "en", "pptx", progress=lambda *step: seen.append(step))
    slides = Presentation(io.BytesIO(built)).slides
    n = len(slides)
    total = n + 2  # the numbers, each slide, the file
    assert seen[0] == (0, 2, "export.step.numbers", {})
    assert seen[1] == (1, total, "export.step.numbers_done", {"n": n})
    # Each slide: "drawing i of n" when it starts, then the step counted when it is drawn.
    drawn = [(s[0], s[3]["i"]) for s in seen if s[2] == "export.step.slide"]
    assert drawn == [step for i in range(1, n + 1) for step in ((i, i), (i + 1, i))]
    assert [s[3].get("heading") for s in seen[2:-1:2]] == [s.shapes.title.text for s in slides]
    assert seen[-1] == (total, total, "export.step.done", {"kb": f"{len(built) / 1024:,.0f}"})


def test_the_compare_page_shows_the_packs_progress(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from natality.core import literal

    data = make_extract(
        tmp_path / "y",
        [(A, "城关镇", "Chengguan"), (B, "王店乡", "Wangdian")],
        [
            (A, "2024-01", "M", 1, "25-29", None, 7),
            (B, "2024-01", "F", 1, "25-29", None, 3),
            (A, "2023-01", "F", 2, "30-34", None, 5),
        ],
        [(A, 2024, 1000), (B, 2024, 1000), (A, 2023, 1000), (B, 2023, 1000)],
        cutoff="2024-01",
    )
    monkeypatch.setenv("NATALITY_DATA", str(data))
    at = AppTest.from_file(str(ROOT / "pages" / "compare.py"), default_timeout=300)
    at.query_params["lang"] = "zh"
    at.run()
    assert not at.exception, at.exception
    at.button(key="pack_build").click().run()
    assert not at.exception, at.exception
    # The status box stays under the button, finished, with the bar full at the last step.
    [status] = at.status
    [bar] = at.get("progress")
    assert status.state == "complete" and bar.value == 100
    assert status.label == bar.text and bar.text.startswith(literal.md("[")) and "会议材料已生成" in bar.text
    assert at.get("download_button")
