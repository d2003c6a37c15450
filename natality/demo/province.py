"""The layout of the province-like demo: outline, township cells, counties, cities, codes, names.

``python -m natality demo --townships N`` (N > 19) builds a synthetic province of N townships;
this module draws its map and its hierarchy, ``natality.demo.county`` its births and the rest.

- One province (code 990000: the prefix 99 is no real province, so the data is plainly made up),
  cities 99CC00, counties 99CCKK of about 10-25 townships, townships county + 3 digits + "000"
  (towns 镇 from 101, townships 乡 from 201; the county seat 城关镇 is 101).
- Township cells: a seeded Voronoi of N points (Lloyd-relaxed), its edges wiggled by one smooth
  warp of the whole plane (so shared edges stay shared and the cells stay a clean coverage),
  clipped to an irregular province outline. Everything is vectorised over all cells at once.
- Counties grow from seeds over the cells' adjacency, always the least-filled county next, so
  every county is one connected piece of townships; cities grow from counties the same way.
- Names are syllables put together (王店乡, 青阳县 ...) with pinyin-like English names; township
  names repeat across counties, as in real provinces, but codes never do.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import polars as pl
import shapely

PROVINCE_CODE = "990000"
PROVINCE_NAME = "示范省"
PROVINCE_NAME_EN = "Demo Province"
CENTRE = (113.6, 33.9)
AREA_PER_TOWNSHIP = 0.0162  # square degrees, as in the 19-township demo county
TOWNSHIPS_PER_COUNTY = 15
COUNTIES_PER_CITY = 11
MAX_TOWNSHIPS = 10_000
SEAT_NAME = ("城关", "Chengguan")

# (hanzi, pinyin): a township is a prefix + a suffix + 镇 or 乡; the pinyin of each list is unique.
TOWN_PREFIXES = [
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
    ("赵", "zhao"), ("黄", "huang"), ("周", "zhou"), ("吴", "wu"), ("孙", "sun"), ("马", "ma"),
    ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("高", "gao"), ("林", "lin"),
    ("罗", "luo"), ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"), ("唐", "tang"),
    ("韩", "han"), ("冯", "feng"), ("邓", "deng"), ("曹", "cao"), ("彭", "peng"), ("田", "tian"),
    ("袁", "yuan"), ("潘", "pan"), ("蒋", "jiang"), ("蔡", "cai"), ("杜", "du"), ("叶", "ye"),
    ("程", "cheng"), ("苏", "su"), ("魏", "wei"), ("丁", "ding"), ("任", "ren"), ("姚", "yao"),
    ("崔", "cui"), ("范", "fan"), ("石", "shi"), ("贾", "jia"), ("夏", "xia"), ("付", "fu"),
    ("白", "bai"), ("孟", "meng"), ("秦", "qin"), ("尹", "yin"), ("薛", "xue"), ("段", "duan"),
    ("侯", "hou"), ("陶", "tao"), ("古", "gu"), ("毛", "mao"), ("郝", "hao"), ("龙", "long"),
    ("新", "xin"), ("东", "dong"), ("西", "xi"), ("南", "nan"), ("北", "bei"), ("大", "da"),
    ("小", "xiao"), ("双", "shuang"), ("青", "qing"), ("槐", "huai"), ("金", "jin"), ("铁", "tie"),
]  # fmt: skip
TOWN_SUFFIXES = [
    ("店", "dian"), ("集", "ji"), ("庄", "zhuang"), ("寨", "zhai"), ("楼", "lou"), ("营", "ying"),
    ("桥", "qiao"), ("湖", "hu"), ("河", "he"), ("台", "tai"), ("岗", "gang"), ("屯", "tun"),
    ("铺", "pu"), ("坡", "po"), ("口", "kou"), ("园", "yuan"), ("堂", "tang"), ("坊", "fang"),
    ("湾", "wan"), ("沟", "gou"), ("埠", "bu"), ("滩", "tan"), ("庙", "miao"), ("阁", "ge"),
    ("岭", "ling"), ("寺", "si"), ("峪", "yu"), ("坪", "ping"), ("关", "guan"), ("洼", "wa"),
]  # fmt: skip
# Counties and cities: a first + a second syllable (+ 县, 区 or 市), unique in the province.
PLACE_FIRST = [
    ("青", "qing"), ("平", "ping"), ("安", "an"), ("宁", "ning"), ("永", "yong"), ("长", "chang"),
    ("临", "lin"), ("丰", "feng"), ("兴", "xing"), ("武", "wu"), ("德", "de"), ("华", "hua"),
    ("泰", "tai"), ("嘉", "jia"), ("宜", "yi"), ("东", "dong"), ("西", "xi"), ("南", "nan"),
    ("北", "bei"), ("新", "xin"), ("上", "shang"), ("固", "gu"), ("汝", "ru"), ("淮", "huai"),
    ("鹿", "lu"), ("桐", "tong"), ("柘", "zhe"), ("沁", "qin"), ("洛", "luo"), ("宝", "bao"),
    ("鸣", "ming"), ("云", "yun"), ("荣", "rong"), ("鄢", "yan"), ("卫", "wei"), ("汤", "tang"),
    ("温", "wen"), ("孟", "meng"), ("济", "ji"), ("正", "zheng"), ("博", "bo"), ("崇", "chong"),
    ("光", "guang"), ("金", "jin"), ("启", "qi"), ("瑞", "rui"), ("顺", "shun"), ("和", "he"),
    ("康", "kang"), ("乐", "le"),
]  # fmt: skip
PLACE_SECOND = [
    ("阳", "yang"), ("城", "cheng"), ("川", "chuan"), ("山", "shan"), ("河", "he"), ("江", "jiang"),
    ("水", "shui"), ("源", "yuan"), ("丘", "qiu"), ("陵", "ling"), ("台", "tai"), ("州", "zhou"),
    ("泉", "quan"), ("平", "ping"), ("康", "kang"), ("宁", "ning"), ("昌", "chang"), ("丰", "feng"),
    ("安", "an"), ("化", "hua"), ("林", "lin"), ("谷", "gu"), ("口", "kou"), ("湖", "hu"),
]  # fmt: skip


@dataclass(frozen=True)
class Layout:
    """The province's townships (sorted by code) and regions."""

    codes: list[str]
    names: list[str]
    names_en: list[str]
    county: np.ndarray  # township -> index into county_codes
    seat: np.ndarray  # True for each county's seat (城关镇)
    geometry: np.ndarray  # shapely geometries, one per township
    county_codes: list[str]
    county_names: list[tuple[str, str]]
    city_codes: list[str]  # one per county: its city
    regions: pl.DataFrame  # region_code, name, name_en: the province, its cities and counties


