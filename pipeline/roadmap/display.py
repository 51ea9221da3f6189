"""What a roadmap looks like on its page, in the admin preview and in the PDF: one view model,
built with a fixed number of queries whatever the number of steps and comments.

The deliverable follows domain.md §4d: summary (exposure score, pain points), steps by usage,
calendar (Gantt-like by phase), change management, points of vigilance, next steps.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pipeline import answers as answer_labels
from pipeline.models import (
    Roadmap,
    RoadmapComment,
    RoadmapItem,
    RoadmapItemStatus,
    RoadmapPhase,
    RoadmapUpdate,
)
from pipeline.services import roadmaps as service

STATUS_TONES = {
    RoadmapItemStatus.PLANNED: "planned",
    RoadmapItemStatus.IN_PROGRESS: "progress",
    RoadmapItemStatus.DONE: "done",
    RoadmapItemStatus.SKIPPED: "skipped",
}
PHASE_TIMINGS = {
    0: gettext_lazy("semaines 0 à 2"),
    1: gettext_lazy("mois 0 à 1"),
    2: gettext_lazy("mois 1 à 3"),
    3: gettext_lazy("mois 3 à 6"),
    4: gettext_lazy("mois 6 à 12"),
    5: gettext_lazy("mois 12 et au-delà"),
}


def months_between(start: datetime.date, end: datetime.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


def _percent(value: float, total: int) -> float:
    return round(100 * value / total, 3) if total else 0


@dataclass
class ItemView:
    item: RoadmapItem
    number: int
    status_tone: str
    due_label: str
    hosting: str
    comments: list[RoadmapComment] = field(default_factory=list)
    bar_left: float = 0
    bar_width: float = 0
    changed_recently: bool = False

    @property
    def anchor(self) -> str:
        return f"etape-{self.item.pk}"

    @property
    def short_title(self) -> str:
        """The calendar's label: the usage and where it goes, else the title."""
        item = self.item
        if item.usage_id and item.target_tool_id and item.current_tool_id:
            return f"{item.usage.label} → {item.target_tool.name}"
        return item.title


@dataclass
class PhaseView:
    number: int
    title: str
    timing: str
    items: list[ItemView]
    start: int = 0  # months from the roadmap's start
    end: int = 1
    bar_left: float = 0
    bar_width: float = 0
    range_label: str = ""

    @property
    def done(self) -> int:
        return sum(1 for i in self.items if i.item.status == RoadmapItemStatus.DONE)


@dataclass
class Tick:
    label: str
    left: float

    @property
    def at_end(self) -> bool:
        return self.left > 85


@dataclass
class ScoreView:
    value: int | None
    label: str
    tone: str


@dataclass
class RoadmapDisplay:
    roadmap: Roadmap
    organisation: object
    engagement: object
    consultant: dict[str, str]
    phases: list[PhaseView]
    items: list[ItemView]
    progress: service.Progress
    audit_score: ScoreView
    current_score: ScoreView
    ticks: list[Tick]
    today_left: float | None
    months: int
    recent_changes: list[str]
    since: datetime.datetime | None
    pain_points: list[str]
    change_management: list[str]
    vigilance: list[str]
    next_steps: list[str]
    updated_at: datetime.datetime | None
    end_label: str

    @property
    def updated_since_publication(self) -> bool:
        """ "mis à jour le …" is worth showing when it is another day than the publication."""
        published = self.roadmap.published_at
        if not self.updated_at or not published:
            return False
        return timezone.localdate(self.updated_at) != timezone.localdate(published)

    @property
    def score_gain(self) -> int | None:
        if self.audit_score.value is None or self.current_score.value is None:
            return None
        return self.audit_score.value - self.current_score.value


def score_view(value: int | None) -> ScoreView:
    if value is None:
        return ScoreView(None, "", "none")
    from audits.scoring import overall_label

    tone = "high" if value >= 70 else "medium" if value >= 40 else "low"
    return ScoreView(value, overall_label(value), tone)


def _lines(text: str) -> list[str]:
    return [line.strip(" -•\t") for line in (text or "").splitlines() if line.strip(" -•\t")]


def _hosting(item: RoadmapItem) -> str:
    if item.state_instance:
        return _("hébergé par l'État")
    if item.host_id:
        return _("hébergé par %(host)s") % {"host": item.host.name}
    return ""


