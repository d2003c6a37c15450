"""The scoring rules in words for the Scorecard page: each indicator's target, how it is judged and
what it earns, in Chinese and English (a table in Markdown)."""

from __future__ import annotations

from natality.core.i18n import t
from natality.scorecard.indicators import Indicator, Registry
from natality.scorecard.reasons import basis_text


def rules_markdown(registry: Registry, lang: str, months: int = 12, fraction: float | None = None) -> str:
    """The scoring rules in plain words, generated from the registry so they never drift from it."""
    classes = "；".join if lang == "zh" else "; ".join
    items = [t("scorecard.rules.class_item", lang, name=c.name[lang], min=f"{c.min_score:g}") for c in registry.classes]
    if len(registry.classes) > 1:  # the last class starts at 0: say "below the one above" instead
        last, above = registry.classes[-1], registry.classes[-2]
        items[-1] = t("scorecard.rules.class_last", lang, name=last.name[lang], max=f"{above.min_score:g}")
    class_text = classes(items)
    vetoes = [ind.name[lang] for ind in registry.indicators if ind.veto]
    intervals = [ind.name[lang] for ind in registry.indicators if ind.judge == "interval"]
    sep = "、" if lang == "zh" else ", "
    lines = [
        t(f"scorecard.rules.credit_{_credit_rule(registry)}", lang),
        t("scorecard.rules.not_judged", lang),
        t("scorecard.rules.interval", lang, names=sep.join(intervals)) if intervals else "",
        t(
            "scorecard.rules.veto",
            lang,
            names=sep.join(vetoes),
            veto_class=registry.score_class(registry.veto_class).name[lang],
        )
        if vetoes
        else "",
        t("scorecard.rules.classes", lang, classes=class_text),
        t("scorecard.rules.rank", lang),
        t("scorecard.rules.partial", lang, months=months, basis=basis_text(months, fraction or months / 12, lang))
        if months < 12
        else "",
    ]
    head = t("scorecard.rules.table_head", lang)
    rows = []
    for ind in registry.indicators:
        directions = sep.join(
            (f"{year}–: " if len(ind.directions) > 1 else "") + t(f"scorecard.rules.direction_{d}", lang)
            for year, d in ind.directions
        )
        rows.append(
            f"| {ind.name[lang]} | {ind.unit[lang]} | {directions} | {ind.weight:g} | "
            f"{t(f'scorecard.rules.judge_{ind.judge}', lang)} | {credit_text(ind, lang)} | "
            f"{ind.min_denominator:,.0f} | "
            f"{t('scorecard.rules.yes' if ind.veto else 'scorecard.rules.no', lang)} |"
        )
    return "\n".join(f"- {line}" for line in lines if line) + "\n\n" + head + "\n" + "\n".join(rows)


def _credit_rule(registry: Registry) -> str:
    """all_or_nothing or proportional when every indicator follows it, else mixed."""
    rules = {ind.credit for ind in registry.indicators}
    return rules.pop() if len(rules) == 1 else "mixed"


def credit_text(ind: Indicator, lang: str) -> str:
    """What a missed indicator earns: 'none', 'value vs target', 'partial, none at 10 points short'."""
    if ind.credit != "proportional":
        return t("scorecard.rules.credit_none", lang)
    if ind.floor is None:
        return t("scorecard.rules.credit_ratio", lang)
    kind, amount = ind.floor
    unit = t("scorecard.rules.pct_points", lang) if ind.unit["en"] == "%" else ind.unit[lang]
    return t(f"scorecard.rules.credit_floor_{kind}", lang, n=f"{amount:g}", unit=unit)
