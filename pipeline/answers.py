"""Questionnaire answers and score, made readable for consultants.

Answers are keyed by `maps_to` (audits.mapping.MapsTo). Values may be option slugs, lists,
booleans or, for `tools_by_usage`, {usage_slug: [tool_slug, …]}; labels come from MapsTo, from
the questionnaire's options (audits/data/questionnaire.yaml) and from the tool catalogue.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audits.mapping import MapsTo

# Shown in the contacts and summary panels rather than among the answers.
IDENTITY_KEYS = (
    "organisation_name",
    "contact_name",
    "role",
    "email",
    "phone",
    "postcode",
    "siren",
    "consent_contact",
    "consent_newsletter",
)


@dataclass
class AnswerRow:
    key: str
    label: str
    value: str = ""
    items: list[tuple[str, str]] = field(default_factory=list)  # (usage, tools) pairs


@lru_cache(maxsize=1)
def _questionnaire() -> dict[str, dict[str, Any]]:
    path = Path(settings.BASE_DIR) / "audits" / "data" / "questionnaire.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {}
    questions = {}
    for question in data.get("questions") or []:
        if not isinstance(question, dict) or not question.get("key"):
            continue
        options: dict[str, str] = {}
        sub_options: dict[str, dict[str, str]] = {}
        for choice in question.get("choices") or []:
            if not isinstance(choice, dict):
                continue
            value = str(choice.get("value", ""))
            options[value] = str(choice.get("label_fr") or value)
            for option in choice.get("options") or []:
                if isinstance(option, dict):
                    sub_options.setdefault(value, {})[str(option.get("value", ""))] = str(
                        option.get("label_fr") or option.get("value", "")
                    )
        questions[question["key"]] = {
            "label": question.get("label_fr", ""),
            "options": options,
            "sub_options": sub_options,
            "number": question.get("number", 999),
        }
    return questions


def _label(key: str) -> str:
    try:
        return str(MapsTo(key).label)
    except ValueError:
        return _questionnaire().get(key, {}).get("label") or key.replace("_", " ").capitalize()


def _scalar(value: Any, options: dict[str, str]) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("Oui") if value else _("Non")
    if isinstance(value, datetime.date):
        return date_format(value, "j F Y")
    text = str(value)
    return options.get(text, text)


def answer_rows(answers: dict[str, Any], *, identity: bool = False) -> list[AnswerRow]:
    """Answers in questionnaire order; identity keys only when `identity` is True."""
    if not isinstance(answers, dict):
        return []
    questions = _questionnaire()
    mapsto_order = {value: index for index, value in enumerate(MapsTo.values)}

    def order(key: str):
        return (questions.get(key, {}).get("number", 999), mapsto_order.get(key, 999), key)

    keys = [k for k in answers if (k in IDENTITY_KEYS) == identity]
    tool_slugs, usage_slugs = set(), set()
    for key in keys:
        if isinstance(answers[key], dict):
            usage_slugs |= {str(u) for u in answers[key]}
            for tools in answers[key].values():
                tool_slugs |= {str(t) for t in (tools if isinstance(tools, list) else [tools])}
    tool_names, usage_labels = _catalogue_names(tool_slugs, usage_slugs)

    rows = []
    for key in sorted(keys, key=order):
        value = answers[key]
        question = questions.get(key, {})
        options = question.get("options", {})
        row = AnswerRow(key=key, label=_label(key))
        if isinstance(value, dict):
            for usage, tools in value.items():
                usage = str(usage)
                tools = tools if isinstance(tools, list) else [tools]
                sub = question.get("sub_options", {}).get(usage, {})
                names = [tool_names.get(str(t)) or sub.get(str(t)) or str(t) for t in tools]
                row.items.append(
                    (
                        usage_labels.get(usage) or options.get(usage, usage),
                        ", ".join(names) or "—",
                    )
                )
        elif isinstance(value, list | tuple):
            row.value = ", ".join(_scalar(v, options) for v in value) or "—"
        else:
            row.value = _scalar(value, options)
        rows.append(row)
    return rows


def _catalogue_names(tool_slugs: set[str], usage_slugs: set[str]):
    if not tool_slugs and not usage_slugs:
        return {}, {}
    from audits.models import Tool, Usage

    tools = dict(Tool.objects.filter(slug__in=tool_slugs).values_list("slug", "name"))
    usages = dict(Usage.objects.filter(slug__in=usage_slugs).values_list("slug", "label"))
    return tools, usages


@dataclass
class ScoreView:
    score: int | None
    level: str = ""
    summary: str = ""
    factors: list[tuple[str, str]] = field(default_factory=list)

    @property
    def tone(self) -> str:
        if self.score is None:
            return "none"
        return "high" if self.score >= 70 else "medium" if self.score >= 40 else "low"


def score_view(score: int | None, details: Any) -> ScoreView:
    """The score and what we can read from its details, whatever their exact shape."""
    view = ScoreView(score=score)
    if not isinstance(details, dict):
        return view
    for key in ("level_label", "label", "level"):
        if isinstance(details.get(key), str):
            view.level = details[key]
            break
    for key in ("summary", "explanation", "comment"):
        if isinstance(details.get(key), str):
            view.summary = details[key]
            break
    for key in ("factors", "items", "reasons", "breakdown", "components", "details"):
        value = details.get(key)
        if isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    label = item.get("label") or item.get("name") or item.get("key") or "—"
                    points = item.get("points", item.get("value", item.get("score", "")))
                    view.factors.append((str(label), _points(points)))
                elif isinstance(item, str):
                    view.factors.append((item, ""))
            break
        if isinstance(value, dict):
            view.factors = [(str(k), _points(v)) for k, v in value.items()]
            break
    return view


def _points(value: Any) -> str:
    if isinstance(value, bool) or value in (None, ""):
        return ""
    if isinstance(value, int | float):
        return f"{value:+g}".replace(".", ",")
    return str(value)
