"""A note typed into the real app in Chromium: saved, shown beside its chart as the very characters
typed (a script, an HTML tag and Markdown stay text), and nothing of it runs."""

from __future__ import annotations

import pytest

from natality.core import notes
from tests.conftest import assert_no_exception, start_streamlit, wait_for_app
from tests.test_notes import tiny

SCRIPT = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\"> **not bold**"


@pytest.mark.browser
def test_a_note_with_script_text_is_shown_literally(chromium, tmp_path):
    data = tiny(tmp_path / "x")
    proc, url = start_streamlit(data, tmp_path / "notes.log")
    context = chromium.new_context(viewport={"width": 1440, "height": 1000}, locale="zh-CN")
    dialogs: list[str] = []
    try:
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{url}/?lang=zh&year=2024")
        wait_for_app(page)
        assert_no_exception(page)
        notes_box = page.locator("[data-testid='stExpander']").filter(has_text="批注").first
        notes_box.locator("summary").click()
        notes_box.get_by_label("您的姓名（本次使用只需填写一次）").fill("王主任")
        notes_box.get_by_label("批注内容").fill(SCRIPT)
        notes_box.get_by_role("button", name="添加批注").click()
        page.get_by_text("批注（1条）").wait_for(timeout=30_000)
        wait_for_app(page)
        assert_no_exception(page)
        shown = page.get_by_text(SCRIPT, exact=True)
        shown.wait_for(timeout=30_000)
        assert shown.count() == 1
        assert page.title() != "pwned" and not dialogs
        # Nothing of the note became markup: no script or image element from it, no bold text.
        assert page.evaluate("() => [...document.scripts].some(s => s.text.includes('pwned'))") is False
        assert page.locator("img[src='x']").count() == 0
        assert page.locator("strong", has_text="not bold").count() == 0
        (saved,) = notes.notes_for_year(data, 2024)
        assert (saved.author, saved.body, saved.chart) == ("王主任", SCRIPT, "overview_trend")

        # Reloaded in a new session, the note is still beside its chart, still text.
        page.goto(f"{url}/?lang=en&year=2024")
        wait_for_app(page)
        page.get_by_text("Notes (1)").click()
        page.get_by_text(SCRIPT, exact=True).wait_for(timeout=30_000)
        assert page.title() != "pwned" and not dialogs
    finally:
        context.close()
        proc.terminate()
        proc.wait(timeout=10)