def hierarchy_sizes(n: int) -> tuple[int, int]:
    """Counties and cities for n townships (2,000 -> 133 counties in 12 cities)."""
    counties = max(1, round(n / TOWNSHIPS_PER_COUNTY))
    cities = min(counties, max(2, round(counties / COUNTIES_PER_CITY)))
    return counties, cities


def build_layout(rng: np.random.Generator, n: int) -> Layout:
    if not 20 <= n <= MAX_TOWNSHIPS:
        raise ValueError(f"--townships: expected 19 (the demo county) or 20-{MAX_TOWNSHIPS:,}, got {n}")
    n_counties, n_cities = hierarchy_sizes(n)
    size = float(np.sqrt(AREA_PER_TOWNSHIP))  # a township's width in degrees
    outline = _outline(rng, n)
    seeds = _relaxed_points(rng, outline, n)
    warp = _warp(rng, size)
    raw = _cells(seeds, outline)
    cells = _warped_cells(raw, seeds, outline, warp, size)
    centroids = shapely.get_coordinates(shapely.centroid(cells))
    neighbours = _adjacency(cells, raw)

    county = _grow(rng, centroids, neighbours, n_counties)
    county_xy = np.array([centroids[county == k].mean(axis=0) for k in range(n_counties)])
    county_neighbours = [set() for _ in range(n_counties)]
    for i, near in enumerate(neighbours):
        for j in near:
            if county[i] != county[j]:
                county_neighbours[county[i]].add(int(county[j]))
    sizes = np.bincount(county, minlength=n_counties).astype(float)
    city = _grow(rng, county_xy, [sorted(s) for s in county_neighbours], n_cities, weights=sizes)

    # Codes: cities by distance from the province's centre (01 is the capital), counties by
    # distance from their city's centre (the first a district 区 coded 02, then counties 21...).
    centre = centroids.mean(axis=0)
    city_xy = np.array([np.average(county_xy[city == c], axis=0, weights=sizes[city == c]) for c in range(n_cities)])
    city_rank = np.argsort(np.argsort(np.hypot(*(city_xy - centre).T), kind="stable"), kind="stable")
    names_used: set[str] = set()
    city_names = [_place_name(rng, names_used) for _ in range(n_cities)]
    county_code = [""] * n_counties
    county_name: list[tuple[str, str]] = [("", "")] * n_counties
    city_of_county = [""] * n_counties
    for c in range(n_cities):
        members = np.flatnonzero(city == c)
        members = members[np.argsort(np.hypot(*(county_xy[members] - city_xy[c]).T), kind="stable")]
        if len(members) > 80:
            raise ValueError(f"--townships: city of {len(members)} counties does not fit the codes")
        code = f"99{city_rank[c] + 1:02d}"
        for rank, k in enumerate(members):
            zh, en = _place_name(rng, names_used)
            county_code[k] = f"{code}{2 if rank == 0 else 20 + rank:02d}"
            county_name[k] = (zh + "区", en + " District") if rank == 0 else (zh + "县", en + " County")
            city_of_county[k] = code + "00"

    codes = [""] * n
    names = [""] * n
    names_en = [""] * n
    seat = np.zeros(n, dtype=bool)
    for k in range(n_counties):
        members = np.flatnonzero(county == k)
        members = members[np.argsort(np.hypot(*(centroids[members] - county_xy[k]).T), kind="stable")]
        seat[members[0]] = True
        is_town = np.r_[True, rng.random(len(members) - 1) < 0.6]
        used = {SEAT_NAME[0]}
        towns = townships = 0
        for rank, i in enumerate(members):
            zh, en = SEAT_NAME if rank == 0 else _township_name(rng, used)
            if is_town[rank]:
                towns += 1
                number, zh, en = 100 + towns, zh + "镇", en + " Town"
            else:
                townships += 1
                number, zh, en = 200 + townships, zh + "乡", en + " Township"
            codes[i], names[i], names_en[i] = f"{county_code[k]}{number:03d}000", zh, en

    order = np.argsort(codes, kind="stable")
    regions = pl.DataFrame(
        {
            "region_code": [PROVINCE_CODE] + [f"99{city_rank[c] + 1:02d}00" for c in range(n_cities)] + county_code,
            "name": [PROVINCE_NAME] + [zh + "市" for zh, _ in city_names] + [zh for zh, _ in county_name],
            "name_en": [PROVINCE_NAME_EN] + [en + " City" for _, en in city_names] + [en for _, en in county_name],
        }
    ).sort("region_code")
    county_order = np.argsort(county_code, kind="stable")
    new_index = np.empty(n_counties, dtype=np.int64)
    new_index[county_order] = np.arange(n_counties)
    return Layout(
        codes=[codes[i] for i in order],
        names=[names[i] for i in order],
        names_en=[names_en[i] for i in order],
        county=new_index[county[order]],
        seat=seat[order],
        geometry=cells[order],
        county_codes=[county_code[k] for k in county_order],
        county_names=[county_name[k] for k in county_order],
        city_codes=[city_of_county[k] for k in county_order],
        regions=regions,
    )


