"""Reminders 24 h and 1 h before: once each, never for a cancelled or moved meeting."""

from datetime import timedelta

import pytest
from django.utils import timezone

from calendar_sync import services
from calendar_sync.factories import MeetingFactory
from calendar_sync.models import MeetingAttendee
from pipeline.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(engagement, consultant):
    start = timezone.now() + timedelta(days=3)
    meeting = MeetingFactory(
        engagement=engagement, organiser=consultant, start=start, end=start + timedelta(hours=1),
        scheduled_at=timezone.now() - timedelta(days=1),
    )  # fmt: skip
    MeetingAttendee.objects.create(meeting=meeting, name="Karim", email="karim@jardins.org")
    return meeting


def reminders():
    return Notification.objects.filter(kind=NotificationKind.MEETING_REMINDER)


def test_each_reminder_goes_once_at_its_moment(meeting):
    """Nothing 3 days before; the 24 h one a day before; the 1 h one an hour before; reruns
    add nothing."""
    start = meeting.start
    assert services.send_due_reminders(now=start - timedelta(days=2)) == 0
    assert services.send_due_reminders(now=start - timedelta(hours=23)) == 1
    assert services.send_due_reminders(now=start - timedelta(hours=22)) == 0
    assert services.send_due_reminders(now=start - timedelta(minutes=50)) == 1
    assert services.send_due_reminders(now=start - timedelta(minutes=40)) == 0
    subjects = list(reminders().order_by("pk").values_list("subject", flat=True))
    assert len(subjects) == 2 and all(s.startswith("Rappel") for s in subjects)
    assert reminders().first().recipients == ["karim@jardins.org"]


def test_no_reminder_for_a_cancelled_meeting(meeting):
    """Cancelling withdraws a reminder not sent yet and stops the next ones."""
    services.send_due_reminders(now=meeting.start - timedelta(hours=23))
    assert reminders().count() == 1
    services.cancel_meeting(meeting, by_organisation=True)
    assert reminders().count() == 0
    assert services.send_due_reminders(now=meeting.start - timedelta(minutes=30)) == 0


def test_a_moved_meeting_is_reminded_at_its_new_time_only(meeting):
    """The old time's reminder is withdrawn; the new time gets its own, with the new SEQUENCE."""
    old = meeting.start
    services.send_due_reminders(now=old - timedelta(hours=23))
    new = old + timedelta(days=2)
    services.reschedule_meeting(meeting, new, user=None)
    assert reminders().count() == 0
    assert services.send_due_reminders(now=old - timedelta(minutes=30)) == 0
    assert services.send_due_reminders(now=new - timedelta(hours=23)) == 1
    assert reminders().get().idempotency_key.endswith(":1:1440")


def test_late_booking_skips_the_reminder_whose_moment_has_passed(meeting):
    """Booked 5 h before: no "tomorrow" reminder, only the 1 h one."""
    meeting.scheduled_at = meeting.start - timedelta(hours=5)
    meeting.save()
    assert services.send_due_reminders(now=meeting.start - timedelta(hours=4)) == 0
    assert services.send_due_reminders(now=meeting.start - timedelta(minutes=55)) == 1


def test_reminder_offsets_are_configurable(meeting, settings):
    """CALENDAR_REMINDER_MINUTES decides when reminders go."""
    settings.CALENDAR_REMINDER_MINUTES = [180]
    assert services.send_due_reminders(now=meeting.start - timedelta(hours=23)) == 0
    assert services.send_due_reminders(now=meeting.start - timedelta(hours=2)) == 1
