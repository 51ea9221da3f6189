"""CalDAV push: the consultant's meetings copied into their own CalDAV calendar.

Pushes are outbox rows on the "caldav" channel (design.md §4), so a server that is down is
retried with backoff and, in the end, shown to a human. Each push writes the meeting's
*current* state (PUT while live or held, DELETE once cancelled), so retries and reordering
are harmless: the last one to run leaves the right state.
"""

from __future__ import annotations

import caldav
from caldav.lib import error as caldav_errors
from django.conf import settings

from calendar_sync import ical
from calendar_sync.models import ConsultantCalendar, Meeting, MeetingStatus
from pipeline.models import Notification


def remote_calendar(calendar: ConsultantCalendar):
    client = caldav.DAVClient(
        url=calendar.caldav_url,
        username=calendar.caldav_username,
        password=calendar.caldav_password,
        timeout=settings.CALENDAR_HTTP_TIMEOUT,
    )
    return client.calendar(url=calendar.caldav_url)


def _find(remote, uid: str):
    try:
        return remote.get_event_by_uid(uid)
    except caldav_errors.NotFoundError:
        return None


def push_meeting(meeting: Meeting, calendar: ConsultantCalendar) -> str:
    remote = remote_calendar(calendar)
    if meeting.status == MeetingStatus.CANCELLED:
        existing = _find(remote, meeting.uid)
        if existing is not None:
            existing.delete()
        return "deleted"
    data = ical.caldav_object(meeting).decode("utf-8")
    existing = _find(remote, meeting.uid)
    if existing is not None:
        existing.data = data
        existing.save(increase_seqno=False)  # SEQUENCE is ours, already bumped
        return "updated"
    remote.save_event(data)
    return "created"


def send_caldav_notification(notification: Notification) -> None:
    """Outbox sender for the "caldav" channel; raises to let the outbox retry."""
    meeting = (
        Meeting.objects.select_related("engagement__organisation", "organiser")
        .filter(pk=notification.payload.get("meeting_id"))
        .first()
    )
    if meeting is None:
        return  # erased since (GDPR): nothing left to push
    calendar = ConsultantCalendar.objects.filter(consultant_id=meeting.organiser_id).first()
    if calendar is None or not (calendar.caldav_push and calendar.caldav_configured):
        return  # the consultant switched the push off meanwhile
    push_meeting(meeting, calendar)