def _outline(rng: np.random.Generator, n: int) -> shapely.Polygon:
    """An irregular outline of about n townships' area: big lobes and smaller bays."""
    k = 360
    angles = np.linspace(0, 2 * np.pi, k, endpoint=False)
    radius = np.sqrt(n * AREA_PER_TOWNSHIP / (np.pi * 1.25))
    shape = np.ones(k)
    for window, amplitude in ((61, 0.16), (15, 0.05)):
        noise = rng.normal(0, 1, k + window)
        smooth = np.convolve(np.r_[noise, noise[:window]], np.ones(window) / window, mode="valid")[:k]
        shape += amplitude * smooth / np.abs(smooth).max()
    xs = CENTRE[0] + radius * shape * np.cos(angles) * 1.25
    ys = CENTRE[1] + radius * shape * np.sin(angles)
    return shapely.Polygon(np.column_stack([xs, ys])).buffer(0)


def _cells(points: np.ndarray, outline: shapely.Polygon) -> np.ndarray:
    """Voronoi cells of the points, in the points' order, not yet clipped."""
    diagram = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=outline.envelope.buffer(1), ordered=True)
    return shapely.get_parts(diagram)


def _clipped(cells: np.ndarray, outline) -> np.ndarray:
    """The cells cut to the outline; only those crossing it are cut (most lie inside)."""
    shapely.prepare(outline)
    out = cells.copy()
    crossing = ~shapely.within(cells, outline)
    out[crossing] = shapely.intersection(cells[crossing], outline)
    return out


