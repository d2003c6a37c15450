"""Phones and chat groups, without a browser: which requests are phones, the figure laid out for a
narrow width (text wrapped, legend below, the map across the width), the portrait image rendered
by kaleido, the view's URL behind a proxy and its QR code read back."""

from __future__ import annotations

import io

import plotly.graph_objects as go
import pytest
from PIL import Image

from natality.core.theme import finish_figure
from natality.export import narrow, qr
from natality.export import render as export
from natality.ui.phone import is_phone_request
from natality.ui.share import is_local, view_url
from tests.test_export import NO_CJK_FONT, glyph_profile, ink, pillow_text

WECHAT_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 MicroMessenger/8.0.50(0x1800323c) NetType/WIFI Language/zh_CN"
)
WECHAT_ANDROID = (
    "Mozilla/5.0 (Linux; Android 13; V2227A Build/TP1A.220624.014; wv) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47.2560"
)
WECHAT_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/81.0.4044.138 "
    "Safari/537.36 NetType/WIFI MicroMessenger/7.0.20.1781(0x6700143B) WindowsWechat(0x63090a13)"
)
DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"
IPAD = "Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148"
TITLE = "历年出生人数与出生率（2015–2026年，2026年为1–9月）"
SUBTITLE = "示范县合计：出生人数按月累计，出生率按年平均人口计算并按月折算为全年"
FOOTNOTE = "数据截至2026年9月。来源：合成演示数据（示范县卫生健康局出生登记）"


@pytest.mark.parametrize(
    ("headers", "phone"),
    [
        ({"User-Agent": WECHAT_IPHONE}, True),
        ({"user-agent": WECHAT_ANDROID}, True),
        ({"User-Agent": DESKTOP, "Sec-CH-UA-Mobile": "?1"}, True),  # a client hint says so
        ({"User-Agent": DESKTOP, "Sec-CH-UA-Mobile": "?0"}, False),
        ({"User-Agent": WECHAT_WINDOWS}, False),  # WeChat's desktop client
        ({"User-Agent": IPAD}, False),
        ({}, False),
    ],
)
def test_phone_requests(headers, phone):
    assert is_phone_request(headers) is phone


def test_wrap_text_breaks_between_cjk_characters_and_words_and_keeps_markup():
    # 10 px type in 50 px: five CJK characters a line; the closing mark stays with its line
    assert narrow.wrap_text("一二三四五六七八九十。", 50, 10) == ["一二三四五", "六七八九十。"]
    # Latin: 0.55 em a letter, breaks between words only
    assert narrow.wrap_text("aaaa bbbb cccc", 50, 10) == ["aaaa bbbb", "cccc"]
    # tags are kept and not counted, an entity is one character, an existing <br> is kept
    assert narrow.wrap_text("<b>一二</b>&lt;三<br>四", 50, 10) == ["<b>一二</b>&lt;三", "四"]


def bar_with_legend(height: int = 460) -> go.Figure:
    fig = go.Figure()
    years = [str(y) for y in range(2015, 2027)]
    fig.add_bar(x=years, y=list(range(12)), name="出生人数")
    fig.add_scatter(x=years, y=list(range(12)), name="出生率（‰）")
    fig.update_layout(xaxis={"title": "年份"})
    return finish_figure(fig, TITLE, SUBTITLE, FOOTNOTE, height=height)


def test_phone_figure_wraps_title_puts_legend_below_and_leaves_the_desktop_figure_alone():
    fig = bar_with_legend()
    before = fig.to_json()
    phone = narrow.phone_figure(fig)
    assert fig.to_json() == before  # a copy
    lines = phone.layout.title.text.split("<br>")
    # 16 px bold in 320 px: 320 / (16 x 1.06) = 18.9 em a line; 13 CJK characters at 0.95 and
    # "2015–2026" at 9 x 0.55 make 17.3 em, the next "2026" (2.2 em) goes to the second line
    assert lines[0] == "<b>历年出生人数与出生率（2015–2026年，</b>"
    assert "".join(line.removeprefix("<b>").removesuffix("</b>") for line in lines[:2]) == TITLE
    assert any(SUBTITLE[:6] in line for line in lines[2:])  # the subtitle in the same text, below
    assert not phone.layout.title.subtitle.text
    # the top margin holds every line: 10 + lines x 1.3 x 16 + 10
    assert phone.layout.margin.t == 10 + round(len(lines) * 1.3 * 16) + 10
    assert phone.layout.legend.orientation == "h" and phone.layout.legend.y < 0
    assert phone.layout.legend.yanchor == "top"
    # twelve year labels cannot stand side by side in 358 px: tilted, and the axis height allows it
    assert phone.layout.xaxis.tickangle == -45
    footnote = next(a for a in phone.layout.annotations if a.yshift and a.yshift < 0)
    assert footnote.text.replace("<br>", "") == FOOTNOTE
    assert -footnote.yshift < phone.layout.margin.b  # under the legend, inside the figure
    assert phone.layout.height >= 260 and phone.layout.width is None and phone.layout.autosize


