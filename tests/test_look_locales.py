"""Every message has exactly a Chinese and an English text: an unquoted comma in a YAML flow
mapping (``{zh: ..., en: Births per 1,000 people}``) cut the English at the comma and made the
rest a key of its own."""

from __future__ import annotations

from pathlib import Path

import yaml

from natality.core.i18n import t

LOCALES = Path(__file__).resolve().parents[1] / "natality" / "core" / "locales"


def test_every_message_has_exactly_zh_and_en_strings():
    bad = []
    for path in sorted(LOCALES.glob("*.yaml")):
        for key, value in yaml.safe_load(path.read_text(encoding="utf-8")).items():
            whole = isinstance(value, dict) and set(value) == {"zh", "en"}
            if not whole or not all(isinstance(v, str) and v for v in value.values()):
                bad.append(f"{path.name}: {key}: {value!r}")
    assert not bad, "\n".join(bad)


def test_the_english_texts_once_cut_at_a_comma_are_whole():
    assert t("compare.unit.birth_rate", "en") == "Births per 1,000 people (‰)"
    assert t("compare.map_few.srb", "en") == "Under 100 births, not judged"
    assert t("share.qr_caption", "en") == "Same page, same choices."
    assert t("export.image_portrait", "en") == "Portrait (chat group, 1080 wide)"
    assert t("data.upload_mapping", "en") == "Column mapping (YAML, optional)"


def test_the_demo_banner_fits_a_province_too():
    # the demo province showed "本县" / "the county" in its sidebar
    assert "县" not in t("app.synthetic_banner", "zh") and "county" not in t("app.synthetic_banner", "en")
