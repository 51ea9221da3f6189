"""`{% engagement_meetings engagement %}`: the meetings panel of an engagement's admin page."""

from django import template
from django.utils import timezone

from calendar_sync.models import MeetingStatus

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
    return {
        "engagement": engagement,
        "meetings": meetings,
        "upcoming": [m for m in meetings if m.status == MeetingStatus.SCHEDULED and m.end >= now],
        "can_add": bool(user and user.has_perm("calendar_sync.add_meeting")),
        "can_change": bool(user and user.has_perm("calendar_sync.change_meeting")),
        "now": now,
        "request": request,
    }
