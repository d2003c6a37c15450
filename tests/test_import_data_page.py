"""The Data page: live extract facts, completeness heatmap, and the admin-only upload."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from natality.core import extract
from natality.importing import importer
from natality.versions import view as data_view
from tests.apptest_pages import open_data_page
from tests.import_fixtures import CODES, build_tiny_extract, copy_extract

DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard.py"


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    return build_tiny_extract(tmp_path_factory.mktemp("tiny"))


@pytest.fixture
def ext(template, tmp_path, monkeypatch):
    out = copy_extract(template, tmp_path / "data")
    monkeypatch.setenv("NATALITY_DATA", str(out))
    monkeypatch.delenv("NATALITY_ADMIN_PASSWORD", raising=False)
    return out


def data_app(lang: str, **params) -> AppTest:
    at = AppTest.from_file(str(DASHBOARD), default_timeout=120)
    at.query_params["lang"] = lang
    for key, value in params.items():
        at.query_params[key] = str(value)
    at.run()
    at.switch_page("pages/data.py")
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    return at


def heatmap(at: AppTest) -> list[dict]:
    return json.loads(at.get("plotly_chart")[0].proto.spec)["data"]


@pytest.mark.parametrize(
    ("lang", "title", "gap_caption"),
    [
        ("zh", "数据管理", "2024年1-2月共有 1 个“乡镇-月”没有任何出生记录。"),
        ("en", "Data", "township-month(s) have no birth records at all."),
    ],
)
def test_data_page_shows_the_live_extract_and_its_gaps(ext, lang, title, gap_caption):
    at = data_app(lang, year=2024)
    assert at.title[0].value == title
    facts = at.dataframe[0].value
    assert extract.read_manifest(ext)["version"] in facts.iloc[:, 1].tolist()
    assert [m.value for m in at.metric] == ["3", "6"]  # townships, births count rows
    traces = heatmap(at)
    counts, gaps = traces[0]["z"], traces[1]["z"]
    # Jan: 城关镇 2, 王店乡 1, 东区 0 (a gap); Feb: 1, 1, 1 (tiny fixture, worked out by hand)
    assert counts == [[2, 1], [1, 1], [None, 1]]
    assert gaps == [[None, None], [None, None], [1, None]]
    assert any(gap_caption in c.value for c in at.caption)
    assert not at.get("file_uploader") and not at.text_input  # no password configured: no upload form


def test_personal_columns_are_listed(ext, tmp_path):
    births = tmp_path / "b.csv"
    births.write_bytes(
        f"姓名,身份证号,乡镇代码,出生日期,性别\n张三,411621199001011234,{CODES[0]},2024-03-05,男\n".encode("gbk")
    )
    assert importer.main(["--out", str(ext), "--births", str(births)]) == 0
    at = data_app("en")
    assert any("b.csv: 姓名、b.csv: 身份证号" in c.value for c in at.caption)


def test_upload_form_only_with_a_password_and_wrong_password_is_refused(ext, monkeypatch):
    at = open_data_page(None, monkeypatch)
    assert len(at.get("file_uploader")) == len(data_view.UPLOAD_SLOTS)
    at.text_input(key="data_password").input("wrong")
    at.button[0].click()
    at.run()
    assert [e.value for e in at.error] == ["Wrong password."]


def test_upload_runs_the_same_import_with_the_same_messages(ext, tmp_path, capsys):
    before = extract.read_manifest(ext)["version"]
    bad = f"乡镇代码,出生日期,性别\n{CODES[0]},2024-03-05,X\n".encode()
    ok, message = data_view.run_upload({"births": ("出生.csv", bad)}, ext, False, "en")
    path = tmp_path / "出生.csv"
    path.write_bytes(bad)
    assert importer.main(["--out", str(ext), "--births", str(path), "--lang", "en"]) == 2
    assert (ok, message) == (False, capsys.readouterr().err.strip())
    assert extract.read_manifest(ext)["version"] == before

    good = f"乡镇代码,年份,指标,目标值\n{CODES[0]},2025,出生率,7.1\n".encode()
    ok, message = data_view.run_upload({"targets": ("targets.csv", good)}, ext, False, "zh")
    assert ok and message.startswith("导入完成：新版本 v")
    assert extract.read_manifest(ext)["version"] != before


def test_the_running_app_picks_up_a_new_version_without_restart(ext, tmp_path):
    at = data_app("en", year=2024)
    first = extract.read_manifest(ext)["version"]
    assert first in at.dataframe[0].value.iloc[:, 1].tolist()
    births = tmp_path / "b.csv"
    births.write_text(f"乡镇代码,出生日期,性别\n{CODES[2]},2024-01-05,女\n", encoding="utf-8")
    assert importer.main(["--out", str(ext), "--births", str(births), "--months-only"]) == 0
    at.run()
    assert not at.exception
    second = extract.read_manifest(ext)["version"]
    assert second != first and second in at.dataframe[0].value.iloc[:, 1].tolist()
    # --months-only replaced all of January: only 东区 has January births now, the others show gaps.
    assert heatmap(at)[1]["z"] == [[1, None], [1, None], [None, None]]


SHOTS_TMP = Path("/tmp/shots")


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_data_page_in_the_browser(streamlit_server, browser_page, lang):
    from tests.conftest import assert_no_exception, wait_for_app

    SHOTS_TMP.mkdir(parents=True, exist_ok=True)
    # Open the app's entry first: a first-ever request for /data runs the page without the router
    # (Streamlit's pages/ directory fallback), which is the lead's to fix, not this test's.
    browser_page.goto(f"{streamlit_server}/?lang={lang}")
    wait_for_app(browser_page)
    browser_page.goto(f"{streamlit_server}/data?lang={lang}&year=2026")
    wait_for_app(browser_page)
    browser_page.wait_for_selector(".js-plotly-plot .main-svg", timeout=30_000)
    browser_page.wait_for_timeout(1000)
    assert_no_exception(browser_page)
    assert browser_page.locator("h1").first.inner_text() == {"zh": "数据管理", "en": "Data"}[lang]
    assert browser_page.locator("[data-testid='stFileUploader']").count() == 0
    browser_page.screenshot(path=str(SHOTS_TMP / f"data_{lang}.png"), full_page=True)


@pytest.mark.browser
def test_upload_in_the_browser_shows_the_import_messages(template, tmp_path, monkeypatch, browser_page):
    from tests.conftest import start_streamlit, wait_for_app

    out = copy_extract(template, tmp_path / "data")
    monkeypatch.setenv("NATALITY_ADMIN_PASSWORD", "s3cret")
    proc, url = start_streamlit(out, tmp_path / "streamlit.log")
    try:
        bad = tmp_path / "出生登记.csv"
        bad.write_bytes(
            f"乡镇代码,出生日期,性别\n{CODES[0]},2024-02-30,男\n411621199000,2024-03-05,女\n".encode("gb18030")
        )
        browser_page.goto(f"{url}/?lang=zh")
        wait_for_app(browser_page)
        browser_page.goto(f"{url}/data?lang=zh")
        wait_for_app(browser_page)
        browser_page.get_by_label("管理员密码").first.fill("s3cret")
        browser_page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(bad))
        browser_page.wait_for_timeout(1000)
        browser_page.get_by_role("button", name="导入").click()
        browser_page.wait_for_selector("[data-testid='stAlertContentError']", timeout=60_000)
        browser_page.wait_for_timeout(800)
        text = browser_page.locator("[data-testid='stCode']").inner_text()
        assert "出生登记.csv，第 2 行，“出生日期”列：值为“2024-02-30”" in text
        assert "出生登记.csv，第 3 行，“乡镇代码”列：值为“411621199000”" in text
        SHOTS_TMP.mkdir(parents=True, exist_ok=True)
        browser_page.screenshot(path=str(SHOTS_TMP / "data_upload_zh.png"), full_page=True)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_data_page_lists_a_regions_file_among_the_sources(ext, tmp_path):
    (tmp_path / "地区.csv").write_text("地区代码,名称,英文名称\n411621,测试县,Test County\n", encoding="utf-8")
    assert importer.main(["--out", str(ext), "--regions", str(tmp_path / "地区.csv"), "--lang", "en"]) == 0
    at = data_app("en")
    sources = next(d.value for d in at.dataframe if "Source file" in d.value.columns)
    assert ("Region names", "地区.csv") in list(zip(sources["Table"], sources["Source file"], strict=True))
