"""Idempotent import of tools.yaml into the catalogue snippets.

A re-import creates what is new, updates what nobody touched, and keeps (and flags) rows edited
in the admin since the last import — never a duplicate.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction

from audits.models import Alternative, AlternativeTarget, Host, Phase, Tool, Usage
from audits.models.catalogue import CatalogueEntry, UsageQuestionnaireTool

DEFAULT_CATALOGUE = Path(__file__).resolve().parent / "data" / "tools.yaml"
DEFAULT_QUESTIONNAIRE = Path(__file__).resolve().parent / "data" / "questionnaire.yaml"


@dataclass
class ImportReport:
    counts: Counter = field(default_factory=Counter)
    kept_local: list[str] = field(default_factory=list)

    def note(self, model: type, outcome: str, label: str = "") -> None:
        self.counts[(model._meta.verbose_name_plural, outcome)] += 1
        if outcome == "kept_local":
            self.kept_local.append(f"{model._meta.verbose_name} « {label} »")

    def total(self, outcome: str) -> int:
        return sum(n for (_, o), n in self.counts.items() if o == outcome)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _upsert(
    model: type[CatalogueEntry],
    lookup: dict,
    values: dict,
    report: ImportReport,
    *,
    m2m: dict | None = None,
    targets: list[Tool] | None = None,
    extra: dict | None = None,
    on_write=None,
):
    """Create or update one row from the file, unless someone edited it here.

    `extra` adds values that are fingerprinted but written by `on_write(instance)`.
    """
    m2m = m2m or {}
    incoming = {**values, **{name: sorted(t.slug for t in tools) for name, tools in m2m.items()}}
    incoming.update(extra or {})
    for name, value in values.items():
        related = getattr(value, "slug", None) or getattr(value, "number", None)
        if related is not None:
            incoming[name] = related
    if targets is not None:
        incoming["to"] = [tool.slug for tool in targets]
    fingerprint = CatalogueEntry.fingerprint(incoming)

    instance = model.objects.filter(**lookup).first()
    if instance is not None and (instance.locally_edited or instance.differs_from_import):
        if not instance.locally_edited:
            model.objects.filter(pk=instance.pk).update(locally_edited=True)
        report.note(model, "kept_local", str(instance))
        return instance
    if instance is not None and instance.imported_fingerprint == fingerprint:
        report.note(model, "unchanged")
        return instance

    outcome = "updated" if instance is not None else "created"
    instance = instance or model(**lookup)
    for name, value in values.items():
        setattr(instance, name, value)
    instance.imported_fingerprint = fingerprint
    instance.save()
    for name, tools in m2m.items():
        getattr(instance, name).set(tools)
    if targets is not None:
        instance.targets.all().delete()
        AlternativeTarget.objects.bulk_create(
            AlternativeTarget(alternative=instance, tool=tool, sort_order=order)
            for order, tool in enumerate(targets)
        )
    if on_write is not None:
        on_write(instance)
    report.note(model, outcome)
    return instance


def questionnaire_tool_options(questionnaire: dict | None) -> dict[str, list[list[str]]]:
    """Usage slug → [[tool slug, label or ""], …] from the tools-by-usage question."""
    options: dict[str, list[list[str]]] = {}
    for question in (questionnaire or {}).get("questions", []):
        if question.get("key") != "tools_by_usage":
            continue
        for row in question.get("choices") or []:
            options[row["value"]] = [
                [option["value"], _text(option.get("label_fr"))]
                for option in row.get("options", [])
                if option["value"] not in {"autre", "aucun"}
            ]
    return options


@transaction.atomic
def import_catalogue(data: dict, questionnaire: dict | None = None) -> ImportReport:
    """Import tools.yaml (and the tool grid of questionnaire.yaml, the shipped one by default)."""
    report = ImportReport()
    if questionnaire is None:
        questionnaire = load_catalogue_file(DEFAULT_QUESTIONNAIRE)
    names = {entry["slug"]: _text(entry.get("name")) for entry in data.get("tools", [])}
    grid = {
        usage: [
            [slug, "" if label == names[slug] else label] for slug, label in rows if slug in names
        ]
        for usage, rows in questionnaire_tool_options(questionnaire).items()
    }
    pending_grids: dict[str, Usage] = {}
    phases = {}
    for entry in data.get("phases", []):
        phases[entry["number"]] = _upsert(
            Phase,
            {"number": entry["number"]},
            {
                "title": _text(entry.get("title_fr")),
                "title_en": _text(entry.get("title_en")),
                "timing": _text(entry.get("timing")),
                "content": _text(entry.get("content_fr")),
                "change_management": _text(entry.get("change_management_fr")),
            },
            report,
        )
    usages = {}
    for order, entry in enumerate(data.get("usages", [])):
        usages[entry["slug"]] = _upsert(
            Usage,
            {"slug": entry["slug"]},
            {
                "label": _text(entry.get("label_fr")),
                "label_en": _text(entry.get("label_en")),
                "default_phase": phases[entry["default_phase"]],
                "difficulty": int(entry.get("difficulty") or 3),
                "data_to_migrate": _text(entry.get("data_to_migrate")),
                "habit_change": _text(entry.get("habit_change")),
                "external_dependency": _text(entry.get("external_dependency_fr")),
                "scope": _text(entry.get("scope_fr")),
                "in_questionnaire": bool(entry.get("in_questionnaire")),
                "note": _text(entry.get("note")),
            },
            report,
            extra={"questionnaire_tools": grid[entry["slug"]]} if grid.get(entry["slug"]) else None,
            on_write=lambda usage: pending_grids.__setitem__(usage.slug, usage),
        )
        Usage.objects.filter(pk=usages[entry["slug"]].pk).update(sort_order=order)
    tools = {}
    for entry in data.get("tools", []):
        tools[entry["slug"]] = _upsert(
            Tool,
            {"slug": entry["slug"]},
            {
                "name": _text(entry.get("name")),
                "vendor": _text(entry.get("vendor")),
                "vendor_country": _text(entry.get("vendor_country")),
                "cloud_act": entry.get("cloud_act"),
                "open_source": entry.get("open_source"),
                "la_suite": bool(entry.get("la_suite")),
                "eligibility": _text(entry.get("eligibility")),
                "underlying": _text(entry.get("underlying")),
                "licence": _text(entry.get("licence")),
                "url": _text(entry.get("url")),
                "source": _text(entry.get("source")),
                "note": _text(entry.get("note")),
            },
            report,
            m2m={"usages": [usages[slug] for slug in entry.get("usages", [])]},
        )
    # The grid names tools, so it is written once they exist.
    for slug, usage in pending_grids.items():
        UsageQuestionnaireTool.objects.filter(usage=usage).delete()
        UsageQuestionnaireTool.objects.bulk_create(
            UsageQuestionnaireTool(
                usage=usage, tool=tools[tool_slug], label=label, sort_order=order
            )
            for order, (tool_slug, label) in enumerate(grid.get(slug, []))
        )
    for entry in data.get("hosts", []):
        _upsert(
            Host,
            {"slug": entry["slug"]},
            {
                "name": _text(entry.get("name")),
                "country": _text(entry.get("country")),
                "secnumcloud": _text(entry.get("secnumcloud")),
                "kind": _text(entry.get("kind")),
                "typical_use": _text(entry.get("typical_use_fr")),
                "note": _text(entry.get("note")),
                "source": _text(entry.get("source")),
            },
            report,
        )
    for entry in data.get("alternatives", []):
        _upsert(
            Alternative,
            {"from_tool": tools[entry["from"]], "usage": usages[entry["usage"]]},
            {"note": _text(entry.get("note_fr"))},
            report,
            targets=[tools[slug] for slug in entry.get("to", [])],
        )
    return report


def load_catalogue_file(path: Path | str = DEFAULT_CATALOGUE) -> dict:
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)
