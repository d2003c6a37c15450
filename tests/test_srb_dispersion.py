"""Over-dispersion of township SRBs (Spiegelhalter 2005): the estimate by hand on 10 townships,
the limits it widens, and an over-dispersed province where only the genuinely extreme townships
stay flagged, on the Sex ratio page in both languages with its choices in the URL."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy.stats import norm
from streamlit.testing.v1 import AppTest

from natality.srb import funnel_chart
from natality.srb.dispersion import (
    Allowance,
    Dispersion,
    adjusted_limits_share,
    adjusted_z,
    choose_allowance,
    overdispersion,
    winsorise,
)
from natality.srb.stats import srb_estimate
from natality.srb.tables import township_srb_table
from tests.apptest_pages import open_page
from tests.factory import make_extract

# Ten townships, pooled share of boys p0 = 1,250 / 2,500 = 0.5 exactly.
# Five with 400 births: s = sqrt(0.25 / 400) = 0.025, z = (boys / 400 - 0.5) / 0.025 = (boys - 200) / 10
# Five with 100 births: s = sqrt(0.25 / 100) = 0.05,  z = (boys / 100 - 0.5) / 0.05 = (boys - 50) / 5
BOYS = [240, 180, 210, 205, 185, 35, 39, 55, 53, 48]
BIRTHS = [400] * 5 + [100] * 5
Z = [4.0, -2.0, 1.0, 0.5, -1.5, -3.0, -2.2, 1.0, 0.6, -0.4]
# Sorted: -3.0 -2.2 -2.0 -1.5 -0.4 0.5 0.6 1.0 1.0 4.0; 10 % of 10 = 1 at each end, so the smallest
# (-3.0) becomes the 2nd smallest (-2.2) and the largest (4.0) the 2nd largest (1.0):
Z_WINSORISED = [1.0, -2.0, 1.0, 0.5, -1.5, -2.2, -2.2, 1.0, 0.6, -0.4]
# phi = sum(z_w^2) / I = (1 + 4 + 1 + 0.25 + 2.25 + 4.84 + 4.84 + 1 + 0.36 + 0.16) / 10 = 19.7 / 10
PHI = 1.97
# over-dispersed when phi > 1 + 2 sqrt(2 / I) = 1 + 2 sqrt(0.2) = 1.894427 (it is, just)
THRESHOLD = 1 + 2 * math.sqrt(0.2)
# tau^2 = (I phi - (I - 1)) / (sum w - sum w^2 / sum w), w = 1 / s^2: 1,600 (n = 400) and 400 (n = 100)
# sum w = 5 * 1,600 + 5 * 400 = 10,000; sum w^2 = 5 * 2,560,000 + 5 * 160,000 = 13,600,000
# tau^2 = (19.7 - 9) / (10,000 - 1,360) = 10.7 / 8,640 = 0.00123843
TAU2 = 10.7 / 8640


def test_z_scores_and_winsorised_values_by_hand():
    z = (np.array(BOYS) / np.array(BIRTHS) - 0.5) / np.sqrt(0.25 / np.array(BIRTHS))
    assert z.tolist() == pytest.approx(Z)
    assert winsorise(z).tolist() == pytest.approx(Z_WINSORISED)


def test_phi_and_tau2_by_hand_on_ten_townships():
    d = overdispersion(BOYS, BIRTHS, min_births=100)
    assert d.townships == 10 and d.pooled_share == pytest.approx(0.5)
    assert d.phi == pytest.approx(PHI)
    assert d.threshold == pytest.approx(THRESHOLD)
    assert d.overdispersed
    assert d.tau2 == pytest.approx(TAU2)


def test_small_townships_are_left_out_of_the_estimate():
    # a 4-birth township with z = (4/4 - p0) / ... would dominate phi; under min_births it is not counted
    d = overdispersion([*BOYS, 4], [*BIRTHS, 4], min_births=100)
    assert d.townships == 10 and d.phi == pytest.approx(PHI)
    assert overdispersion([5, 6], [10, 10], min_births=1).phi is None  # 2 townships: no estimate


def test_widened_limits_by_hand():
    d = Dispersion(PHI, TAU2, 10, 0.5)
    z = norm.ppf(0.999)  # 3.090232
    # 10,000 births is past the exact range: plain limit 0.5 + 3.090232 * sqrt(0.25 / 10,000) = 0.515451
    _, plain = adjusted_limits_share([10_000], 0.5, 0.998)
    assert plain[0] == pytest.approx(0.5 + z * 0.005)
    # additive: 0.5 + 3.090232 * sqrt(0.000025 + 0.00123843) = 0.5 + 3.090232 * 0.0355447 = 0.609841
    _, additive = adjusted_limits_share([10_000], 0.5, 0.998, choose_allowance("additive", d))
    assert additive[0] == pytest.approx(0.609841, abs=1e-6)
    # multiplicative: 0.5 + 0.0154512 * sqrt(1.97) = 0.5 + 0.0154512 * 1.403567 = 0.521687
    _, multiplicative = adjusted_limits_share([10_000], 0.5, 0.998, choose_allowance("multiplicative", d))
    assert multiplicative[0] == pytest.approx(0.521687, abs=1e-6)
    # z of the 240-boys township: 0.1 / sqrt(0.000625 + 0.00123843) = 2.3166 (plain 4.0)
    zs = adjusted_z(np.array([240]), np.array([400]), 0.5, choose_allowance("additive", d))
    assert zs[0] == pytest.approx(2.316562, abs=1e-6)
    # multiplicative: 4.0 / sqrt(1.97) = 2.849885; one birth, one boy: (1 - 0.5) / sqrt(0.25) = 1.0; none: NaN
    zs = adjusted_z(np.array([240, 1, 0]), np.array([400, 1, 0]), 0.5, choose_allowance("multiplicative", d))
    assert zs[:2].tolist() == pytest.approx([4.0 / math.sqrt(1.97), 1.0 / math.sqrt(1.97)]) and np.isnan(zs[2])
    assert adjusted_z(np.array([1]), np.array([1]), 0.5)[0] == pytest.approx(1.0)


def test_an_allowance_without_an_estimate_widens_nothing():
    # only choose_allowance makes allowances, and never one without phi; made by hand, it leaves the limits
    plain = adjusted_limits_share([400], 0.5, 0.998)
    bare = Dispersion(None, None, 0, None)
    for kind in ("multiplicative", "additive"):
        widened = adjusted_limits_share([400], 0.5, 0.998, Allowance(kind, kind, bare))
        assert (widened[0][0], widened[1][0]) == pytest.approx((plain[0][0], plain[1][0]))
    # "none" and a choice the page does not know both read as "none", chosen
    for choice in ("none", "bogus"):
        got = choose_allowance(choice, Dispersion(PHI, TAU2, 40, 0.5))
        assert (got.kind, got.choice, got.reason) == ("none", "none", "chosen")


def test_auto_widens_only_when_over_dispersed_and_there_are_enough_townships():
    assert choose_allowance("auto", Dispersion(PHI, TAU2, 10, 0.5)).reason == "too_few_townships"
    assert choose_allowance("auto", Dispersion(PHI, TAU2, 40, 0.5)).kind == "additive"  # 1.97 > 1.447
    # the boundary: 29 judged townships are too few, 30 enough (phi 1.97 is over 1 + 2 sqrt(2 / 29) = 1.525)
    assert choose_allowance("auto", Dispersion(PHI, TAU2, 29, 0.5)).reason == "too_few_townships"
    assert choose_allowance("auto", Dispersion(PHI, TAU2, 30, 0.5)).kind == "additive"
    assert choose_allowance("auto", Dispersion(1.2, 0.0, 40, 0.5)).reason == "not_overdispersed"
    assert choose_allowance("none", Dispersion(PHI, TAU2, 40, 0.5)).kind == "none"
    assert choose_allowance("multiplicative", Dispersion(None, None, 2, None)).reason == "cannot_estimate"
    # asked for by hand but with nothing to allow for (phi 0.8 < 1, tau^2 = 0): plain limits, said so
    assert choose_allowance("additive", Dispersion(0.8, 0.0, 40, 0.5)).reason == "no_spread"
    assert choose_allowance("multiplicative", Dispersion(0.8, 0.0, 40, 0.5)).kind == "none"


def test_the_ten_townships_classified_with_and_without_the_allowance():
    rows = pl.DataFrame(
        {
            "township_code": [f"4199011{i:02d}000" for i in range(10)],
            "township_name": [f"镇{i}" for i in range(10)],
            "township_name_en": [f"T{i}" for i in range(10)],
            "births": BIRTHS,
            "boys": BOYS,
            "girls": [n - b for n, b in zip(BIRTHS, BOYS, strict=True)],
        }
    )
    plain = township_srb_table(rows, 100.0)
    # z = 4.0 on 400 births is outside the 99.8 % limits; everyone else (|z| <= 3.0) inside
    assert plain["classification"].cast(pl.String).to_list() == ["above"] + ["expected"] * 9
    allowance = choose_allowance("additive", overdispersion(BOYS, BIRTHS, 100))
    widened = township_srb_table(rows, 100.0, allowance=allowance)
    assert widened["classification"].cast(pl.String).to_list() == ["expected"] * 10  # z 2.32 inside 3.09
    assert widened["z"][0] == pytest.approx(2.316562, abs=1e-6)


ORDINARY, EXTREME_HIGH, EXTREME_LOW = 40, "419901190000", "419901191000"


def province_rows() -> list[tuple[str, str, int, int]]:
    """40 ordinary townships of 2,000 births whose z-scores spread three times wider than chance,
    z_i = 3 * Phi^-1((i + 0.5) / 40), and two genuinely extreme ones at z = +11 and -11."""
    sd = math.sqrt(2000 * 0.25)  # 22.36 boys
    z = [3.0 * norm.ppf((i + 0.5) / ORDINARY) for i in range(ORDINARY)]
    rows = [(f"4199011{i:02d}000", f"镇{i:02d}", round(1000 + zi * sd)) for i, zi in enumerate(z)]
    rows += [(EXTREME_HIGH, "高镇", round(1000 + 11 * sd)), (EXTREME_LOW, "低镇", round(1000 - 11 * sd))]
    return [(code, name, boys, 2000 - boys) for code, name, boys in rows]


def province_frame() -> pl.DataFrame:
    rows = []
    for code, name, boys, girls in province_rows():
        est = srb_estimate(boys, girls)
        rows.append((code, name, f"{name} EN", boys + girls, boys, girls, est.srb, est.low, est.high))
    cols = ["township_code", "township_name", "township_name_en", "births", "boys", "girls", "srb", "srb_low"]
    return pl.DataFrame(rows, schema=[*cols, "srb_high"], orient="row")


def flagged(table: pl.DataFrame) -> set[str]:
    return set(table.filter(pl.col("classification").is_in(["above", "below"]))["township_code"].to_list())


def test_over_dispersed_province_flags_only_the_extreme_townships():
    frame = province_frame()
    plain = township_srb_table(frame, 100.0)
    # plain limits: |z| > 3.09 needs Phi^-1 > 1.03, i.e. i = 34..39 and 0..5 (6 each side) + the 2 extreme
    assert len(flagged(plain)) == 14
    allowance = choose_allowance("auto", overdispersion(frame["boys"], frame["births"], 100))
    assert allowance.kind == "additive" and allowance.dispersion.overdispersed
    widened = township_srb_table(frame, 100.0, allowance=allowance)
    assert flagged(widened) == {EXTREME_HIGH, EXTREME_LOW}
    # the figure's outlier traces hold just those two, labelled by name (42 > 30: only outliers named)
    fig = funnel_chart.srb_funnel(widened, 100.0, "zh", "t", "s", "f", allowance=allowance)
    outliers = [tr for tr in fig.data if tr.name in ("显著高于参照值", "显著低于参照值")]
    assert sorted(label for tr in outliers for label in tr.text) == ["低镇", "高镇"]
    # the drawn 99.8 % limit at the largest grid point is the widened one
    upper = next(tr for tr in fig.data if tr.name == "99.8%控制限")
    n_last = upper.x[-1]
    _, high = adjusted_limits_share([n_last], 0.5, 0.998, allowance)
    assert upper.y[-1] == pytest.approx(100 * high[0] / (1 - high[0]))


@pytest.fixture
def province_extract(tmp_path, monkeypatch) -> Path:
    towns = [(code, name, f"{name} EN") for code, name, _, _ in province_rows()]
    births = []
    for code, _, boys, girls in province_rows():
        births += [(code, "2024-01", "M", 1, "25-29", None, boys), (code, "2024-01", "F", 1, "25-29", None, girls)]
    data = make_extract(tmp_path / "prov", towns, births, cutoff="2024-06")
    monkeypatch.setenv("NATALITY_DATA", str(data))
    return data


def run_page(lang: str, **params) -> AppTest:
    return open_page("pages/sex-ratio.py", lang=lang, **params)


def funnel(at: AppTest) -> dict:
    figs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return next(f for f in figs if any(w in f["layout"]["title"]["text"] for w in ("与出生人数", "against births")))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_page_allows_for_over_dispersion_by_default_and_says_so(province_extract, lang):
    at = run_page(lang, year=2024, window=1)
    assert at.selectbox(key="od").value == "auto" and at.selectbox(key="level").value == "99.8"
    captions = " ".join(c.value for c in at.caption)
    assert ("加性方法放宽" in captions) if lang == "zh" else ("additive, Spiegelhalter 2005" in captions)
    sentence = next(m.value for m in at.markdown if "99.8%" in m.value)
    names = ["高镇", "低镇"] if lang == "zh" else ["高镇 EN", "低镇 EN"]
    assert all(n in sentence for n in names) and "镇00" not in sentence
    subtitle = json.dumps(funnel(at)["layout"]["title"], ensure_ascii=False)
    assert ("1个乡镇显著偏高，1个显著偏低" in subtitle) if lang == "zh" else ("1 significantly above, 1" in subtitle)


def test_page_choices_are_kept_in_the_url(province_extract):
    at = run_page("en", year=2024, window=1, od="none", level="95")
    assert at.selectbox(key="od").value == "none" and at.selectbox(key="level").value == "95"
    captions = " ".join(c.value for c in at.caption)
    assert "no allowance is made, as chosen" in captions
    # 95 % limits without allowance: every |z| > ~1.96 is flagged, far more than the 14 at 99.8 %
    sentence = next(m.value for m in at.markdown if "outside the 95% limits" in m.value)
    assert "高镇 EN" in sentence
    assert any("Assessment (95%)" in d.value.columns for d in at.dataframe)
    at.selectbox(key="od").set_value("multiplicative").run()
    assert not at.exception
    assert at.query_params["od"] in ("multiplicative", ["multiplicative"])
    assert "multiplicative, Spiegelhalter 2005" in " ".join(c.value for c in at.caption)
    layout = funnel(at)["layout"]
    assert "<br>Limits widened for over-dispersion (multiplicative" in layout["title"]["subtitle"]["text"]
    assert layout["margin"]["t"] == 150 + 22  # room for the third line


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_demo_county_reports_its_over_dispersion_but_is_too_small_to_widen(demo_env, lang):
    # the 3 planted hotspots of 19 make phi ~ 3; 10 % winsorising trims only one of them, so "auto"
    # keeps the plain limits (the hotspots stay flagged: tests/test_srb_page.py) and says why
    at = run_page(lang)
    captions = " ".join(c.value for c in at.caption)
    assert ("19个乡镇太少" in captions) if lang == "zh" else ("19 townships are too few" in captions)
