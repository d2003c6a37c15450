"""A minimal Streamlit client that speaks the app's own protocol, without a browser.

A page view is one ``BackMsg.rerun_script`` (the page's url path and query string) over the
websocket ``/_stcore/stream``; it is done when the server sends ``script_finished``. The client
keeps what a test or a benchmark needs: the time, the bytes received, the page's title, how many
charts came, and every error box or exception element. Used by bench/view_cost.py and by
tests/test_concurrency.py (a burst of sessions against a real server).
"""

from __future__ import annotations

import contextlib
import dataclasses
import time

import websocket
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ERROR_FORMAT = 1  # Alert.Format.ERROR


@dataclasses.dataclass
class View:
    page: str
    query: str
    seconds: float = 0.0
    bytes: int = 0
    title: str = ""
    charts: int = 0
    errors: list[str] = dataclasses.field(default_factory=list)
    finished: bool = False

    @property
    def good(self) -> bool:
        """Finished, with a title, and no error box or exception in the page."""
        return self.finished and bool(self.title) and not self.errors


class Session:
    """One browser tab's session: connect once, then view pages with ``view``."""

    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = 60.0) -> None:
        self.ws = websocket.create_connection(
            f"ws://{host}:{port}/_stcore/stream", subprotocols=["streamlit"], timeout=timeout, suppress_origin=True
        )
        self.timeout = timeout

    def view(self, page: str, query: str = "") -> View:
        """Open ``page`` (url path, "" for the Overview) with ``query`` ("lang=en&year=2024")."""
        out = View(page, query)
        state = ClientState(query_string=query, page_name=page)
        state.context_info.timezone = "Asia/Shanghai"
        state.context_info.locale = "zh-CN"
        start = time.perf_counter()
        self.ws.send_binary(BackMsg(rerun_script=state).SerializeToString())
        deadline = start + self.timeout
        while time.perf_counter() < deadline:
            frame = self.ws.recv()
            if isinstance(frame, str):
                continue
            out.bytes += len(frame)
            msg = ForwardMsg()
            msg.ParseFromString(frame)
            kind = msg.WhichOneof("type")
            if kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                _read_element(msg.delta.new_element, out)
            elif kind == "script_finished":
                if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # the app reran itself (st.rerun): the view goes on
                out.finished = msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY
                break
            elif kind == "page_not_found":
                out.errors.append(f"page not found: {page}")
        out.seconds = time.perf_counter() - start
        return out

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.ws.close()


def _read_element(element, out: View) -> None:
    kind = element.WhichOneof("type")
    if kind == "heading" and not out.title:
        out.title = element.heading.body
    elif kind == "markdown" and not out.title and element.markdown.body.startswith("# "):
        out.title = element.markdown.body[2:]
    elif kind == "plotly_chart":
        out.charts += 1
    elif kind == "exception":
        out.errors.append(f"exception: {element.exception.type}: {element.exception.message}"[:300])
    elif kind == "alert" and element.alert.format == ERROR_FORMAT:
        out.errors.append(f"error: {element.alert.body}"[:300])