def _relaxed_points(rng: np.random.Generator, outline: shapely.Polygon, n: int) -> np.ndarray:
    minx, miny, maxx, maxy = outline.bounds
    points = np.empty((0, 2))
    while len(points) < n:
        xy = rng.uniform((minx, miny), (maxx, maxy), size=(2 * n, 2))
        points = np.vstack([points, xy[shapely.contains_xy(outline, xy[:, 0], xy[:, 1])]])
    points = points[:n]
    for _ in range(3):  # Lloyd relaxation evens out the township sizes
        clipped = _clipped(_cells(points, outline), outline)
        points = shapely.get_coordinates(shapely.centroid(clipped))
    return points


def _warp(rng: np.random.Generator, size: float):
    """A smooth displacement of the plane: a few plane waves per axis, at about a township's
    width and a third of it. Its slope stays well under 1, so it folds nothing."""
    waves = []
    for wavelength, amplitude, count in ((size, 0.022 * size, 3), (size / 3, 0.004 * size, 4)):
        k = 2 * np.pi / wavelength
        for _axis in range(2):
            theta = rng.uniform(0, 2 * np.pi, count)
            phase = rng.uniform(0, 2 * np.pi, count)
            waves.append((k * np.cos(theta), k * np.sin(theta), phase, amplitude))

    def apply(xy: np.ndarray) -> np.ndarray:
        out = xy.copy()
        for index, (kx, ky, phase, amplitude) in enumerate(waves):
            axis = index % 2
            out[:, axis] += amplitude * np.sin(np.outer(xy[:, 0], kx) + np.outer(xy[:, 1], ky) + phase).sum(axis=1)
        return out

    return apply


def _warped_cells(raw: np.ndarray, seeds: np.ndarray, outline: shapely.Polygon, warp, size: float) -> np.ndarray:
    """The Voronoi cells ``raw`` with wiggly edges, clipped to the (equally wiggled) outline.

    Each edge of the diagram is drawn once (the noded linework), densified and warped, and the
    faces rebuilt; so neighbours share exactly the same vertices.
    """
    linework = shapely.union_all(shapely.boundary(raw))
    linework = shapely.transform(shapely.segmentize(linework, size / 9), warp)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(linework)))
    tree = shapely.STRtree(faces)
    seed_index, face_index = tree.query(shapely.points(warp(seeds)), predicate="within")
    cells = np.empty(len(seeds), dtype=object)
    cells[seed_index] = faces[face_index]
    if len(seed_index) != len(seeds) or any(c is None for c in cells):
        raise RuntimeError("demo province: a warped cell lost its seed")  # the warp never folds
    border = shapely.transform(shapely.segmentize(outline, size / 9), warp)
    clipped = _clipped(cells, shapely.make_valid(border))
    return np.array([_polygonal(c) for c in clipped], dtype=object)


