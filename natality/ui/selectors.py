"""URL-synced selectors: a choice kept in the URL (``?year=``, ``?township=``, ``?region=``) so that a
copied link opens the same view, and followed across pages; the "find a township" box."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from natality.core import literal, ranking
from natality.core.context import Ctx
from natality.ui.cached import query, township_names
from natality.ui.regions import REGION_KEY, region_labels, requested_region


def url_select(
    label: str,
    options: Sequence,
    key: str,
    default: Any,
    format_func: Callable[[Any], str] = str,
    container: Any = st,
) -> Any:
    """A selectbox whose value is kept in the URL parameter ``key`` (as ``str(value)``).

    The choice also follows the user across pages: the URL wins, then the last choice made on
    any page this session, then ``default``.
    """
    by_url = {"" if o is None else str(o): o for o in options}
    kept = f"_kept_{key}"
    if kept not in st.session_state or st.session_state[kept] not in options:
        url_value = st.query_params.get(key)
        st.session_state[kept] = by_url.get(url_value, default)
    # Set on every run: a widget with the same key on another page must not keep its own value.
    st.session_state[key] = st.session_state[kept]

    def remember() -> None:
        st.session_state[kept] = st.session_state[key]

    # Streamlit shows a None option as an empty choice: give it its own words instead.
    placeholder = format_func(None) if None in options else None
    value = container.selectbox(
        label, options, key=key, format_func=format_func, on_change=remember, placeholder=placeholder
    )
    if value is None or value == "":
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = str(value)
    return value


def year_select(ctx: Ctx, key: str = "year", container: Any = st) -> int:
    """A year of the extract (latest first; a partial year says so), kept in the URL."""
    years = list(range(ctx.cutoff_year, 2014, -1))
    years = [y for y in years if y >= int(ctx.manifest.get("first_year", 2015))]

    def label(y: int) -> str:
        return f"{y} ({ctx.t('common.partial_short')})" if ctx.months_in(y) < 12 else str(y)

    return url_select(ctx.t("common.year"), years, key, ctx.cutoff_year, label, container)


def township_select(ctx: Ctx, key: str = "township", container: Any = st) -> str | None:
    """A township, or None for the whole region (shown as '示范县（全部）' / 'Demo County (all)': a
    province's is no '全县')."""
    names = township_names(ctx)
    all_towns = ""  # a sentinel rather than None: a None option would render as an empty choice
    everything = ctx.t("app.region_all", name=ctx.region())
    chosen = url_select(
        ctx.t("common.township"),
        [all_towns, *names],
        key,
        all_towns,
        lambda c: everything if c == all_towns else names.get(c, c),
        container,
    )
    return chosen or None


def find_township(ctx: Ctx, rows: int, key: str, container: Any = st) -> ranking.Found:
    """The "find a township" box of a ranking of ``rows`` townships of which only the ends are
    drawn (none when all are), and what it found (a caption says so); ``found.codes`` to highlight."""
    text = ""
    if rows > ranking.TOP + ranking.BOTTOM:
        text = container.text_input(
            ctx.t("common.find_township"),
            key=key,
            placeholder=ctx.t("common.find_placeholder"),
            help=ctx.t("common.find_help"),
        )
    found = ranking.find_townships(query(ctx, "township_list"), text, ctx.name_col)
    note = ranking.find_note(found, ctx.lang)
    if note:
        st.caption(note)
    return found


def region_select(ctx: Ctx, container: Any = st) -> str | None:
    """The sidebar's region choice (URL ``region``): only regions that narrow the extract are offered.

    A county leader's link ``?region=CODE`` opens on that county on every page; an unknown code
    says so and shows the whole extract.
    """
    codes, labels = region_labels(ctx.version_dir, ctx.lang)
    labels = dict(labels)  # this session's own copy (its current region may be added below)
    asked = requested_region()
    if asked and asked not in codes:
        container.warning(ctx.t("app.region_unknown", code=literal.md(asked[:40])))
        st.session_state[f"_kept_{REGION_KEY}"] = None
        st.query_params.pop(REGION_KEY, None)
    if not labels:
        return ctx.region_code
    options = [None, *labels]
    if ctx.region_code and ctx.region_code not in labels:
        options.append(ctx.region_code)
        labels[ctx.region_code] = ctx.region()
    whole = ctx.t("app.region_all", name=ctx.extract_name())
    return url_select(
        ctx.t("app.region"), options, REGION_KEY, None, lambda c: whole if c is None else labels.get(c, c), container
    )
