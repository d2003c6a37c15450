"""Text from data shown as written: escaped for the markup it meets, never read as markup.

Names of townships, counties, cities and regions (Chinese and English), the extract's ``--name``,
leaders' notes and file names come from files that anyone may have written. Each sink reads
some characters as markup, so a name is escaped *where it enters a template* of that sink:

- ``md``: Streamlit Markdown (``st.markdown``, ``st.caption``, ``st.title``/``subheader``,
  ``st.info``/``warning``/``error``, widget and metric labels): a backslash before every
  character that can start inline markup (``\\ ` * _ [ ] < > & ~ | # $``: emphasis, code, links
  and images, HTML and autolinks, entities, strikethrough, tables, headings, and ``$…$`` that
  Streamlit reads as LaTeX) and before what would start a block at the text's start (``-``,
  ``+``, ``1.``, ``1)``), ``:`` before a word as an entity (Streamlit's ``:smile:`` and
  ``:material/…:`` shortcodes), and a line break becomes a space (a name is one line). The
  rest (``.``, ``%``, ``(``, ``:`` before a space ...) stays as it is, so a sentence without
  such characters reads the same escaped. Escapes cannot stop GFM's literal
  autolinks (Streamlit links ``http://…``, ``www.…`` and ``a@b.c`` found in the parsed text), so
  an invisible WORD JOINER (U+2060) goes before ``http``/``www`` and after ``@``: the text reads
  the same and is no link.
- ``plot``: plotly text (titles, annotations, axis, legend and hover labels, ``text`` and
  ``customdata`` that a hovertemplate shows): plotly reads ``<br>``, ``<b>``, ``<a href>``,
  ``<span style>`` and more as tags and decodes ``&…;`` entities, so ``&``, ``<`` and ``>``
  become entities; a line break becomes a space, and ``%{`` gets a WORD JOINER after ``%`` (a
  hovertemplate would fill ``%{…}`` in with data). ``plot_expr`` does the same to a polars column
  (vectorised: no Python per row).
- Plain-text sinks need nothing: ``st.text``, ``st.code``, ``st.dataframe`` cells, selectbox
  options (``format_func``), python-pptx text runs, CSV and Excel cells.

Never escape twice: escape the raw name once, for the sink it is about to meet.
"""

from __future__ import annotations

import html
import re

import polars as pl

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping them all
# leaves nothing of a name for Markdown (or GFM's autolinks, tables, strikethrough) to read.
_MD_TABLE = {ord(c): "\\" + c for c in "\\`*_[]<>&~|#$"}
_MD_BLOCK = re.compile(r"^(\s*)([-+]|\d+(?=[.)]))")  # a list item at the start of the text
_MD_SHORTCODE = re.compile(r":(?=[\w+/-])")
_BREAKS = re.compile(r"\r\n|[\r\n\u2028\u2029\x85]")
# What remark-gfm's autolink literal looks for in text nodes (mdast-util-gfm-autolink-literal).
_AUTOLINK = re.compile(r"(https?://|www\.)", re.IGNORECASE)
JOINER = "\u2060"  # WORD JOINER: invisible, neither space nor punctuation, so no autolink starts


def md(text: object) -> str:
    """``text`` for Streamlit Markdown: shown exactly as written, on one line."""
    if text is None:
        return ""
    unlinked = _AUTOLINK.sub(JOINER + r"\1", _BREAKS.sub(" ", str(text))).replace("@", "@" + JOINER)
    escaped = _MD_SHORTCODE.sub("&#58;", unlinked.translate(_MD_TABLE))
    return _MD_BLOCK.sub(_escape_block, escaped, count=1)


def _escape_block(m: re.Match) -> str:
    lead, mark = m.group(1), m.group(2)
    return lead + ("\\" + mark if mark in "-+" else mark + "\\")


def plot(text: object) -> str:
    """``text`` for plotly's HTML-like text: shown exactly as written, on one line."""
    if text is None:
        return ""
    return html.escape(_BREAKS.sub(" ", str(text)), quote=False).replace("%{", "%" + JOINER + "{")


def plot_expr(expr: pl.Expr | str) -> pl.Expr:
    """``plot`` over a polars column (kept under its own name; nulls stay null)."""
    col = pl.col(expr) if isinstance(expr, str) else expr
    return (
        col.str.replace_all("&", "&amp;", literal=True)
        .str.replace_all("<", "&lt;", literal=True)
        .str.replace_all(">", "&gt;", literal=True)
        .str.replace_all(r"\r\n|[\r\n\u2028\u2029\x85]", " ")
        .str.replace_all("%{", "%" + JOINER + "{", literal=True)
    )


def plot_list(values: list) -> list:
    """``plot`` over a list of names (a small list: labels of one figure); None stays None."""
    return [None if v is None else plot(v) for v in values]


# Names: kept as given, but one line of at most this many characters. Control characters
# (Unicode category Cc: C0, DEL, C1, so also tab and newline) and line/paragraph separators are
# refused; format characters (Cf: right-to-left marks, zero-width joiners) are kept and shown.
MAX_NAME = 100
NAME_CONTROL = r"[\x00-\x1f\x7f-\x9f\u2028\u2029]"
_NAME_CONTROL = re.compile(NAME_CONTROL)


def name_problem(text: object) -> str | None:
    """Why a name from a file cannot be kept: ``"name_control"``, ``"name_too_long"``, or None."""
    if text is None:
        return None
    text = str(text)
    if _NAME_CONTROL.search(text):
        return "name_control"
    if len(text) > MAX_NAME:
        return "name_too_long"
    return None


def name_problem_expr(expr: pl.Expr | str) -> pl.Expr:
    """``name_problem`` over a polars column (vectorised; null where the name is fine)."""
    col = pl.col(expr) if isinstance(expr, str) else expr
    return (
        pl.when(col.str.contains(NAME_CONTROL))
        .then(pl.lit("name_control"))
        .when(col.str.len_chars() > MAX_NAME)
        .then(pl.lit("name_too_long"))
        .otherwise(pl.lit(None, dtype=pl.String))
        .alias(col.meta.output_name())
    )


def plot_series(series: pl.Series) -> pl.Series:
    """``plot`` over a polars Series (same name; nulls stay null)."""
    return series.to_frame().select(plot_expr(series.name)).to_series()


def visible(text: str) -> str:
    """``text`` with its control characters written as escapes (``\\n``, ``\\x07``), for a message
    that quotes a refused name on one line."""
    return _NAME_CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


def sql_string(text: object) -> str:
    """``text`` as a SQL string literal, for the one place a value cannot be a bound parameter:
    the definition of a DuckDB view (a scratch file's path). Values are bound everywhere else."""
    return "'" + str(text).replace("'", "''") + "'"


def sql_identifier(name: object) -> str:
    """``name`` (a column header as written in a user's file) as a quoted SQL identifier."""
    return '"' + str(name).replace('"', '""') + '"'
