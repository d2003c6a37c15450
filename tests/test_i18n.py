"""Every message exists in both languages; language detection from locale and URL."""

import os

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


def test_the_catalogue_is_read_from_its_json_copy_while_the_yaml_is_unchanged(tmp_path, monkeypatch):
    """The checked catalogue is kept as JSON in locales/__pycache__ and read from there by later
    processes; a YAML file changed in its bytes (even at the same size and time) is read again."""
    yaml_file = tmp_path / "a.yaml"
    yaml_file.write_text("x.ok: {zh: 好, en: OK}\n", encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    i18n.catalogue.cache_clear()
    try:
        assert i18n.catalogue() == {"x.ok": {"zh": "好", "en": "OK"}}
        (copy,) = (tmp_path / "__pycache__").glob("catalogue-*.json")
        copy.write_text('{"x.ok": {"zh": "拷", "en": "copy"}}', encoding="utf-8")  # marks the copy as read
        i18n.catalogue.cache_clear()
        assert i18n.catalogue() == {"x.ok": {"zh": "拷", "en": "copy"}}
        stamp = yaml_file.stat()
        yaml_file.write_text("x.ok: {zh: 坏, en: KO}\n", encoding="utf-8")  # the same size
        os.utime(yaml_file, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # and the same time
        i18n.catalogue.cache_clear()
        assert i18n.catalogue() == {"x.ok": {"zh": "坏", "en": "KO"}}
        assert [p.name for p in (tmp_path / "__pycache__").iterdir()] != [copy.name]  # the old copy replaced
        assert len(list((tmp_path / "__pycache__").iterdir())) == 1
    finally:
        i18n.catalogue.cache_clear()
