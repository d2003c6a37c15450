"""A leader's phone: every page at 390 x 844 in WeChat's browser (touch, its user agent), both
languages, measured from the DOM; and the meeting screen's QR code read back from its pixels.

One server, one browser context per language, the pages visited in a loop. Screenshots go to
tests/screenshots/phone_*.png for people to look at.
"""

import io

import pytest

from tests.conftest import SHOTS, assert_no_exception, wait_for_app

WECHAT_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 MicroMessenger/8.0.50(0x1800323c) NetType/WIFI Language/zh_CN"
)
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "user_agent": WECHAT_UA,
    "device_scale_factor": 2,
}
PAGES = ["", "births", "sex-ratio", "scorecard", "township", "map", "compare", "data"]
CHARTED = {"", "births", "sex-ratio", "scorecard", "map", "compare"}

# Every figure on the page: its box, its column's width, and the boxes of title, toolbar, legend.
MEASURE = """() => {
  const box = el => { if (!el) return null; const r = el.getBoundingClientRect();
    return r.width * r.height > 0 ? {x: r.x, y: r.y, w: r.width, h: r.height} : null; };
  const column = el => el.closest('[data-testid=stVerticalBlock]');
  return Array.from(document.querySelectorAll('.js-plotly-plot')).map(el => {
    const modebar = el.querySelector('.modebar-container');
    const shown = modebar && getComputedStyle(modebar).display !== 'none' && modebar.querySelector('.modebar-btn');
    const areas = Array.from(el.querySelectorAll('path.choroplethlocation')).map(p => p.getBoundingClientRect());
    return {
      chart: box(el), column: column(el).getBoundingClientRect().width,
      title: box(el.querySelector('.g-gtitle text')), legend: box(el.querySelector('g.legend')),
      modebar: shown ? box(modebar) : null,
      map: areas.length ? Math.max(...areas.map(r => r.right)) - Math.min(...areas.map(r => r.left)) : null,
    };
  });
}"""


SIDEWAYS = """() => ['stMain', 'stAppViewContainer', 'stMainBlockContainer']
  .map(id => document.querySelector(`[data-testid=${id}]`))
  .filter(el => el && el.scrollWidth > el.clientWidth + 1)
  .map(el => `${el.dataset.testid} (${el.scrollWidth} > ${el.clientWidth} px)`).join(', ')"""


def shoot(page, path) -> None:
    """The whole page: Streamlit scrolls an inner element, so the viewport is made as tall as it."""
    tall = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": 390, "height": min(max(844, tall), 12_000)})
    page.wait_for_timeout(800)
    page.screenshot(path=str(path))
    page.set_viewport_size({"width": 390, "height": 844})


def overlaps(a: dict | None, b: dict | None) -> bool:
    if a is None or b is None:
        return False
    across = a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"]
    return across and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]


def settle(page) -> None:
    wait_for_app(page)
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.js-plotly-plot')).every(p => p.querySelector('.main-svg'))",
        timeout=30_000,
    )
    page.wait_for_timeout(500)


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_reads_on_a_phone(streamlit_server, chromium, lang):
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(**PHONE, locale="zh-CN")
    page = context.new_page()
    problems: list[str] = []
    try:
        for path in PAGES:
            page.goto(f"{streamlit_server}/{path}?lang={lang}")
            settle(page)
            if path in CHARTED:
                page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
                settle(page)
            assert_no_exception(page)
            where = f"/{path}?lang={lang}"
            scroll, inner = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
            if scroll > inner:
                problems.append(f"{where}: the page scrolls sideways ({scroll} > {inner} px)")
            # Streamlit scrolls its main area, not the document: it must not scroll sideways either
            inside = page.evaluate(SIDEWAYS)
            if inside:
                problems.append(f"{where}: scrolls sideways inside {inside}")
            charts = page.evaluate(MEASURE)
            if path in CHARTED and not charts:
                problems.append(f"{where}: no chart drawn")
            for i, c in enumerate(charts):
                name = f"{where} chart {i}"
                if c["chart"]["w"] < 0.9 * c["column"]:
                    problems.append(f"{name}: {c['chart']['w']:.0f} px wide in a {c['column']:.0f} px column")
                if c["chart"]["h"] < 260 and c["map"] is None:  # the township page's small locator map
                    problems.append(f"{name}: {c['chart']['h']:.0f} px high")
                if overlaps(c["title"], c["modebar"]) or overlaps(c["title"], c["legend"]):
                    problems.append(
                        f"{name}: the title {c['title']} meets the toolbar {c['modebar']} or the legend {c['legend']}"
                    )
                if c["title"] and c["title"]["x"] + c["title"]["w"] > c["chart"]["x"] + c["chart"]["w"] + 1:
                    problems.append(f"{name}: the title runs off the chart")
                if c["map"] is not None and c["chart"]["h"] >= 260 and c["map"] < 0.8 * c["column"]:
                    problems.append(f"{name}: the map is drawn {c['map']:.0f} px wide in {c['column']:.0f} px")
            shoot(page, SHOTS / f"phone_{path or 'overview'}_{lang}.png")
            if path == "":
                tops = page.locator(".st-key-tiles_overview [data-testid=stMetric]").evaluate_all(
                    "els => els.map(e => Math.round(e.getBoundingClientRect().top))"
                )
                rows = [tops.count(t) for t in sorted(set(tops))]
                if len(tops) < 4 or any(n != 2 for n in rows[:-1]) or rows[-1] > 2:
                    problems.append(f"{where}: metric tiles per row {rows}, expected two a row")
                if not any(c["map"] for c in charts):
                    problems.append(f"{where}: the Overview's map is not drawn")
    finally:
        context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_meeting_screen_qr_code_opens_the_same_view_by_the_forwarded_host(streamlit_server, chromium):
    """Behind a proxy the QR code names the proxy's host and scheme; read back from the screen's pixels."""
    import zxingcpp
    from PIL import Image

    headers = {"X-Forwarded-Host": "births.example.gov.cn", "X-Forwarded-Proto": "https"}
    context = chromium.new_context(viewport={"width": 1600, "height": 1000}, extra_http_headers=headers)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    try:
        page.goto(f"{streamlit_server}/births?lang=en&year=2024&present=1")
        settle(page)
        assert_no_exception(page)
        qr = page.locator("details.natality-qr img")
        qr.wait_for(timeout=30_000)
        read = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())))
        assert [r.text for r in read] == ["https://births.example.gov.cn/births?lang=en&year=2024"]
        page.get_by_role("button", name="Copy link").click()
        page.get_by_text("Copied").wait_for(timeout=5_000)
        copied = page.evaluate("() => navigator.clipboard.readText()")
        assert copied.startswith(f"{streamlit_server}/births?") and "year=2024" in copied and "present" not in copied
    finally:
        context.close()
