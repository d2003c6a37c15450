"""Every page, in both languages, shows hostile township, region and extract names as written
(AppTest): Markdown elements carry them escaped (``literal.md``), plotly text escaped
(``literal.plot``), plain-text places (tables, selectbox options) as written; nothing of a name
is read as a link, an image, emphasis, LaTeX or a plotly tag."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from natality.core import literal
from natality.core.literal import JOINER
from tests.apptest_pages import open_app
from tests.hostile_names import COUNTY_A, EXTRACT_NAME, REGIONS, TOWNS, build_hostile_extract

PAGES = [None, "births.py", "sex-ratio.py", "scorecard.py", "township.py", "map.py", "compare.py", "data.py"]
NAMES = [*TOWNS, *(n for pair in REGIONS.values() for n in pair), EXTRACT_NAME]
# Pieces of the names that read as markup when not escaped (the last two of each list: a name
# escaped twice; no name has a backslash): in Markdown ...
MD_MARKUP = [
    "](http",
    "**粗",
    "<a ",
    "<img",
    "<b>",
    "$x^2$",
    "$y$",
    "$z$",
    "~~删~~",
    "_x_",
    "<br>",
    "http://",
    "www.",
    "\\\\",
    "&amp;",
]
# ... and in plotly text (which reads only tags and entities).
PLOT_MARKUP = [
    "<a ",
    "<a>",
    "<img",
    "<b>乡</b>",
    "<b>粗",
    "<i>斜",
    "<i>County",
    "<sub>下",
    "<span",
    "<br>_斜",
    "<br> ![",
    "&lt;b&gt; a@",
    "&amp;lt;a",
    "&amp;lt;img",
    "&amp;amp;",
    "\\*",
]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    return build_hostile_extract(tmp_path_factory.mktemp("hostile"))


def _open(page: str | None, lang: str, region: str | None = None, **params: str) -> AppTest:
    at = open_app(page and f"pages/{page}", lang=lang, **({"region": region} if region else {}), **params)
    assert not at.exception, [e.value for e in at.exception]
    return at


def markdown_texts(at: AppTest) -> list[str]:
    """Every text a Streamlit element reads as Markdown."""
    texts = [
        e.value
        for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success")
        for e in getattr(at, kind)
    ]
    texts += [m.label for m in at.metric]
    texts += [
        w.label
        for kind in ("selectbox", "radio", "text_input", "toggle", "checkbox", "button")
        for w in getattr(at, kind)
    ]
    texts += [e.proto.label for e in at.get("expandable")]
    return texts


def plot_texts(at: AppTest) -> list[str]:
    """Every string in every plotly figure of the page (titles, labels, hover, customdata)."""
    out: list[str] = []

    def walk(node) -> None:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                # the shapes' properties are data, never drawn as text; so is ``meta`` (full names
                # and codes for a phone's layout, ``export.narrow``, which escapes what it draws),
                # as long as no template shows it (checked below)
                if key not in ("geojson", "meta"):
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for chart in at.get("plotly_chart"):
        walk(json.loads(chart.proto.spec))
    assert not [text for text in out if "%{meta" in text]  # meta is never drawn
    return out


def interpreted(texts: list[str], markup: list[str], escaped_by: str = "") -> list[str]:
    """The pieces of ``markup`` found in ``texts`` (not counting those after a character of ``escaped_by``)."""
    found = []
    for text in texts:
        for piece in markup:
            at = [i for i in range(len(text)) if text.startswith(piece, i)]
            if any(i == 0 or text[i - 1] not in escaped_by for i in at):
                found.append(f"{piece!r} in {text[:160]!r}")
    return found


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("region", [None, COUNTY_A])
def test_no_name_is_read_as_markup_on_any_page(hostile, monkeypatch, page, lang, region):
    monkeypatch.setenv("NATALITY_DATA", str(hostile))
    at = _open(page, lang, region)
    assert interpreted(markdown_texts(at), MD_MARKUP, escaped_by="\\" + JOINER) == []
    assert interpreted(plot_texts(at), PLOT_MARKUP) == []
    assert at.get("plotly_chart") or page in ("scorecard.py",)


def test_the_township_page_title_and_charts_carry_the_name_escaped(hostile, monkeypatch):
    monkeypatch.setenv("NATALITY_DATA", str(hostile))
    at = _open("township.py", "zh", township="411621100000")
    assert literal.md(TOWNS[0]) in at.title[0].value
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")[1:]]
    assert any(literal.plot(TOWNS[0]) in t for t in titles), titles
    # the selectbox's options are plain text: the names exactly as written
    assert at.selectbox(key="township").options[0] == TOWNS[0]


def test_region_and_extract_names_are_escaped_in_the_sidebar(hostile, monkeypatch):
    monkeypatch.setenv("NATALITY_DATA", str(hostile))
    at = _open(None, "en", COUNTY_A)
    assert f"**{literal.md(REGIONS[COUNTY_A][1])}**" in [m.value for m in at.sidebar.markdown]
    at = _open(None, "zh")
    assert f"**{literal.md(EXTRACT_NAME)}**" in [m.value for m in at.sidebar.markdown]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_titles_and_sentences_carry_the_names_escaped(hostile, monkeypatch, lang):
    monkeypatch.setenv("NATALITY_DATA", str(hostile))
    name = literal.md(EXTRACT_NAME)  # --name: the manifest's name in both languages
    at = _open(None, lang)
    assert name in at.title[0].value
    assert any(name in m.value for m in at.markdown if m.value.startswith("- "))  # the month's news
    at = _open("compare.py", lang)
    sentences = next(m.value for m in at.markdown if m.value.startswith("- "))
    assert name in sentences or lang == "en"  # the English sentences do not repeat the region
    at = _open("sex-ratio.py", lang)
    assert any(name in c.value for c in at.caption)
    at = _open("map.py", lang, COUNTY_A)  # "back to" the whole extract (the city is all of it)
    assert any(name in b.label for b in at.button), [b.label for b in at.button]
