"""`{% engagement_meetings engagement %}`: the meetings panel of an engagement's admin page."""

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from calendar_sync.models import MeetingStatus
from pipeline.models import EmailPurpose, EngagementEmail, EngagementEmailStatus


def compose_url(engagement) -> str:
    try:
        return reverse("pipeline_engagements:email", args=[engagement.pk])
    except NoReverseMatch:
        return ""


register = template.Library()


@register.inclusion_tag("calendar_sync/includes/engagement_meetings.html", takes_context=True)
def engagement_meetings(context, engagement):
    request = context.get("request")
    user = getattr(request, "user", None)
    meetings = list(
        engagement.meetings.select_related("organiser")
        .prefetch_related("attendees")
        .order_by("-start")
    )
    now = timezone.now()
    # Follow-up drafts waiting to be sent, by meeting (one query).
    drafts = {}
    if any(m.status == MeetingStatus.HELD for m in meetings):
        rows = EngagementEmail.objects.filter(
            engagement=engagement,
            status=EngagementEmailStatus.DRAFT,
            purpose=EmailPurpose.FOLLOW_UP,
        ).values_list("pk", "data")
        for pk, data in rows:
            if isinstance(data, dict) and data.get("meeting_id"):
                drafts.setdefault(data["meeting_id"], pk)
    for meeting in meetings:
        meeting.follow_up_draft_id = drafts.get(meeting.pk)
    return {
        "compose_url": compose_url(engagement),
        "engagement": engagement,
        "meetings": meetings,
        "upcoming": [m for m in meetings if m.status == MeetingStatus.SCHEDULED and m.end >= now],
        "can_add": bool(user and user.has_perm("calendar_sync.add_meeting")),
        "can_change": bool(user and user.has_perm("calendar_sync.change_meeting")),
        "now": now,
        "request": request,
    }