def _polygonal(geom):
    """Only the polygons of a clip result (an edge-on touch can add a stray line or point)."""
    if isinstance(geom, shapely.Polygon | shapely.MultiPolygon):
        return geom
    parts = [p for p in shapely.get_parts(geom) if isinstance(p, shapely.Polygon) and not p.is_empty]
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def _adjacency(cells: np.ndarray, raw: np.ndarray) -> list[list[int]]:
    """For each cell, the cells sharing an edge with it (not just a corner).

    Cells that touch after clipping, whose straight Voronoi cells ``raw`` (a few vertices each,
    so cheap to intersect) share an edge: warping keeps who borders whom.
    """
    tree = shapely.STRtree(cells)
    left, right = tree.query(cells, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    shared = shapely.length(shapely.intersection(shapely.boundary(raw[left]), shapely.boundary(raw[right])))
    near: list[list[int]] = [[] for _ in cells]
    for i, j in zip(left[shared > 0].tolist(), right[shared > 0].tolist(), strict=True):
        near[i].append(j)
        near[j].append(i)
    return near


def _grow(
    rng: np.random.Generator,
    xy: np.ndarray,
    neighbours: list[list[int]],
    groups: int,
    weights: np.ndarray | None = None,
) -> np.ndarray:
    """Split units into ``groups`` connected groups of similar size (a group index per unit).

    Seeds are k-means centres of the units; then the group least filled against its own target
    (targets vary by +/-30 %) takes the unit on its border nearest its seed, until none is left.
    """
    n = len(xy)
    weights = np.ones(n) if weights is None else weights
    centres = xy[rng.choice(n, size=groups, replace=False)]
    for _ in range(8):
        nearest = np.argmin(((xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2), axis=1)
        centres = np.array(
            [xy[nearest == g].mean(axis=0) if (nearest == g).any() else centres[g] for g in range(groups)]
        )
    group = np.full(n, -1)
    seeds: list[int] = []
    for g in range(groups):
        distance = ((xy - centres[g]) ** 2).sum(axis=1)
        distance[seeds] = np.inf
        seeds.append(int(np.argmin(distance)))
        group[seeds[-1]] = g
    target = rng.uniform(0.7, 1.3, groups)
    target *= weights.sum() / target.sum()
    filled = weights[seeds].astype(float)
    border: list[set[int]] = [set(neighbours[s]) for s in seeds]
    heap = [(filled[g] / target[g], g) for g in range(groups)]
    heapq.heapify(heap)
    while heap:
        _, g = heapq.heappop(heap)
        border[g] = {u for u in border[g] if group[u] < 0}
        if not border[g]:
            continue  # enclosed by the others: this group is finished
        candidates = sorted(border[g])
        take = candidates[int(np.argmin(((xy[candidates] - xy[seeds[g]]) ** 2).sum(axis=1)))]
        group[take] = g
        filled[g] += weights[take]
        border[g].update(u for u in neighbours[take] if group[u] < 0)
        heapq.heappush(heap, (filled[g] / target[g], g))
    for u in np.flatnonzero(group < 0):  # a unit no group could reach (touching only at a corner)
        group[u] = int(np.argmin(((centres - xy[u]) ** 2).sum(axis=1)))
    return group


def _joined(parts: list[str]) -> str:
    """Pinyin syllables as one word: 'ping' + 'an' -> "Ping'an" (an apostrophe before a vowel)."""
    word = parts[0]
    for part in parts[1:]:
        word += ("'" if part[0] in "aeo" else "") + part
    return word.capitalize()


def _township_name(rng: np.random.Generator, used: set[str]) -> tuple[str, str]:
    while True:
        (a, pa), (b, pb) = (
            TOWN_PREFIXES[rng.integers(len(TOWN_PREFIXES))],
            TOWN_SUFFIXES[rng.integers(len(TOWN_SUFFIXES))],
        )
        if a + b not in used:
            used.add(a + b)
            return a + b, _joined([pa, pb])


def _place_name(rng: np.random.Generator, used: set[str]) -> tuple[str, str]:
    while True:
        (a, pa), (b, pb) = PLACE_FIRST[rng.integers(len(PLACE_FIRST))], PLACE_SECOND[rng.integers(len(PLACE_SECOND))]
        if a != b and a + b not in used:
            used.add(a + b)
            return a + b, _joined([pa, pb])
