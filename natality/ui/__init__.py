"""Shared Streamlit pieces, the only part of the package that imports streamlit. Pages call ``ui.x``;
this file only hands on the names of its modules:

- ``run``: the run's context (``page_context``) and its pinned extract version; the demo on first start
- ``cached``: query results, scorecards, projections, alerts, map GeoJSON and the Compare and Map
  pages' shaped frames kept per extract version
- ``selectors``: URL-synced selectors (``?year=``, ``?township=``, ``?region=``), the find-a-township box
- ``output``: charts on the page (``show_chart``), image and table downloads
- ``present``: presentation mode and its CSS; ``phone``: phones and the narrow-screen CSS
- ``admin``: the Data page's upload and rollback forms; ``pack``: the Compare page's meeting pack
- ``access``: who is acting, the login; ``progress``: long work shown as it goes (an import, the pack)
- ``lang``, ``regions``, ``notes``, ``share``, ``figures``, ``warm``: language, region, leaders'
  notes, the view's link and QR code, figures built once, a version's shared work in the background

Page state lives in the URL so that a copied link opens the same view.

May import: natality.core, natality.geo, natality.importing, natality.demo, natality.versions, natality.srb,
natality.scorecard, natality.births, natality.maps, natality.compare, natality.export.
"""

from natality.ui.access import login_configured, require_login, session_who
from natality.ui.admin import admin_forms, admin_password
from natality.ui.cached import (
    births_projection,
    compare_frames,
    county_geojson,
    data_alerts,
    manifest,
    map_frames,
    map_geojson,
    month_changes,
    query,
    scorecard_data,
    township_geojson,
    township_names,
    warm_overview,
)
from natality.ui.figures import figure
from natality.ui.lang import language, language_selector
from natality.ui.notes import PAGE_KEY, chart_notes
from natality.ui.output import (
    arrow,
    clicked_township,
    excel_bytes,
    for_display,
    image_downloads,
    open_township_profile,
    portrait_png,
    show_chart,
    show_figure,
    show_table_downloads,
    show_township_grid,
    show_township_ranking,
    slide_png,
    xlsx_download,
)
from natality.ui.pack import meeting_pack
from natality.ui.phone import is_phone, narrow_css
from natality.ui.present import PRESENT_CSS, presentation_mode, presentation_requested, presenting
from natality.ui.progress import finished_progress, work_progress
from natality.ui.regions import REGION_KEY, follow_map_click, map_widget_key, open_region, region_drilldown
from natality.ui.run import PINNED, ROUTED, ensure_demo, page_context
from natality.ui.selectors import find_township, region_select, township_select, url_select, year_select
from natality.ui.share import copy_link_button, view_qr

__all__ = [
    "PAGE_KEY",
    "PINNED",
    "PRESENT_CSS",
    "REGION_KEY",
    "ROUTED",
    "admin_forms",
    "admin_password",
    "arrow",
    "births_projection",
    "chart_notes",
    "clicked_township",
    "compare_frames",
    "copy_link_button",
    "county_geojson",
    "data_alerts",
    "ensure_demo",
    "excel_bytes",
    "figure",
    "find_township",
    "finished_progress",
    "follow_map_click",
    "for_display",
    "image_downloads",
    "is_phone",
    "language",
    "language_selector",
    "login_configured",
    "manifest",
    "map_frames",
    "map_geojson",
    "map_widget_key",
    "meeting_pack",
    "month_changes",
    "narrow_css",
    "open_region",
    "open_township_profile",
    "page_context",
    "portrait_png",
    "presentation_mode",
    "presentation_requested",
    "presenting",
    "query",
    "region_drilldown",
    "region_select",
    "require_login",
    "scorecard_data",
    "session_who",
    "show_chart",
    "show_figure",
    "show_table_downloads",
    "show_township_grid",
    "show_township_ranking",
    "slide_png",
    "township_geojson",
    "township_names",
    "township_select",
    "url_select",
    "view_qr",
    "warm_overview",
    "work_progress",
    "xlsx_download",
    "year_select",
]