def build(roadmap: Roadmap, *, now: datetime.datetime | None = None) -> RoadmapDisplay:
    """The roadmap ready to show. Queries: the roadmap with its engagement (when not already
    loaded), its items, their comments and the news since the last e-mail."""
    now = now or timezone.now()
    engagement = roadmap.engagement  # callers load it with select_related
    organisation = engagement.organisation
    items = list(
        RoadmapItem.objects.filter(roadmap=roadmap)
        .select_related("usage", "current_tool", "target_tool", "host")
        .order_by("phase", "sort_order", "pk")
    )
    comments: dict[int, list[RoadmapComment]] = defaultdict(list)
    for comment in RoadmapComment.objects.filter(item__roadmap=roadmap).order_by(
        "created_at", "pk"
    ):
        comments[comment.item_id].append(comment)
    since = roadmap.last_emailed_at
    news = list(
        RoadmapUpdate.objects.filter(roadmap=roadmap, created_at__gt=since).order_by(
            "created_at", "pk"
        )
        if since
        else []
    )
    recent_ids = {u.item_id for u in news if u.item_id}

    start = roadmap.start_date
    last = max((months_between(start, i.target_month) for i in items), default=0)
    months = max(last + 1, 3)

    views = [
        ItemView(
            item=item,
            number=number,
            status_tone=STATUS_TONES.get(item.status, "planned"),
            due_label=service.month_label(item.target_month),
            hosting=_hosting(item),
            comments=comments.get(item.pk, []),
            changed_recently=item.pk in recent_ids,
        )
        for number, item in enumerate(items, start=1)
    ]
    phases: list[PhaseView] = []
    cursor = 0
    for phase in RoadmapPhase:
        phase_items = [v for v in views if v.item.phase == phase.value]
        if not phase_items:
            continue
        end = max(months_between(start, v.item.target_month) for v in phase_items) + 1
        begin = min(cursor, end - 1)
        for view in phase_items:
            item_end = months_between(start, view.item.target_month) + 1
            item_begin = min(begin, item_end - 1)
            view.bar_left = _percent(max(item_begin, 0), months)
            view.bar_width = _percent(max(item_end - max(item_begin, 0), 1), months)
        first_month = service.add_months(start, max(begin, 0))
        last_month = service.add_months(start, end - 1)
        phases.append(
            PhaseView(
                number=phase.value,
                title=phase.label,
                timing=PHASE_TIMINGS.get(phase.value, ""),
                items=phase_items,
                start=max(begin, 0),
                end=end,
                bar_left=_percent(max(begin, 0), months),
                bar_width=_percent(end - max(begin, 0), months),
                range_label=(
                    date_format(first_month, "F Y")
                    if first_month == last_month
                    else _("%(start)s → %(end)s")
                    % {
                        "start": date_format(first_month, "N Y"),
                        "end": date_format(last_month, "N Y"),
                    }
                ),
            )
        )
        cursor = max(cursor, end)

    step = 1 if months <= 6 else 2 if months <= 12 else 3 if months <= 24 else 6
    ticks = [
        Tick(date_format(service.add_months(start, m), "N Y"), _percent(m, months))
        for m in range(0, months, step)
    ]
    today = timezone.localdate(now)
    offset = months_between(start, today) + (today.day - 1) / 31
    today_left = _percent(offset, months) if 0 <= offset < months else None

    answers = engagement.answers if isinstance(engagement.answers, dict) else {}
    pain_points = []
    for row in answer_labels.answer_rows({"pain_points": answers.get("pain_points") or []}):
        pain_points = [p.strip() for p in row.value.split(",") if p.strip() and p.strip() != "—"]
    change_management: list[str] = []
    for view in views:
        if view.item.is_closed:
            continue
        for action in view.item.change_action_list():
            if action not in change_management:
                change_management.append(action)

    owner = engagement.owner
    consultant = {
        "name": (owner.get_full_name() or owner.get_username())
        if owner
        else _("L'équipe Passerelle"),
        "email": owner.email if owner else "",
        "first_name": owner.first_name if owner else "",
    }
    audit = engagement.score
    return RoadmapDisplay(
        roadmap=roadmap,
        organisation=organisation,
        engagement=engagement,
        consultant=consultant,
        phases=phases,
        items=views,
        progress=service.progress(items),
        audit_score=score_view(audit),
        current_score=score_view(
            roadmap.current_score if roadmap.current_score is not None else audit
        ),
        ticks=ticks,
        today_left=today_left,
        months=months,
        recent_changes=[service.describe(u) for u in service.coalesce(news)],
        since=since,
        pain_points=pain_points,
        change_management=change_management,
        vigilance=_lines(roadmap.vigilance),
        next_steps=_lines(roadmap.next_steps),
        updated_at=roadmap.content_updated_at or roadmap.published_at,
        end_label=service.month_label(service.add_months(start, last)),
    )
