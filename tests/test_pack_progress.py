"""Issue 23 point 5: the meeting pack tells its progress (the numbers, each slide drawn, done)."""

from __future__ import annotations

import io

from pptx import Presentation

from natality.export.pack import pack_bytes
from tests.factory import make_extract

A, B = "419901101000", "419901102000"


def test_the_pack_tells_each_slide_as_it_draws_it(tmp_path):
    data = make_extract(
        tmp_path / "x",
        [(A, "城关镇", "Chengguan"), (B, "王店乡", "Wangdian")],
        [(A, "2024-01", "M", 1, "25-29", None, 7), (B, "2024-01", "F", 1, "25-29", None, 3)],
        [(A, 2024, 1000), (B, 2024, 1000)],
        cutoff="2024-01",
    )
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
