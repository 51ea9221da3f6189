"""Read-only views of the catalogue for the questionnaire grid and for scoring."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import pgettext_lazy

from audits import scoring
from audits.logos import Badge, badge_for
from audits.models import Alternative, AlternativeTarget, Phase, Tool, Usage
from audits.models.catalogue import UsageQuestionnaireTool
from config.languages import english_active, localized

OTHER_LABEL = pgettext_lazy("outil", "Autre")
NONE_LABEL = pgettext_lazy("outil", "Aucun")


@dataclass(frozen=True)
class GridOption:
    value: str
    label: str
    badge: Badge | None = None

    @property
    def is_special(self) -> bool:
        return self.value in (scoring.OTHER, scoring.NONE)


@dataclass(frozen=True)
class GridRow:
    usage: str
    label: str
    options: tuple[GridOption, ...]

    def labels(self) -> dict[str, str]:
        return {option.value: option.label for option in self.options}


def questionnaire_grid() -> list[GridRow]:
    """The rows of the "tools by usage" question: usages in the questionnaire, their tools
    (the curated list, else the tools the catalogue knows an alternative for), autre, aucun."""
    usages = Usage.objects.filter(in_questionnaire=True).prefetch_related(
        Prefetch(
            "questionnaire_tools",
            queryset=UsageQuestionnaireTool.objects.select_related("tool").order_by("sort_order"),
        )
    )
    rows = []
    fallback = None
    for usage in usages:
        tools = [(row.tool, row.label or row.tool.name) for row in usage.questionnaire_tools.all()]
        if not tools:
            if fallback is None:
                fallback = {}
                for alternative in Alternative.objects.select_related("from_tool").order_by(
                    "from_tool__name"
                ):
                    fallback.setdefault(alternative.usage_id, []).append(alternative.from_tool)
            tools = [(tool, tool.name) for tool in fallback.get(usage.pk, [])]
        options = [
            GridOption(tool.slug, label, badge_for(tool.slug, tool.name)) for tool, label in tools
        ]
        options += [
            GridOption(scoring.OTHER, str(OTHER_LABEL)),
            GridOption(scoring.NONE, str(NONE_LABEL)),
        ]
        rows.append(GridRow(usage.slug, usage.display_label, tuple(options)))
    return rows


def scoring_catalogue(tool_slugs: set[str] | None = None) -> scoring.Catalogue:
    """A snapshot of the catalogue for `scoring.score_answers` (only the tools it needs)."""
    usages = {
        usage.slug: scoring.UsageInfo(
            slug=usage.slug,
            label=usage.display_label,
            phase=usage.default_phase.number,
            difficulty=usage.difficulty,
            weight=scoring.WEIGHTS.get(usage.data_to_migrate, 2),
        )
        for usage in Usage.objects.select_related("default_phase")
    }
    alternatives_qs = Alternative.objects.select_related("from_tool", "usage").prefetch_related(
        Prefetch("targets", queryset=AlternativeTarget.objects.select_related("tool"))
    )
    if tool_slugs is not None:
        alternatives_qs = alternatives_qs.filter(from_tool__slug__in=tool_slugs)
    alternatives = {}
    needed = set(tool_slugs or ())
    for alternative in alternatives_qs:
        targets = tuple(target.tool.slug for target in alternative.targets.all())
        alternatives[(alternative.from_tool.slug, alternative.usage.slug)] = targets
        needed.update(targets)
    tools_qs = Tool.objects.all() if tool_slugs is None else Tool.objects.filter(slug__in=needed)
    tools = {
        tool.slug: scoring.ToolInfo(
            slug=tool.slug,
            name=tool.name,
            vendor=tool.vendor,
            vendor_country=tool.vendor_country,
            cloud_act=tool.cloud_act,
            open_source=tool.open_source,
            la_suite=tool.la_suite,
        )
        for tool in tools_qs
    }
    # In English, the phases' English titles; their timings are French text, left out.
    phases = {
        phase.number: scoring.PhaseInfo(
            phase.number,
            localized(phase.title, phase.title_en),
            "" if english_active() else phase.timing,
        )
        for phase in Phase.objects.all()
    }
    return scoring.Catalogue(tools=tools, usages=usages, alternatives=alternatives, phases=phases)
