"""Every message exists in both languages; language detection from locale and URL."""

import pytest

from natality.core import i18n


def test_every_key_has_chinese_and_english():
    cat = i18n.catalogue()
    assert len(cat) > 50
    for key, texts in cat.items():
        assert texts["zh"].strip() and texts["en"].strip(), key


@pytest.mark.parametrize(
    ("given", "expected"),
    [("zh-CN", "zh"), ("zh_Hans", "zh"), ("zh", "zh"), ("en-GB", "en"), ("fr-FR", None), ("", None), (None, None)],
)
def test_normalise_lang(given, expected):
    assert i18n.normalise_lang(given) == expected


def test_formatting_and_unknown_keys():
    assert i18n.t("app.cutoff", "zh", month="2026年9月") == "数据截至 2026年9月"
    assert i18n.t("app.cutoff", "en", month="2026-09") == "Data up to 2026-09"
    with pytest.raises(KeyError):
        i18n.t("no.such.key", "zh")


def test_duplicate_key_is_refused(tmp_path, monkeypatch):
    (tmp_path / "a.yaml").write_text("x.k: {zh: 甲, en: A}\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("x.k: {zh: 乙, en: B}\n", encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    i18n.catalogue.cache_clear()
    try:
        with pytest.raises(i18n.CatalogueError, match="defined twice"):
            i18n.catalogue()
    finally:
        i18n.catalogue.cache_clear()


@pytest.mark.parametrize(
    "entry",
    [
        "x.k: {zh: 甲}\n",  # no English
        "x.k: {en: A}\n",  # no Chinese
        "x.k: {zh: 甲, en: 12}\n",  # a number, not a text
        "x.k: 甲\n",  # one text for both
    ],
)
def test_a_message_missing_a_language_is_refused(tmp_path, monkeypatch, entry):
    (tmp_path / "a.yaml").write_text("x.ok: {zh: 好, en: OK}\n" + entry, encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    i18n.catalogue.cache_clear()
    try:
        with pytest.raises(i18n.CatalogueError, match=r"a.yaml: key 'x.k' needs a text for each of \('zh', 'en'\)"):
            i18n.catalogue()
        (tmp_path / "a.yaml").write_text("x.ok: {zh: 好, en: OK}\n", encoding="utf-8")
        i18n.catalogue.cache_clear()
        assert i18n.catalogue() == {"x.ok": {"zh": "好", "en": "OK"}}  # the same file without it loads
    finally:
        i18n.catalogue.cache_clear()
