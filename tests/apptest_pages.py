"""The dashboard opened in Streamlit's AppTest as a leader's browser opens a link: the URL's
parameters (``lang``, ``year``, ``region`` ...), then a page of the sidebar. Shared by the page tests."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard.py"


def open_app(page: str | None = None, timeout: float = 120, /, **params) -> AppTest:
    """The dashboard run with ``params`` in the URL, then switched to ``page`` (``pages/map.py``;
    None: the Overview), whatever it shows. ``page`` and ``timeout`` are positional only, so any
    name can be a URL parameter."""
    at = AppTest.from_file(str(DASHBOARD), default_timeout=timeout)
    for key, value in params.items():
        at.query_params[key] = str(value)
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    return at


def open_page(page: str | None = None, timeout: float = 120, /, **params) -> AppTest:
    """``open_app``, and the page ran without an exception or an error box."""
    at = open_app(page, timeout, **params)
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def open_data_page(data: Path | None, monkeypatch, lang: str = "en") -> AppTest:
    """The Data page's file on its own over ``data`` (None: NATALITY_DATA as it is), the admin
    password set to ``s3cret``: through dashboard.py + switch_page, AppTest runs the page in folder
    mode first and ui's reroute through the router drops the form's submit trigger."""
    if data is not None:
        monkeypatch.setenv("NATALITY_DATA", str(data))
    monkeypatch.setenv("NATALITY_ADMIN_PASSWORD", "s3cret")
    at = AppTest.from_file(str(DASHBOARD.parent / "pages" / "data.py"), default_timeout=120)
    at.query_params["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    return at


def open_boxes(at: AppTest, suffix: str = "_table_box") -> AppTest:
    """Open every expander whose key ends with ``suffix`` and run again, as a leader clicks
    "Show the table" (``_table_box``) or a chart's notes (``_notes``): their content is made only
    while they are open."""
    keys = [e.key for e in at.expander if e.key and e.key.endswith(suffix)]
    assert keys, f"no expander ending with {suffix}"
    for key in keys:
        at.session_state[key] = True
    at.run()
    assert not at.exception, at.exception
    return at
