"""A leader's browser tab without the browser: Streamlit's own websocket protocol (``make load``).

One :class:`Session` is one browser tab. It does what Streamlit 1.67's frontend does, minus
drawing: asks ``/_stcore/health`` and ``/_stcore/host-config`` (and keeps the cookies they set,
so a sticky proxy sends the tab to one replica), opens ``/_stcore/stream`` with the subprotocol
``streamlit``, and for each page view sends a ``BackMsg`` whose ``rerun_script`` carries the
query string, the page (``page_name`` = its URL path on the first view, then the
``page_script_hash`` the server's ``navigation`` message gave it, as a click in the sidebar
does) and the hashes of the large messages it already holds (the frontend's message cache: the
server then sends a ``ref_hash`` instead of the message again). It reads ``ForwardMsg``\\ s until
``script_finished`` (a finish "early for rerun" is not the end: the frontend waits for the
rerun). A reader thread answers the server's pings between views, as a browser does.

A view is good only when its content arrived: a heading with the page's title and the page's
plotly charts, and no exception element, error box or "page not found" came. Every text of the
view is searched for ``marks`` (e.g. the cut-off month the footnotes name, one label per
published version), so a caller can tell when a view mixed two versions.

Used by ``make load`` (bench/swarm.py), bench/view_cost.py and the tests of the server under
concurrent sessions and behind nginx (tests/test_concurrency.py, test_load_client.py, test_replicas.py).
"""

from __future__ import annotations

import contextlib
import json
import queue
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

import websocket
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

EARLY_FOR_RERUN = ForwardMsg.ScriptFinishedStatus.FINISHED_EARLY_FOR_RERUN
COMPILE_ERROR = ForwardMsg.ScriptFinishedStatus.FINISHED_WITH_COMPILE_ERROR


@dataclass
class View:
    """What one page view brought: its time, size and content, and what was wrong with it."""

    page: str
    query: str
    seconds: float = 0.0
    bytes: int = 0
    messages: int = 0
    headings: list[str] = field(default_factory=list)
    charts: int = 0
    errors: list[str] = field(default_factory=list)
    marks: set[str] = field(default_factory=set)  # labels whose mark appeared in the view
    finished: bool = False  # the script ran to its end (not a compile error)

    @property
    def title(self) -> str:
        """The page's first heading in the main area ("" if none came)."""
        return self.headings[0] if self.headings else ""

    @property
    def good(self) -> bool:
        """Finished, with a title, and no error box, exception element or missing page."""
        return self.finished and bool(self.title) and not self.errors

    def has_title(self, titles: list[tuple[str, str]]) -> bool:
        """A heading that starts and ends as one of the page's titles does (the middle may be a name)."""
        return any(
            h.startswith(head) and h.endswith(tail) and len(h) >= len(head) + len(tail)
            for head, tail in titles
            for h in self.headings
        )


class ProtocolError(RuntimeError):
    """The server closed the stream, stopped answering, or said something a browser would not expect."""


def _escaped(text: str) -> str:
    """How a text appears inside JSON written with ASCII escapes (plotly's figure spec)."""
    return json.dumps(text)[1:-1]


