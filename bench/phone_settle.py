"""A leader's phone: how long each page takes to settle in Chromium at 390 x 844 (touch, WeChat's
user agent) on the demo county, warm (second and later visits), against the same page on the
1440 px desktop in the same run.

``python bench/phone_settle.py [--repeat N]`` (also run by ``make bench`` through bench.py's
browser figures). A page has settled when Streamlit's script has finished, its elements are on
the page and every plotly chart has drawn. Target: <= 2 s warm on the phone.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from natality.demo.county import build_demo  # noqa: E402

PAGES = ["overview", "births", "sex-ratio", "scorecard", "township", "map", "compare", "data"]
WECHAT_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 MicroMessenger/8.0.50(0x1800323c) NetType/WIFI Language/zh_CN"
)
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "user_agent": WECHAT_UA}
DESKTOP = {"viewport": {"width": 1440, "height": 1000}}
TARGET_S = 2.0


def settle(page, url: str) -> float:
    """Seconds from navigation until the script is done and every chart is drawn."""
    start = time.perf_counter()
    page.goto(url)
    elements = "[data-testid=stMainBlockContainer] [data-testid=stElementContainer]"
    page.wait_for_function(
        f"() => !document.querySelector('[data-testid=stStatusWidget]')"
        f" && document.querySelectorAll('{elements}').length > 2"
        " && Array.from(document.querySelectorAll('.js-plotly-plot')).every(p => p.querySelector('.main-svg'))",
        timeout=120_000,
    )
    return time.perf_counter() - start


def phone_figures(data: Path, repeat: int = 3) -> dict[str, tuple[float, float]]:
    """page -> (desktop warm s, phone warm s), medians of ``repeat`` warm visits each; printed."""
    from conftest import start_streamlit
    from playwright.sync_api import sync_playwright

    proc, url = start_streamlit(data, Path(tempfile.mkdtemp()) / "streamlit.log")
    figures: dict[str, tuple[float, float]] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path="/usr/bin/chromium",
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
            )
            desktop, phone = browser.new_context(**DESKTOP).new_page(), browser.new_context(**PHONE).new_page()
            print(f"  {'page':10s} {'desktop s':>9s} {'phone s':>8s} {'ratio':>6s}  (warm; target <= {TARGET_S} s)")
            for name in PAGES:
                target = f"{url}/{name}?lang=zh"
                settle(desktop, target), settle(phone, target)  # the first (cold) visits
                d = statistics.median(settle(desktop, target) for _ in range(repeat))
                m = statistics.median(settle(phone, target) for _ in range(repeat))
                errors = phone.locator("[data-testid='stException'], [data-testid='stAlertContentError']").count()
                flag = f"  ! {errors} error box(es)" if errors else ("  ! over target" if m > TARGET_S else "")
                print(f"  {name:10s} {d:9.2f} {m:8.2f} {m / d:6.2f}{flag}")
                figures[name] = (d, m)
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, default=None, help="an extract (default: a fresh demo county)")
    args = parser.parse_args()
    data = args.data
    if data is None:
        data = Path(tempfile.mkdtemp(prefix="natality-phone-")) / "county"
        build_demo(data)
    print(f"== phone settle, demo county: {data}")
    figures = phone_figures(data, args.repeat)
    worst = max(m for _, m in figures.values())
    print(f"  slowest phone page {worst:.2f} s warm (target <= {TARGET_S} s)")


if __name__ == "__main__":
    main()
