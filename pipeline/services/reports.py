"""Pipeline reports: funnel, time in stage, lost reasons, by owner and by organisation type.

Read-only; a fixed number of queries whatever the size of the pipeline.

Definitions (also shown on the report page):
- cohort: engagements created during the period; the funnel and the breakdowns describe it;
- an engagement has *reached* a stage when it entered that stage or any later one (booking
  straight from the results page skips `qualified`, yet the lead was qualified by doing so);
  a lost engagement has reached the stage it was lost from;
- time in stage: each completed stay (entered a stage, then left it) that ended during the
  period, from StageChange; the median is given in days;
- lost reasons: engagements lost during the period and still lost;
- by source, campaign and campaign page (attribution, from the UTM parameters and the page the
  questionnaire was started from): submissions received during the period, and the cohort's
  engagements with how far they went (meeting booked, held, roadmap shared, completed).
"""

from __future__ import annotations

import datetime
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from pipeline.models import Engagement, OrganisationType, StageChange
from pipeline.stages import OPEN_STAGES, PIPELINE_ORDER, LostReason, Stage

FUNNEL_STAGES: tuple[Stage, ...] = tuple(s for s in PIPELINE_ORDER if s != Stage.LOST)
STAGE_INDEX = {stage: index for index, stage in enumerate(FUNNEL_STAGES)}
# Stages that mean "the personalised meeting took place".
MEETING_HELD_INDEX = STAGE_INDEX[Stage.MEETING_HELD]
# Conversions shown per source: reached this stage (or a later one).
CONVERSION_STAGES = {
    "meeting_booked": STAGE_INDEX[Stage.MEETING_SCHEDULED],
    "meeting_held": STAGE_INDEX[Stage.MEETING_HELD],
    "roadmap_shared": STAGE_INDEX[Stage.ROADMAP_SHARED],
    "completed": STAGE_INDEX[Stage.COMPLETED],
}


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive

    # Cached: compared with every stage change of the period (make_aware is slow).
    @cached_property
    def start_at(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.start, datetime.time.min))

    @cached_property
    def end_at(self) -> datetime.datetime:
        """Exclusive upper bound: midnight after the last day."""
        return timezone.make_aware(
            datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min)
        )

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @classmethod
    def last_days(cls, days: int, today: datetime.date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls(today - datetime.timedelta(days=days - 1), today)


@dataclass
class FunnelStep:
    stage: Stage
    reached: int
    conversion: float | None  # share of the previous step that reached this one
    share: float  # share of the cohort

    @property
    def label(self) -> str:
        return str(self.stage.label)


@dataclass
class StageDuration:
    stage: Stage
    durations: list[float] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(self.stage.label)

    @property
    def count(self) -> int:
        return len(self.durations)

    @property
    def median_days(self) -> float | None:
        return statistics.median(self.durations) if self.durations else None


@dataclass
class Breakdown:
    key: str
    label: str
    total: int = 0
    open: int = 0
    completed: int = 0
    lost: int = 0
    meeting_held: int = 0

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.total if self.total else None

    @property
    def meeting_rate(self) -> float | None:
        return self.meeting_held / self.total if self.total else None


@dataclass
class AttributionRow:
    """One source (or campaign, or campaign page): what it brought and how far it went."""

    key: str
    label: str
    submissions: int = 0
    engagements: int = 0
    meeting_booked: int = 0
    meeting_held: int = 0
    roadmap_shared: int = 0
    completed: int = 0

    def rate(self, reached: int) -> float | None:
        return reached / self.engagements if self.engagements else None

    @property
    def meeting_booked_rate(self) -> float | None:
        return self.rate(self.meeting_booked)

    @property
    def meeting_held_rate(self) -> float | None:
        return self.rate(self.meeting_held)

    @property
    def roadmap_shared_rate(self) -> float | None:
        return self.rate(self.roadmap_shared)

    @property
    def completed_rate(self) -> float | None:
        return self.rate(self.completed)


@dataclass
class CountRow:
    key: str
    label: str
    count: int
    share: float


@dataclass
class PipelineReport:
    period: Period
    cohort_size: int
    funnel: list[FunnelStep]
    durations: list[StageDuration]
    lost_reasons: list[CountRow]
    lost_from: list[CountRow]
    by_owner: list[Breakdown]
    by_kind: list[Breakdown]
    by_source: list[AttributionRow] = field(default_factory=list)
    by_campaign: list[AttributionRow] = field(default_factory=list)
    by_landing_page: list[AttributionRow] = field(default_factory=list)

    @property
    def max_median(self) -> float:
        medians = [d.median_days for d in self.durations if d.median_days is not None]
        return max(medians, default=0.0)


def pipeline_report(engagements: QuerySet[Engagement], period: Period) -> PipelineReport:
    """The report for the engagements a user may see (pass `access.engagements_for(user)`)."""
    cohort_engagements = engagements.filter(
        created_at__gte=period.start_at, created_at__lt=period.end_at
    ).order_by()
    cohort = list(
        cohort_engagements.values_list(
            "pk", "owner_id", "organisation__kind", "stage", "lost_from_stage",
            "utm_source", "utm_campaign", "landing_page_id",
        )
    )  # fmt: skip
    furthest = _furthest_stage(cohort, cohort_engagements.values("pk"))
    funnel = _funnel(furthest, len(cohort))
    by_source, by_campaign, by_landing_page = _attribution(engagements, period, cohort, furthest)
    return PipelineReport(
        period=period,
        cohort_size=len(cohort),
        funnel=funnel,
        durations=_durations(engagements, period),
        lost_reasons=_lost(engagements, period, "lost_reason", LostReason),
        lost_from=_lost(engagements, period, "lost_from_stage", Stage),
        by_owner=_by_owner(cohort, furthest),
        by_kind=_by_kind(cohort, furthest),
        by_source=by_source,
        by_campaign=by_campaign,
        by_landing_page=by_landing_page,
    )


def _furthest_stage(cohort, cohort_ids: QuerySet) -> dict[int, int]:
    """For each engagement of the cohort, the index of the furthest stage it reached.

    The cohort goes to the database as a subquery, never as a list of ids: the query stays the
    same size at 100,000 engagements (SQLite refuses more than 32,766 parameters)."""
    furthest: dict[int, int] = {}
    for pk, _owner, _kind, stage, lost_from, *_attribution in cohort:
        current = lost_from if stage == Stage.LOST else stage
        furthest[pk] = STAGE_INDEX.get(current, 0)
    if furthest:
        entered = (
            StageChange.objects.filter(engagement_id__in=cohort_ids)
            .exclude(to_stage=Stage.LOST)
            .order_by()
            .values_list("engagement_id", "to_stage")
            .distinct()
        )
        for engagement_id, to_stage in entered:
            index = STAGE_INDEX.get(to_stage)
            if index is not None and index > furthest.get(engagement_id, index):
                furthest[engagement_id] = index
    return furthest


def _funnel(furthest: dict[int, int], total: int) -> list[FunnelStep]:
    reached_at_least = Counter()
    for index in furthest.values():
        for step in range(index + 1):
            reached_at_least[step] += 1
    steps = []
    previous = None
    for index, stage in enumerate(FUNNEL_STAGES):
        reached = reached_at_least[index]
        conversion = None if previous is None else (reached / previous if previous else None)
        steps.append(
            FunnelStep(stage, reached, conversion, share=reached / total if total else 0.0)
        )
        previous = reached
    return steps


def _durations(engagements: QuerySet[Engagement], period: Period) -> list[StageDuration]:
    """Completed stays that ended in the period, per stage."""
    moved_in_period = StageChange.objects.filter(
        changed_at__gte=period.start_at, changed_at__lt=period.end_at
    ).values("engagement_id")
    changes = (
        StageChange.objects.filter(
            engagement_id__in=moved_in_period,
            engagement__in=engagements.order_by().values("pk"),
            changed_at__lt=period.end_at,
        )
        .order_by("engagement_id", "changed_at", "pk")
        .values_list("engagement_id", "to_stage", "changed_at")
    )
    by_stage = {stage: StageDuration(stage) for stage in FUNNEL_STAGES if stage != Stage.COMPLETED}
    previous = None
    for engagement_id, to_stage, changed_at in changes:
        same_engagement = previous is not None and previous[0] == engagement_id
        if same_engagement and previous[1] in by_stage and changed_at >= period.start_at:
            days = (changed_at - previous[2]).total_seconds() / 86400
            by_stage[previous[1]].durations.append(days)
        previous = (engagement_id, to_stage, changed_at)
    return list(by_stage.values())


def _lost(engagements, period: Period, field_name: str, choices) -> list[CountRow]:
    rows = (
        engagements.filter(
            stage=Stage.LOST,
            stage_changed_at__gte=period.start_at,
            stage_changed_at__lt=period.end_at,
        )
        .order_by()
        .values_list(field_name, flat=True)
    )
    counts = Counter(rows)
    total = sum(counts.values())
    labels = dict(choices.choices)
    return [
        CountRow(key or "", str(labels.get(key, _("Non précisé"))), count, count / total)
        for key, count in sorted(counts.items(), key=lambda item: (-item[1], item[0] or ""))
    ]


def _fill(breakdown: Breakdown, stage: str, furthest_index: int) -> None:
    breakdown.total += 1
    if stage in OPEN_STAGES:
        breakdown.open += 1
    elif stage == Stage.COMPLETED:
        breakdown.completed += 1
    else:
        breakdown.lost += 1
    if furthest_index >= MEETING_HELD_INDEX:
        breakdown.meeting_held += 1


def _by_owner(cohort, furthest) -> list[Breakdown]:
    owner_ids = {owner_id for _pk, owner_id, *_ in cohort if owner_id}
    users = get_user_model().objects.in_bulk(owner_ids)
    rows: dict[int | None, Breakdown] = {}
    for pk, owner_id, _kind, stage, _lost_from, *_attribution in cohort:
        if owner_id not in rows:
            user = users.get(owner_id)
            label = (user.get_full_name() or user.get_username()) if user else _("Non attribué")
            rows[owner_id] = Breakdown(str(owner_id or ""), label)
        _fill(rows[owner_id], stage, furthest[pk])
    return sorted(rows.values(), key=lambda row: (-row.total, row.label))


def _by_kind(cohort, furthest) -> list[Breakdown]:
    labels = dict(OrganisationType.choices)
    rows: dict[str, Breakdown] = defaultdict(lambda: Breakdown("", ""))
    for pk, _owner, kind, stage, _lost_from, *_attribution in cohort:
        row = rows[kind or ""]
        if not row.label:
            row.key = kind or ""
            row.label = str(labels.get(kind, _("Non précisé")))
        _fill(row, stage, furthest[pk])
    return sorted(rows.values(), key=lambda row: (-row.total, row.label))


def _attribution(engagements, period: Period, cohort, furthest):
    """Submissions of the period and the cohort's conversions, by source, by campaign and by
    campaign page. Two queries (submissions, page titles) whatever the numbers."""
    submission_model = apps.get_model("audits", "AuditSubmission")
    submissions = list(
        submission_model.objects.filter(
            engagement__in=engagements.order_by().values("pk"),
            submit_time__gte=period.start_at,
            submit_time__lt=period.end_at,
        )
        .order_by()
        .values_list("utm_source", "utm_campaign", "landing_page_id")
    )
    # (engagement id, furthest stage index, source, campaign, landing page) for the cohort.
    engaged = [(row[0], furthest[row[0]], row[5], row[6], row[7]) for row in cohort]
    titles = _page_titles(
        {row[4] for row in engaged if row[4]} | {s[2] for s in submissions if s[2]}
    )

    def page_label(page_id) -> str:
        if not page_id:
            return _("Aucune page (questionnaire ouvert directement)")
        return titles.get(page_id, _("Page supprimée"))

    return (
        _group(
            [s[0] for s in submissions], [(e[1], e[2]) for e in engaged],
            lambda key: key or _("Aucune source (accès direct)"),
        ),
        _group(
            [s[1] for s in submissions], [(e[1], e[3]) for e in engaged],
            lambda key: key or _("Sans campagne"),
        ),
        _group([s[2] for s in submissions], [(e[1], e[4]) for e in engaged], page_label),
    )  # fmt: skip


def _group(submission_keys: list, engagements: list[tuple[int, Any]], label_of) -> list:
    """Rows keyed by one attribution value: submissions counted, engagements followed."""
    rows: dict[Any, AttributionRow] = {}

    def row_for(key) -> AttributionRow:
        key = key or ""
        if key not in rows:
            rows[key] = AttributionRow(str(key), str(label_of(key)))
        return rows[key]

    for key in submission_keys:
        row_for(key).submissions += 1
    for reached, key in engagements:
        row = row_for(key)
        row.engagements += 1
        for name, index in CONVERSION_STAGES.items():
            if reached >= index:
                setattr(row, name, getattr(row, name) + 1)
    # Named sources first, largest first; "no source" closes the table.
    return sorted(rows.values(), key=lambda r: (not r.key, -r.engagements, -r.submissions, r.label))


def _page_titles(page_ids: set[int]) -> dict[int, str]:
    if not page_ids:
        return {}
    from wagtail.models import Page

    return dict(Page.objects.filter(pk__in=page_ids).values_list("pk", "title"))


def report_rows(report: PipelineReport) -> list[list]:
    """The report as spreadsheet rows (section, item, figures…) for the CSV export."""
    period = f"{report.period.start:%d/%m/%Y} – {report.period.end:%d/%m/%Y}"
    rows: list[list] = [[_("Rapport du pipeline"), period], []]
    rows.append([_("Entonnoir"), _("Étape"), _("Atteinte"), _("Part de la cohorte"),
                 _("Conversion depuis l'étape précédente")])  # fmt: skip
    for step in report.funnel:
        rows.append(
            [
                "",
                step.label,
                step.reached,
                _percent(step.share),
                _percent(step.conversion) if step.conversion is not None else "",
            ]
        )
    rows.append([])
    rows.append([_("Temps dans l'étape"), _("Étape"), _("Médiane (jours)"), _("Passages")])
    for duration in report.durations:
        median = duration.median_days
        rows.append(
            ["", duration.label, f"{median:.1f}".replace(".", ",") if median is not None else "",
             duration.count]
        )  # fmt: skip
    rows.append([])
    rows.append([_("Raisons de perte"), _("Raison"), _("Nombre"), _("Part")])
    for row in report.lost_reasons:
        rows.append(["", row.label, row.count, _percent(row.share)])
    rows.append([])
    rows.append([_("Perdus à l'étape"), _("Étape"), _("Nombre"), _("Part")])
    for row in report.lost_from:
        rows.append(["", row.label, row.count, _percent(row.share)])
    for title, breakdown in (
        (_("Par consultant·e"), report.by_owner),
        (_("Par type de structure"), report.by_kind),
    ):
        rows.append([])
        rows.append([title, "", _("Total"), _("En cours"), _("Terminés"), _("Perdus"),
                     _("Rendez-vous tenu"), _("Taux de réussite")])  # fmt: skip
        for row in breakdown:
            rows.append(
                ["", row.label, row.total, row.open, row.completed, row.lost, row.meeting_held,
                 _percent(row.completion_rate) if row.completion_rate is not None else ""]
            )  # fmt: skip
    for title, attribution in (
        (_("Par source"), report.by_source),
        (_("Par campagne"), report.by_campaign),
        (_("Par page de campagne"), report.by_landing_page),
    ):
        rows.append([])
        rows.append([title, "", _("Réponses au questionnaire"), _("Nouveaux accompagnements"),
                     _("Rendez-vous pris"), _("Rendez-vous tenus"),
                     _("Feuilles de route partagées"), _("Terminés"),
                     _("Taux de rendez-vous pris")])  # fmt: skip
        for row in attribution:
            rows.append(
                ["", row.label, row.submissions, row.engagements, row.meeting_booked,
                 row.meeting_held, row.roadmap_shared, row.completed,
                 _percent(row.meeting_booked_rate)]
            )  # fmt: skip
    return rows


def _percent(value: float | None) -> str:
    return "" if value is None else f"{value * 100:.0f} %"
