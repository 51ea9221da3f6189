"""Extension points of the pipeline admin, for apps that come later (meetings, roadmaps).

1. Sections of the engagement page — Wagtail hook ``passerelle_engagement_panels``::

       from wagtail import hooks
       from pipeline.panels import EngagementPanel

       class MeetingsPanel(EngagementPanel):
           slot = "meetings"             # "meetings", "roadmap", "main" or "sidebar"
           heading = _("Rendez-vous")
           template_name = "calendar_sync/admin/engagement_meetings.html"
           order = 10

           def get_context_data(self, parent_context=None):
               context = super().get_context_data(parent_context)   # engagement, request
               context["meetings"] = self.engagement.meetings.order_by("starts_at")
               return context

       @hooks.register("passerelle_engagement_panels")
       def meetings_panel(request, engagement):
           return MeetingsPanel(engagement, request)   # or a list, or None

   The page renders the panels of the "meetings" and "roadmap" slots in its Meetings and
   Roadmap sections (an empty state shows while none is registered), "main" panels after the
   answers, "sidebar" panels in the right column. Keep each panel to a fixed number of queries.

2. The dashboard's "upcoming meetings" — Wagtail hook ``passerelle_upcoming_meetings``::

       @hooks.register("passerelle_upcoming_meetings")
       def upcoming(request, engagements, limit):
           # `engagements`: the queryset this user may see (own-only setting applied).
           return [UpcomingMeeting(starts_at=…, title=…, url=…, organisation=…), …]

   The panel merges what every hook returns, sorts by start time and shows the first ones.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.components import Component

from pipeline import access
from pipeline.stages import OPEN_STAGES

ENGAGEMENT_PANELS_HOOK = "passerelle_engagement_panels"
UPCOMING_MEETINGS_HOOK = "passerelle_upcoming_meetings"
SLOTS = ("meetings", "roadmap", "main", "sidebar")


class EngagementPanel(Component):
    """A section another app adds to the engagement page."""

    slot = "main"
    heading = ""
    order = 100

    def __init__(self, engagement, request):
        self.engagement = engagement
        self.request = request

    def get_context_data(self, parent_context=None) -> dict[str, Any]:
        return {"engagement": self.engagement, "request": self.request, "panel": self}


def engagement_panels(request, engagement) -> dict[str, list[EngagementPanel]]:
    """Panels registered by other apps, by slot, in order."""
    by_slot: dict[str, list[EngagementPanel]] = defaultdict(list)
    for hook in hooks.get_hooks(ENGAGEMENT_PANELS_HOOK):
        result = hook(request, engagement)
        if result is None:
            continue
        panels = result if isinstance(result, Iterable) else [result]
        for panel in panels:
            slot = getattr(panel, "slot", "main")
            by_slot[slot if slot in SLOTS else "main"].append(panel)
    for panels in by_slot.values():
        panels.sort(key=lambda p: getattr(p, "order", 100))
    return dict(by_slot)


@dataclass(frozen=True)
class UpcomingMeeting:
    starts_at: datetime.datetime
    title: str
    url: str = ""
    organisation: str = ""
    location: str = ""


def upcoming_meetings(request, limit: int = 8) -> list[UpcomingMeeting]:
    engagements = access.engagements_for(request.user)
    meetings: list[UpcomingMeeting] = []
    for hook in hooks.get_hooks(UPCOMING_MEETINGS_HOOK):
        meetings.extend(hook(request, engagements, limit) or [])
    meetings.sort(key=lambda m: m.starts_at)
    return meetings[:limit]


# --- Dashboard panels ----------------------------------------------------------------------------


class DashboardPanel(Component):
    """A pipeline panel on the Wagtail dashboard, shown to people who work the pipeline."""

    template_name = "pipeline/admin/dashboard_panel.html"
    heading = ""
    panel_id = ""
    order = 50
    empty_text = ""
    limit = 8

    def __init__(self, request):
        self.request = request

    def rows(self):
        raise NotImplementedError

    def more_url(self) -> str:
        return ""

    def get_context_data(self, parent_context=None):
        rows, has_more = self.rows()
        return {
            "panel": self,
            "heading": self.heading,
            "panel_id": self.panel_id,
            "rows": rows,
            "has_more": has_more,
            "empty_text": self.empty_text,
            "more_url": self.more_url(),
            "today": timezone.localdate(),
            "show_owner": self.panel_id != "pipeline-mine",
        }


def _engagement_rows(queryset, limit):
    """The first rows, and whether there are more (one query, no count)."""
    rows = list(queryset.select_related("organisation", "owner")[: limit + 1])
    return rows[:limit], len(rows) > limit


class MyEngagementsPanel(DashboardPanel):
    heading = _("Mes accompagnements en cours")
    panel_id = "pipeline-mine"
    order = 40
    empty_text = _("Aucun accompagnement en cours ne vous est attribué.")

    def rows(self):
        queryset = (
            access.engagements_for(self.request.user)
            .filter(owner=self.request.user, stage__in=OPEN_STAGES)
            .order_by(F("next_action_due").asc(nulls_last=True), "stage_changed_at")
        )
        return _engagement_rows(queryset, self.limit)

    def more_url(self):
        return reverse("pipeline_engagements:index") + "?owner=me"


class OverdueNextActionsPanel(DashboardPanel):
    heading = _("Prochaines actions en retard")
    panel_id = "pipeline-overdue"
    order = 41
    empty_text = _("Rien en retard. Bravo !")

    def rows(self):
        queryset = (
            access.engagements_for(self.request.user)
            .filter(stage__in=OPEN_STAGES, next_action_due__lt=timezone.localdate())
            .order_by("next_action_due", "pk")
        )
        return _engagement_rows(queryset, self.limit)

    def more_url(self):
        return reverse("pipeline_engagements:index") + "?overdue=true"


class NewThisWeekPanel(DashboardPanel):
    heading = _("Nouveaux cette semaine")
    panel_id = "pipeline-new"
    order = 42
    empty_text = _("Pas de nouvel accompagnement depuis 7 jours.")

    def rows(self):
        since = timezone.now() - datetime.timedelta(days=7)
        queryset = (
            access.engagements_for(self.request.user)
            .filter(created_at__gte=since)
            .order_by("-created_at", "-pk")
        )
        return _engagement_rows(queryset, self.limit)

    def more_url(self):
        return reverse("pipeline_engagements:index") + "?ordering=-created_at"


class UpcomingMeetingsPanel(Component):
    template_name = "pipeline/admin/dashboard_meetings.html"
    order = 43

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        return {
            "meetings": upcoming_meetings(self.request),
            "has_source": bool(hooks.get_hooks(UPCOMING_MEETINGS_HOOK)),
        }


class PipelineSummaryPanel(Component):
    """One line of figures above the panels: open, overdue, new this week."""

    template_name = "pipeline/admin/dashboard_summary.html"
    order = 39

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context=None):
        today = timezone.localdate()
        week = timezone.now() - datetime.timedelta(days=7)
        figures = access.engagements_for(self.request.user).aggregate(
            open=Count("pk", filter=Q(stage__in=OPEN_STAGES)),
            mine=Count("pk", filter=Q(stage__in=OPEN_STAGES, owner=self.request.user)),
            overdue=Count("pk", filter=Q(stage__in=OPEN_STAGES, next_action_due__lt=today)),
            new=Count("pk", filter=Q(created_at__gte=week)),
        )
        return {"figures": figures, "board_url": reverse("pipeline_board:index")}


def dead_messages_for(user):
    """Dead messages whose alert is still open, for the people who must act: the engagement's
    owner; people who see the whole pipeline also get those nobody owns."""
    from pipeline.models import NotificationStatus

    mine = Q(engagement__owner=user)
    if access.sees_everything(user):
        mine |= Q(engagement__isnull=True) | Q(engagement__owner__isnull=True)
    return (
        access.notifications_for(user)
        .filter(mine, status=NotificationStatus.DEAD, dismissed_at__isnull=True)
        .select_related("engagement__organisation")
        .order_by("-created_at", "-pk")
    )


class DeadMessagesPanel(Component):
    """Messages the outbox gave up on (or that bounced): shown only while there are some."""

    template_name = "pipeline/admin/dashboard_dead_messages.html"
    order = 38
    limit = 8

    def __init__(self, request):
        self.request = request
        rows = list(dead_messages_for(request.user)[: self.limit + 1])
        self.rows, self.has_more = rows[: self.limit], len(rows) > self.limit

    def render_html(self, parent_context=None):
        if not self.rows:
            return ""
        return super().render_html(parent_context)

    def get_context_data(self, parent_context=None):
        count = len(self.rows)
        return {
            "rows": self.rows,
            "has_more": self.has_more,
            "heading": (
                _("Messages non distribués (%(count)s)")
                % {"count": f"{count}+" if self.has_more else count}
            ),
        }


def dashboard_panels(request) -> list[Component]:
    if not access.can_use_pipeline(request.user):
        return []
    return [
        DeadMessagesPanel(request),
        PipelineSummaryPanel(request),
        MyEngagementsPanel(request),
        OverdueNextActionsPanel(request),
        NewThisWeekPanel(request),
        UpcomingMeetingsPanel(request),
    ]