class Session:
    """One browser tab on ``base_url`` (``http://host:port``, or a port on 127.0.0.1)."""

    def __init__(self, base_url: str | int, marks: dict[str, tuple[str, ...]] | None = None, timeout: float = 120.0):
        if isinstance(base_url, int):
            base_url = f"http://127.0.0.1:{base_url}"
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.pages: dict[str, str] = {}  # url path ("" for the default page) -> page_script_hash
        self.cache: dict[str, ForwardMsg] = {}  # the frontend's cache of large messages, by hash
        self.session_id = ""
        # every mark as typed and as it appears in plotly's JSON (non-ASCII letters escaped)
        self.marks = {label: {m for mark in ms for m in (mark, _escaped(mark))} for label, ms in (marks or {}).items()}
        self.cookies: dict[str, str] = {}
        self._inbox: queue.Queue = queue.Queue()
        self._closed = False
        for path in ("/_stcore/health", "/_stcore/host-config"):  # the frontend's first two requests
            self._get(path)
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        url = self.base_url.replace("http://", "ws://", 1) + "/_stcore/stream"
        self.ws = websocket.create_connection(
            url, subprotocols=["streamlit"], timeout=timeout, cookie=cookie or None, enable_multithread=True
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _get(self, path: str) -> bytes:
        request = urllib.request.Request(self.base_url + path)
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        with urllib.request.urlopen(request, timeout=self.timeout) as response:
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return response.read()

    def _read(self) -> None:
        """Frames as they arrive (pings are answered inside ``recv``), with their arrival time."""
        while not self._closed:
            try:
                data = self.ws.recv()
            except Exception as exc:  # closed by us, or the server went away
                self._inbox.put((time.perf_counter(), exc))
                return
            self._inbox.put((time.perf_counter(), data))

    def _next(self, deadline: float) -> tuple[float, bytes]:
        try:
            at, data = self._inbox.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise ProtocolError(f"no script_finished within {self.timeout:g} s") from None
        if isinstance(data, Exception):
            raise ProtocolError(f"stream closed: {type(data).__name__}: {data}")
        if isinstance(data, str):
            raise ProtocolError("text frame from the server")
        return at, data

    def view(self, page: str, query: str = "") -> View:
        """Open ``page`` (its URL path; "" or "overview" the default page) with ``query`` ("lang=en&year=2024")
        and wait until it is done; ProtocolError if the stream closes or nothing finishes in time."""
        msg = BackMsg()
        rerun = msg.rerun_script
        rerun.query_string = query
        path = "" if page in ("overview", "") else page  # the default page's URL path is empty (as "/")
        if path in self.pages:  # a click in the sidebar: the page's hash
            rerun.page_script_hash = self.pages[path]
        else:  # the first view of the tab: the URL's path, as the frontend sends it
            rerun.page_name = path
        rerun.cached_message_hashes.extend(self.cache)
        rerun.context_info.timezone = "Asia/Shanghai"
        rerun.context_info.locale = "zh-CN"
        rerun.context_info.url = f"{self.base_url}/{page}" + (f"?{query}" if query else "")
        view = View(page=page, query=query)
        while True:  # anything left from an earlier view (late deltas) does not count for this one
            try:
                self._inbox.get_nowait()
            except queue.Empty:
                break
        started = time.perf_counter()
        try:
            self.ws.send_binary(msg.SerializeToString())
        except (OSError, websocket.WebSocketException) as exc:
            raise ProtocolError(f"stream closed: {type(exc).__name__}: {exc}") from exc
        deadline = time.monotonic() + self.timeout
        while True:
            at, data = self._next(deadline)
            view.bytes += len(data)
            view.messages += 1
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            if fwd.WhichOneof("type") == "ref_hash":
                cached = self.cache.get(fwd.ref_hash)
                if cached is None:
                    view.errors.append(f"ref_hash {fwd.ref_hash} not in the cache")
                    continue
                fwd = cached
            elif fwd.metadata.cacheable:
                self.cache[fwd.hash] = fwd
            if self._take(fwd, view):
                view.seconds = at - started
                return view

    def _take(self, fwd: ForwardMsg, view: View) -> bool:
        """Read one message into the view; True at the end of the page's script run."""
        kind = fwd.WhichOneof("type")
        if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
            element = fwd.delta.new_element
            etype = element.WhichOneof("type")
            text = ""
            if etype == "plotly_chart":
                view.charts += 1
                text = element.plotly_chart.spec
            elif etype == "heading":
                text = element.heading.body
                if fwd.metadata.delta_path[:1] == [0]:  # the main area, not the sidebar
                    view.headings.append(text)
            elif etype == "markdown":
                text = element.markdown.body
            elif etype == "exception":
                view.errors.append(f"exception {element.exception.type}: {element.exception.message[:200]}")
            elif etype == "alert":
                text = element.alert.body
                if element.alert.format == Alert.ERROR:
                    view.errors.append(f"error box: {text[:200]}")
            if text and self.marks:
                view.marks.update(label for label, marks in self.marks.items() if any(m in text for m in marks))
        elif kind == "new_session":
            self.session_id = fwd.new_session.initialize.session_id or self.session_id
        elif kind == "navigation":
            self.pages = {p.url_pathname: p.page_script_hash for p in fwd.navigation.app_pages}
        elif kind == "page_not_found":
            view.errors.append(f"page not found: {fwd.page_not_found.page_name}")
        elif kind == "script_finished":
            if fwd.script_finished == EARLY_FOR_RERUN:
                return False
            if fwd.script_finished == COMPILE_ERROR:
                view.errors.append("script compile error")
            view.finished = fwd.script_finished != COMPILE_ERROR
            return True
        return False

    def upload(self, data: bytes, name: str = "births.csv", file_id: str = "f1", base_url: str | None = None) -> int:
        """PUT a file to ``/_stcore/upload_file/<session>/<file>`` as the file uploader does (with the
        tab's cookies and XSRF token); the HTTP status (204: taken; 400: no such session here).
        ``base_url``: another address than the tab's (to ask one replica directly)."""
        boundary = uuid.uuid4().hex
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{file_id}"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        )
        body = head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
        url = f"{base_url or self.base_url}/_stcore/upload_file/{self.session_id}/{file_id}"
        request = urllib.request.Request(url, data=body, method="PUT")
        request.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
        request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        request.add_header("X-Xsrftoken", self.cookies.get("_streamlit_xsrf", ""))
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def close(self) -> None:
        self._closed = True
        with contextlib.suppress(Exception):  # already gone
            self.ws.close()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# The app's pages: URL path -> the message key of the page's title (natality/core/locales); a page
# titled by what it draws (the map: townships, or counties of a larger region) has one per kind.
PAGES = {
    "overview": "overview.title",
    "births": "births.title",
    "sex-ratio": "srb.title",
    "scorecard": "scorecard.title",
    "township": "scorecard.profile_title",
    "map": ("maps.page_title", "maps.page_title_county"),
    "compare": "compare.title",
    "data": "data.title",
}


def page_title(page: str, lang: str) -> list[tuple[str, str]]:
    """The page's possible titles, each as its text before and after its one variable part (the
    region or township name)."""
    from natality.core import i18n

    keys = PAGES[page] if isinstance(PAGES[page], tuple) else (PAGES[page],)
    return [i18n.t(key, lang, scope="\0", name="\0").partition("\0")[::2] for key in keys]


def version_marks(month: str) -> tuple[str, ...]:
    """How a page names the data's cut-off month ``YYYY-MM``, in both languages: the sidebar's
    line and every chart's footnote (each import of a new month moves it)."""
    from natality.core import i18n

    marks = []
    for lang in i18n.LANGS:
        text = i18n.fmt_month(int(month[:4]), int(month[5:7]), lang)
        marks.append(i18n.t("app.cutoff", lang, month=text))
        marks.append(i18n.t("common.footnote", lang, cutoff=text, source="").strip())
    return tuple(marks)