def long_county() -> dict:
    """Four townships in a row, 0.2 degree squares at 34 N."""
    features = []
    for i, (x, y) in enumerate([(113.0, 34.0), (113.2, 34.0), (113.4, 34.0), (113.6, 34.0)]):
        ring = [[x, y], [x + 0.2, y], [x + 0.2, y + 0.2], [x, y + 0.2], [x, y]]
        props = {"name": f"第{i}号乡镇名称很长", "label_lon": x + 0.1, "label_lat": y + 0.1}
        features.append(
            {
                "type": "Feature",
                "id": f"41990110{i}000",
                "properties": props,
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def test_phone_map_spans_the_width_and_keeps_only_labels_that_fit():
    import polars as pl

    from natality.maps.charts import MapTexts, township_choropleth

    geojson = long_county()
    codes = [f["id"] for f in geojson["features"]]
    df = pl.DataFrame({"township_code": codes, "value": [1.0, 2.0, 3.0, 4.0], "hover": ["a", "b", "c", "d"]})
    texts = MapTexts(title=TITLE, subtitle="按分位数分级", footnote=FOOTNOTE, legend_title="出生人数", no_data="无数据")
    fig = township_choropleth(geojson, df, "value", texts, "zh", k=2, label_mode="name")
    labels = [t for t in fig.data if t.type == "scattergeo" and t.mode == "text"]
    # On a slide the row is 700 px wide, 165 px a township: each 8.15 em name of 13 px (106 px) fits.
    assert sum(len(t.text) for t in labels) == 4
    phone = narrow.phone_figure(fig)
    assert list(phone.layout.geo.domain.x) == [0, 1]  # the desktop keeps 20 % for the legend
    # On a phone 338 px, 80 px a township: a name overlaps its neighbours, every other one stays.
    assert sum(len(t.text) for t in phone.data if t.type == "scattergeo" and t.mode == "text") == 2
    # the map is bounded by its width: the plot is higher than the width's share of the county
    plot_h = phone.layout.height - phone.layout.margin.t - phone.layout.margin.b
    assert plot_h >= 240 and plot_h >= (narrow.PHONE_WIDTH - 20) * 0.25
    assert phone.layout.legend.orientation == "h"


def test_point_labels_that_would_overlap_on_a_phone_keep_the_points_furthest_from_the_middle():
    # 甲 and 乙 are 10 births and 1 boy per 100 girls apart: on a 300 px plot their 3-character
    # labels (36 px) would overlap; 乙 is further from the middle value (105), so it is placed
    # first, and 甲's label goes where 乙's is not (core.label_places); 丙, at the top, is written
    # below its point and 戊, at the right edge, to its left
    towns = ["甲乡镇", "乙乡镇", "丙乡镇", "丁乡镇", "戊乡镇"]
    points = go.Scatter(x=[100, 110, 120, 500, 900], y=[105, 106, 140, 104, 100], mode="markers+text", text=towns)
    fig = finish_figure(go.Figure(points), "标题", "", FOOTNOTE)
    phone = narrow.phone_figure(fig).data[0]
    assert phone.text == tuple(towns)
    assert phone.textposition == ("bottom right", "middle right", "bottom center", "bottom center", "middle left")
    assert fig.data[0].text == tuple(towns)  # the desktop keeps every label


@pytest.mark.browser
def test_portrait_image_is_1080_wide_with_title_and_footnote_in_real_chinese():
    fig = bar_with_legend()
    portrait = narrow.portrait_figure(fig)
    assert portrait.layout.width == 540 and portrait.layout.height >= 675
    assert "历年出生人数" in portrait.layout.title.text
    footnote = next(a for a in portrait.layout.annotations if a.yshift and a.yshift < 0)
    assert "数据截至2026年9月" in footnote.text and "来源" in footnote.text
    png = export.figure_png(portrait, (narrow.PORTRAIT_WIDTH, int(portrait.layout.height)))
    image = Image.open(io.BytesIO(png))
    assert image.size == (1080, 2 * portrait.layout.height)
    # the title's first line, bold 21 px at scale 2, in real glyphs (see test_export)
    first = portrait.layout.title.text.split("<br>")[0].removeprefix("<b>").removesuffix("</b>")
    # the first line: 10 px from the top, one line of 1.3 x 21 px, at scale 2
    line = ink(image.crop((0, 0, 1080, round((10 + 1.3 * 21) * 2))))
    assert line.getbbox()[1] > 8, "the first line is cut off at the top"
    density, framed = glyph_profile(line)
    _, real = glyph_profile(ink(pillow_text(first, str(export.cjk_font_file()), 42)))
    _, boxes = glyph_profile(ink(pillow_text(first, NO_CJK_FONT, 42)))
    assert density > 0.1 and abs(framed - real) < abs(framed - boxes)
    # nothing drawn past the right edge's margin: the wrapped title fits the width
    right = ink(image.crop((1060, 0, 1080, 200)))
    assert right.getbbox() is None


PROXIED = {
    "Host": "127.0.0.1:8501",
    "X-Forwarded-Host": "births.example.gov.cn, 10.0.0.2",
    "X-Forwarded-Proto": "https",
}
LAN = "http://192.168.1.20:8501/births"


@pytest.mark.parametrize(
    ("headers", "browser_url", "expected"),
    [
        # behind a proxy: its host and scheme, the first of a list
        (PROXIED, "http://127.0.0.1:8501/births", "https://births.example.gov.cn/births?lang=zh&year=2024"),
        # reached directly on the county's network
        ({"Host": "192.168.1.20:8501"}, LAN, f"{LAN}?lang=zh&year=2024"),
        # no browser URL yet: the page's path
        ({"host": "10.1.1.1"}, None, "http://10.1.1.1/births?lang=zh&year=2024"),
    ],
)
def test_view_url_uses_the_host_the_leader_reached(headers, browser_url, expected):
    params = {"lang": "zh", "year": "2024", "present": "1"}
    assert view_url(headers, browser_url, "births", params) == expected


def test_local_addresses_are_named():
    assert is_local("http://localhost:8501/") and is_local("http://127.0.0.1:8501/births")
    assert not is_local("http://192.168.1.20:8501/births")


def svg_modules(svg: str) -> list[list[int]]:
    """The dark modules of segno's SVG, read back from its path (``M x y`` then ``h run`` and
    relative ``m dx dy`` moves along the rows' middles), quiet zone included."""
    import re

    size = int(re.search(r'width="(\d+)"', svg).group(1)) // int(re.search(r"scale\((\d+)\)", svg).group(1))
    grid = [[0] * size for _ in range(size)]
    path = re.search(r'<path class="qrline"[^>]* d="([^"]+)"', svg)
    x = y = 0.0
    for op, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?:\s+(-?[\d.]+))?", path.group(1)):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            for col in range(int(x), int(x + float(a))):
                grid[int(y)][col] = 1
            x += float(a)
    return grid


def test_qr_code_reads_back_as_the_url():
    import zxingcpp

    url = "https://births.example.gov.cn/sex-ratio?lang=zh&year=2024&region=419901&township=419901101000"
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.qr_png(url))))] == [url]
    # the SVG the page shows: its modules drawn as an image read back to the same URL
    svg = qr.qr_svg(url)
    assert svg.startswith("<svg")  # inline: no XML declaration
    grid = svg_modules(svg)
    image = Image.new("L", (len(grid), len(grid)), 255)
    image.putdata([0 if v else 255 for row in grid for v in row])
    image = image.resize((len(grid) * 8, len(grid) * 8), Image.NEAREST)
    assert [r.text for r in zxingcpp.read_barcodes(image)] == [url]


def test_the_phone_layout_of_a_shared_built_figure_leaves_the_shared_figure_as_it_was():
    """ui.figure hands every session the same ``Built`` figure, whose to_dict is its own dict: the
    phone layout must work on a copy, or one phone would lay out the desktop's figure too."""
    import json

    import plotly.graph_objects as go

    from natality.core.theme import finish_figure
    from natality.export import narrow
    from natality.ui.figures import Built

    made = go.Figure(go.Bar(x=["甲镇", "乙镇"], y=[3, 5], name="出生数"))
    shared = Built(finish_figure(made, "历年出生人数与出生率 " * 3, "一个很长的副标题 " * 4, "来源").to_dict())
    before = json.dumps(shared.to_dict(), sort_keys=True, default=str)
    phone = narrow.phone_figure(shared)
    assert json.dumps(shared.to_dict(), sort_keys=True, default=str) == before
    assert phone.to_dict()["layout"] != shared.to_dict()["layout"]
