"""load_demo's calendar part: meetings, and pending invites left in the outbox."""

from io import StringIO

import pytest
from django.core.management import call_command

from calendar_sync.models import Meeting, MeetingStatus
from pipeline.models import Notification, NotificationKind, NotificationStatus

pytestmark = pytest.mark.django_db


def invites():
    return Notification.objects.filter(
        kind__in=[
            NotificationKind.MEETING_REQUEST,
            NotificationKind.MEETING_UPDATE,
            NotificationKind.MEETING_CANCEL,
        ]
    )


def test_demo_leaves_booked_moved_and_cancelled_invites_pending():
    """One booked (REQUEST), one moved (REQUEST then update), one cancelled (REQUEST then
    CANCEL), all pending; a second run adds nothing."""
    call_command("load_demo", stdout=StringIO())
    by_meeting = {}
    for notification in invites().order_by("pk"):
        uid = notification.idempotency_key.split(":")[1]
        by_meeting.setdefault(uid, []).append(notification.kind)
    assert sorted(by_meeting.values()) == sorted(
        [
            ["meeting_request"],
            ["meeting_request", "meeting_update"],
            ["meeting_request", "meeting_cancel"],
        ]
    )
    assert set(invites().values_list("status", flat=True)) == {NotificationStatus.PENDING}
    assert Meeting.objects.filter(status=MeetingStatus.HELD).count() >= 4
    assert Meeting.objects.filter(engagement__organisation__time_zone="Indian/Reunion").exists()

    counts = (Meeting.objects.count(), Notification.objects.count())
    call_command("load_demo", stdout=StringIO())
    assert (Meeting.objects.count(), Notification.objects.count()) == counts
