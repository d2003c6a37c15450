"""Handing a view on: the URL of the current view as the leader reached it, a "copy link" button
on every page, and in presentation mode a QR code of that URL for the phones in the room."""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit

import streamlit as st

from natality.core import i18n
from natality.export import qr

# A chain link as an image (the page's HTML sanitiser drops inline SVG; an emoji needs a
# colour-emoji font that many machines lack).
LINK_ICON = (
    '<img alt="" width="16" height="16" src="data:image/svg+xml;utf8,'
    "%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24' fill='none' stroke='%231f2933' "
    "stroke-width='2' stroke-linecap='round'%3E%3Cpath d='M10 13a5 5 0 0 0 7.5.5l3-3a5 5 0 0 0-7-7l-1.7 1.7'/%3E"
    "%3Cpath d='M14 11a5 5 0 0 0-7.5-.5l-3 3a5 5 0 0 0 7 7l1.7-1.7'/%3E%3C/svg%3E\">"
)
# Page state that belongs to the screen it was set on, not to the view handed on.
NOT_SHARED = ("present",)


def view_url(headers: Mapping[str, str], browser_url: str | None, url_path: str, params: Mapping[str, str]) -> str:
    """The current view's URL with the host the leader reached the app by.

    Behind a reverse proxy ``X-Forwarded-Host`` / ``X-Forwarded-Proto`` name it (the first of a
    list), else the request's ``Host``; the path is the browser's (a proxy's prefix included),
    else ``/url_path``; the query is the page state (``params``) without presentation mode.
    """
    lower = {k.lower(): v for k, v in headers.items()}
    seen = urlsplit(browser_url or "")

    def first(name: str) -> str:
        return (lower.get(name) or "").split(",")[0].strip()

    scheme = first("x-forwarded-proto") or seen.scheme or "http"
    host = first("x-forwarded-host") or first("host") or seen.netloc or "localhost"
    path = seen.path or f"/{url_path}".rstrip("/") or "/"
    query = urlencode([(k, v) for k, v in params.items() if k not in NOT_SHARED])
    return f"{scheme}://{host}{path or '/'}" + (f"?{query}" if query else "")


def is_local(url: str) -> bool:
    """Whether phones cannot open ``url``: it names this machine, not its network address."""
    host = urlsplit(url).hostname or ""
    return host in ("localhost", "127.0.0.1", "::1", "0.0.0.0")


def current_view_url(url_path: str) -> str:
    headers = dict(st.context.headers.items()) if st.context.headers else {}
    return view_url(headers, st.context.url, url_path, st.query_params.to_dict())


def copy_link_button(lang: str) -> None:
    """A "copy link" button: copies the browser's address at the time of the tap (so it carries
    every choice made on the page), without ``present``. The clipboard API needs HTTPS; on plain
    HTTP (a county intranet) the old ``execCommand("copy")`` does it, else the link is shown."""
    labels = {k: i18n.t(f"share.{k}", lang) for k in ("copy_link", "copied", "copy_manual")}
    st.html(
        f"""<div class="natality-share" style="display:flex;justify-content:flex-end;gap:.5rem;align-items:center">
<input id="natality-link" readonly aria-label="{html.escape(labels["copy_manual"])}"
 style="display:none;flex:1;min-width:0;font-size:.8rem;padding:.25rem;border:1px solid #ccc;border-radius:.4rem">
<button id="natality-copy" type="button" style="display:inline-flex;align-items:center;gap:.35rem;
 font-size:.85rem;padding:.3rem .7rem;border:1px solid #c9ced6;border-radius:.5rem;background:#fff;color:#1f2933;
 cursor:pointer;white-space:nowrap">{LINK_ICON}<span>{html.escape(labels["copy_link"])}</span></button>
</div>
<script>
(() => {{
  const button = document.getElementById("natality-copy");
  const field = document.getElementById("natality-link");
  if (!button || button.dataset.ready) return;
  button.dataset.ready = "1";
  const labels = {json.dumps(labels, ensure_ascii=False)};
  button.addEventListener("click", async () => {{
    const url = new URL(window.location.href);
    url.searchParams.delete("present");
    const text = url.toString();
    let done = false;
    try {{ await navigator.clipboard.writeText(text); done = true; }} catch (e) {{}}
    if (!done) {{
      field.value = text; field.style.display = "block"; field.focus(); field.select();
      try {{ done = document.execCommand("copy"); }} catch (e) {{}}
      if (done) field.style.display = "none";
    }}
    const label = button.querySelector("span");
    label.textContent = done ? labels.copied : labels.copy_manual;
    setTimeout(() => {{ label.textContent = labels.copy_link; }}, 2500);
  }});
}})();
</script>""",
        unsafe_allow_javascript=True,
    )


def view_qr(lang: str, url_path: str) -> None:
    """In presentation mode: the QR code of the current view in the screen's bottom-right corner
    (folds away with a tap on its heading), and a warning when the address is this machine's."""
    url = current_view_url(url_path)
    note = i18n.t("share.qr_local", lang) if is_local(url) else i18n.t("share.qr_caption", lang)
    st.html(
        f"""<details open class="natality-qr" data-url="{html.escape(url)}" style="position:fixed;right:1.2rem;
bottom:1.2rem;z-index:1000;background:#fff;border:1px solid #c9ced6;border-radius:.6rem;padding:.5rem .6rem;
box-shadow:0 2px 10px rgba(0,0,0,.15);max-width:240px;font-size:.95rem;color:#1f2933">
<summary style="cursor:pointer;font-weight:600">{html.escape(i18n.t("share.qr_heading", lang))}</summary>
<img src="{qr.qr_data_uri(url, size_px=200)}" alt="QR" style="display:block;margin:.4rem 0;width:200px;height:auto">
<div style="font-size:.8rem;color:#52606d;overflow-wrap:anywhere">{html.escape(note)}</div>
</details>"""
    )
