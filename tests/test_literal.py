"""natality.core.literal: names escaped for Streamlit Markdown and for plotly text, and the
importer's name rules."""

from __future__ import annotations

import html
import re

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from natality.core import literal

J = literal.JOINER


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("城关镇", "城关镇"),
        ("**粗**", "\\*\\*粗\\*\\*"),
        ("[链](x)", "\\[链\\](x)"),
        ("![图](x)", "!\\[图\\](x)"),
        ("<b>x</b>", "\\<b\\>x\\</b\\>"),
        ("$x^2$", "\\$x^2\\$"),
        ("&lt;", "\\&lt;"),
        (":red[红] :smile: a: b", "&#58;red\\[红\\] &#58;smile: a: b"),
        ("a_b `c` ~d~ #e |f| \\", "a\\_b \\`c\\` \\~d\\~ \\#e \\|f\\| \\\\"),
        ("- 甲", "\\- 甲"),  # not a list item
        ("12. 甲 (1-2). 3%", "12\\. 甲 (1-2). 3%"),  # not a numbered item; the rest as it is
        ("see http://x.y", f"see {J}http&#58;//x.y"),
        ("WWW.x.y", f"{J}WWW.x.y"),
        ("a@b.co", f"a@{J}b.co"),
        ("一\n二\r\n三", "一 二 三"),
        ("\u202e东区\u200f", "\u202e东区\u200f"),  # format characters are kept
        ("Births fell 5.0 % to 260 (2023: 250).", "Births fell 5.0 % to 260 (2023: 250)."),  # as it is
        (None, ""),
        (2024, "2024"),
    ],
)
def test_md(text, expected):
    assert literal.md(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("城关镇", "城关镇"),
        ("<a href='x'>链</a>", "&lt;a href='x'&gt;链&lt;/a&gt;"),
        ("&lt;b&gt;", "&amp;lt;b&amp;gt;"),
        ("甲<br>乙\n丙", "甲&lt;br&gt;乙 丙"),
        ("**粗** $x$ [a](b)", "**粗** $x$ [a](b)"),  # plotly reads no Markdown
        ("%{customdata[0]}", f"%{J}{{customdata[0]}}"),  # a hovertemplate would fill it in
        (None, ""),
    ],
)
def test_plot(text, expected):
    assert literal.plot(text) == expected


names = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60)


@given(names)
def test_md_leaves_no_markup_character_unescaped(text):
    # each escape replaced by a character that is no markup (removing it would join its neighbours:
    # ":\\[0" is no shortcode, ":0" would look like one)
    rest = re.sub(r"\\[!-/:-@\[-`{-~]|&#58;", "\x00", literal.md(text))
    assert not any(c in "\\`*_[]<>&~|#$" for c in rest), rest
    # no list item at the start: a marker, then a space or the end (CommonMark), in the text as
    # sent (an escaped marker such as "\\-0." is text: stripping its escape first would make one)
    assert not re.match(r"\s*([-+*]|\d+[.)])(\s|$)", literal.md(text))
    assert not re.search(r":[\w+/-]", rest)  # no shortcode


@given(names)
def test_plot_is_undone_by_html_unescape_and_has_no_tag(text):
    out = literal.plot(text)
    assert "<" not in out and ">" not in out
    if not any(c in text for c in "\r\n\u2028\u2029\x85") and "%{" not in text:
        assert html.unescape(out) == text


@given(st.lists(st.one_of(st.none(), names), max_size=8))
def test_the_vectorised_forms_agree_with_one_name_at_a_time(values):
    frame = pl.Series("n", values, dtype=pl.String).to_frame()
    assert frame.select(literal.plot_expr("n"))["n"].to_list() == literal.plot_list(values)
    assert literal.plot_series(frame["n"]).to_list() == literal.plot_list(values)
    problems = frame.select(literal.name_problem_expr("n"))["n"].to_list()
    assert problems == [literal.name_problem(v) for v in values]


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("城关镇", None),
        ("甲" * 100, None),
        ("甲" * 101, "name_too_long"),
        ("x" * 5000, "name_too_long"),
        ("城关\n镇", "name_control"),
        ("城关\t镇", "name_control"),
        ("城关\x00镇", "name_control"),
        ("城关\x85镇", "name_control"),  # C1
        ("城关\u2028镇", "name_control"),  # a line separator
        ("\u202e东区\u200f", None),  # right-to-left marks (Cf) are shown as they are
        ("<a href='x'>**链**</a>", None),  # markup is kept: it is escaped where shown
    ],
)
def test_name_problem(name, problem):
    assert literal.name_problem(name) == problem


def test_visible_writes_control_characters_as_escapes():
    assert literal.visible("甲\n乙\x07丙\u2028") == "甲\\n乙\\x07丙\\u2028"
