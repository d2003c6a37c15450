"""The region a session narrows every page to (``?region=CODE``), and the map's way down and up."""

from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from natality.core import context, db, literal
from natality.core.context import Ctx
from natality.maps import view as map_view
from natality.ui.version_caches import cache_data as version_cache_data
from natality.ui.version_caches import cache_resource as version_cache_resource

REGION_KEY = "region"


def requested_region() -> str | None:
    """The region of the URL (``?region=CODE``) or the last one chosen in this session."""
    kept = f"_kept_{REGION_KEY}"
    if kept in st.session_state:
        return st.session_state[kept]
    return st.query_params.get(REGION_KEY) or None


@version_cache_resource(max_entries=8)  # a frame: shared, never changed
def regions(version_dir: str) -> pl.DataFrame:
    """The extract's regions (``regions.sql``: code, level, names, townships), once per version."""
    return db.run_query("regions", version_dir)


@version_cache_data(max_entries=16)
def region_labels(version_dir: str, lang: str) -> tuple[frozenset[str], dict[str, str]]:
    """(every region code, the sidebar's label of each region that narrows the extract), once per
    version and language: the region choice on every page view reads them, no frame work."""
    table = regions(version_dir)
    everything = int(table["townships"].max() or 0)
    depth = {"province": 0, "city": 1, "county": 2}
    labels = {}
    for row in table.filter(pl.col("townships") < everything).rows(named=True):  # a few hundred at most
        name = row["name_en"] if lang == "en" else row["name"]
        labels[row["region_code"]] = "\u3000" * depth.get(row["level"], 2) + name + f" · {row['townships']}"
    return frozenset(table["region_code"].to_list()), labels


@version_cache_data(max_entries=8)
def region_names(version_dir: str, manifest: dict) -> dict[str, tuple[str, str]]:
    """Region code -> (Chinese, English) name ("" for the whole extract), once per version."""
    return context.region_names(version_dir, manifest)


OPENED = "_regions_opened"  # how many times a map opened a region this session


def open_region(code: str | None) -> None:
    """Narrow every page to the region ``code`` (None: the whole extract), as the sidebar's
    region choice would (same session key, same URL parameter), and rerun."""
    _narrow_to(code)
    st.rerun()


def _narrow_to(code: str | None) -> None:
    st.session_state[f"_kept_{REGION_KEY}"] = code
    if code:
        st.query_params[REGION_KEY] = code
    else:
        st.query_params.pop(REGION_KEY, None)
    st.session_state[OPENED] = st.session_state.get(OPENED, 0) + 1


def map_widget_key(ctx: Ctx, name: str) -> str:
    """A widget key of the map for this region and visit: a county clicked or chosen on one map
    must not stay selected when the same map is drawn again after "back"."""
    visit = st.session_state.get(OPENED, 0)
    return f"{name}_{ctx.region_code or 'all'}" + (f"_{visit}" if visit else "")


def region_drilldown(ctx: Ctx, counties: dict[str, str], container: Any = st) -> None:
    """The map's way down and up: on a map of counties a choice of county (``counties``: code ->
    name) that narrows every page to it, and "back to <parent>" when the pages are narrowed."""
    # Callbacks, not return values: they act before the next run starts, so a run that Streamlit
    # repeats on the way (the router's first rerun) cannot lose the click.
    if not (ctx.region_code or counties):
        return  # nothing to show: no empty columns (on a phone they stack into a gap under the title)
    slots = iter(container.columns([1, 2, 2], vertical_alignment="bottom"))
    if ctx.region_code:
        parent = map_view.parent_region(regions(ctx.version_dir), ctx.region_code)
        names = region_names(ctx.version_dir, ctx.manifest).get(parent or "")
        name = names[1 if ctx.lang == "en" else 0] if names else ctx.extract_name()
        next(slots).button(
            ctx.t("maps.back_to", name=literal.md(name)),
            key=map_widget_key(ctx, "map_back"),
            icon=":material/arrow_upward:",
            on_click=_narrow_to,
            args=(parent,),
        )
    if counties:
        key = map_widget_key(ctx, "map_open_county")
        next(slots).selectbox(
            ctx.t("maps.open_county"),
            list(counties),
            index=None,
            format_func=counties.get,
            placeholder=ctx.t("maps.open_county_placeholder"),
            key=key,
            on_change=lambda: _narrow_to(st.session_state[key]) if st.session_state.get(key) else None,
        )


def follow_map_click(ctx: Ctx, event: Any, unit: str, counties: dict[str, str], codes: set[str], profile: bool) -> None:
    """Where a click on the map leads: a county of a county map narrows every page to it; a township
    (one of ``codes``, not the one already highlighted) opens its profile, or with no Township page
    (``profile`` False) is highlighted through ``?township=``."""
    clicked = map_view.clicked_code(event)
    highlighted = st.query_params.get("township")
    if unit == "county" and clicked in counties:
        open_region(clicked)
    elif unit == "township" and clicked and clicked != highlighted and clicked in codes:
        if profile:
            st.switch_page("pages/township.py", query_params={"township": clicked, "lang": ctx.lang})
        st.query_params["township"] = clicked
        st.rerun()
