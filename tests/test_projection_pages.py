"""The projection and the data alerts on the pages, through Streamlit's AppTest, in both languages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from natality.births import alerts, projection

DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard.py"


def app(lang: str, page: str | None = None, **params) -> AppTest:
    at = AppTest.from_file(str(DASHBOARD), default_timeout=120)
    at.query_params["lang"] = lang
    for key, value in params.items():
        at.query_params[key] = value
    if page:
        at.switch_page(page)
    return at.run()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_overview_tile_scorecard_and_township_show_the_projection(demo_env, lang):
    scope = projection.projection(demo_env, 2026).scope_row()
    at = app(lang)
    assert not at.exception
    label = "预计全年出生" if lang == "zh" else "Projected year total"
    tile = next(m for m in at.metric if m.label == label)
    assert tile.value == f"{scope['projected']:,}"
    words = "90% 区间" if lang == "zh" else "90% interval"
    low, high = f"{scope['projected_low']:,}", f"{scope['projected_high']:,}"
    assert any(words in c.value and f"{low}–{high}" in c.value for c in at.caption)

    at = app(lang, "pages/scorecard.py", year="2026")
    assert not at.exception
    column = "预计全年（90%区间）" if lang == "zh" else "Projected year (90% interval)"
    shown = at.dataframe[0].value
    first = (
        projection.projection(demo_env, 2026)
        .townships.filter(projection.pl.col("township_code") == "419901101000")
        .row(0, named=True)
    )
    assert f"{first['projected']} ({first['projected_low']}–{first['projected_high']})" in shown[column].to_list()

    at = app(lang, "pages/township.py", township="419901101000")
    assert not at.exception
    title = "城关镇：2026年累计出生与全年预测" if lang == "zh" else "Chengguan Town: cumulative births in 2026"
    fans = [
        c
        for c in at.get("plotly_chart")
        if title in json.loads(c.proto.spec)["layout"].get("title", {}).get("text", "")
    ]
    assert len(fans) == 1
    traces = json.loads(fans[0].proto.spec)["data"]
    band = next(tr for tr in traces if tr.get("fill") == "tonexty")
    assert band["y"][-1] == pytest.approx(first["projected_low"], abs=1)  # December: the interval's low end


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_data_page_lists_the_alerts_with_their_reasons(demo_env, lang):
    found, _, _ = alerts.data_alerts(demo_env, lang)
    at = app(lang, "pages/data.py", year="2024")
    assert not at.exception
    title = "可能有误的数字" if lang == "zh" else "Numbers that are probably wrong"
    assert any(s.value == title for s in at.subheader)
    table = next(d.value for d in at.dataframe if ("原因" if lang == "zh" else "Why") in d.value.columns)
    assert table[("原因" if lang == "zh" else "Why")].to_list() == found["reason"].to_list()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_meeting_pack_says_the_projection(demo_data, lang):
    from natality.births import projection_view
    from natality.export import slides

    scope = projection.projection(demo_data, 2026).scope_row()
    said = projection_view.sentence(scope, lang)
    pack = slides.build_slides(demo_data, 2026, lang)
    headline = pack[1]
    assert said in headline.notes
    assert any(said in s.notes for s in pack[2:])  # the generated summary sentences say it too
    full_year = slides.build_slides(demo_data, 2025, lang)
    assert not any(said in s.notes for s in full_year)


def test_overview_changes_panel_names_a_new_alert(tmp_path, monkeypatch):
    import numpy as np

    from tests.factory import make_extract
    from tests.test_projection import TOWNS, clean_rows

    rows = clean_rows(np.random.default_rng(5), [t[0] for t in TOWNS], lam=np.array([30.0, 30.0]))
    planted = ("419901101000", "2022-12")
    rows = [(c, m, s, o, a, p, n * 10 if (c, m) == planted else n) for c, m, s, o, a, p, n in rows]
    monkeypatch.setenv("NATALITY_DATA", str(make_extract(tmp_path / "x", TOWNS, rows, cutoff="2022-12")))
    at = app("zh")
    assert not at.exception
    said = [x.value for x in at.text if "新出现 1 处可能有误的数字" in x.value]
    assert len(said) == 1 and "王店乡 2022年12月 出生 " in said[0]
