"""CalDAV push against a real Radicale server on 127.0.0.1: create, update, delete, retry."""

from datetime import UTC, timedelta

import caldav
import pytest

from calendar_sync import busy, services
from calendar_sync.models import MeetingKind
from pipeline import outbox
from pipeline.models import Notification, NotificationStatus
from tests.calendar_sync.helpers import days_ahead, local
from tests.services import PrivateRadicale, free_port

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def radicale():
    server = PrivateRadicale().start()
    yield server
    server.stop()


@pytest.fixture
def remote(radicale, request):
    """A fresh calendar collection for each test."""
    client = caldav.DAVClient(url=radicale.url, username="camille", password="secret")
    name = f"cal{abs(hash(request.node.name)) % 10**8}"
    return client.principal().make_calendar(name=name, cal_id=name)


@pytest.fixture
def caldav_calendar(calendar, remote):
    calendar.caldav_url = str(remote.url)
    calendar.caldav_username = "camille"
    calendar.caldav_password = "secret"
    calendar.caldav_push = True
    calendar.save()
    return calendar


def remote_events(remote):
    return [obj.icalendar_component for obj in remote.events()]


def test_meeting_is_created_moved_and_deleted_in_the_caldav_calendar(
    engagement, consultant, caldav_calendar, remote, run_on_commit
):
    """Create, update (same UID, new time), delete — through the outbox, against Radicale."""
    start = local(days_ahead(6), 10)
    with run_on_commit():
        meeting = services.schedule_meeting(
            engagement, start=start, duration=timedelta(hours=1), kind=MeetingKind.VIDEO,
            user=consultant,
        )  # fmt: skip
    [event] = remote_events(remote)
    assert str(event["UID"]) == meeting.uid
    assert event["DTSTART"].dt.astimezone(UTC) == start.astimezone(UTC)
    assert "ATTENDEE" not in event and "ORGANIZER" not in event  # no server-side invitations

    moved = local(days_ahead(7), 15)
    with run_on_commit():
        services.reschedule_meeting(meeting, moved, user=consultant)
    [event] = remote_events(remote)
    assert str(event["UID"]) == meeting.uid
    assert event["DTSTART"].dt.astimezone(UTC) == moved.astimezone(UTC)
    assert int(event["SEQUENCE"]) == 1

    with run_on_commit():
        services.cancel_meeting(meeting, user=consultant)
    assert remote_events(remote) == []
    pushes = Notification.objects.filter(channel="caldav").order_by("pk")
    assert [p.status for p in pushes] == ["sent", "sent", "sent"]


def test_failed_push_is_retried_and_visible_then_delivered(
    engagement, consultant, caldav_calendar, remote, run_on_commit
):
    """CalDAV down: the push stays in the outbox as failed with the error; later it goes."""
    good_url = caldav_calendar.caldav_url
    caldav_calendar.caldav_url = f"http://127.0.0.1:{free_port()}/camille/nowhere/"
    caldav_calendar.save()
    with run_on_commit():
        meeting = services.schedule_meeting(
            engagement, start=local(days_ahead(6), 10), duration=timedelta(hours=1),
            kind=MeetingKind.VIDEO, user=consultant,
        )  # fmt: skip
    push = Notification.objects.get(channel="caldav")
    assert push.status == NotificationStatus.FAILED
    assert push.last_error and push.attempts == 1
    assert remote_events(remote) == []

    caldav_calendar.caldav_url = good_url
    caldav_calendar.save()
    outbox.send_all_now()
    push.refresh_from_db()
    assert push.status == NotificationStatus.SENT
    assert [str(e["UID"]) for e in remote_events(remote)] == [meeting.uid]


def test_busy_times_are_read_from_caldav_with_recurrences_but_not_our_meetings(
    engagement, consultant, caldav_calendar, remote, run_on_commit
):
    """A weekly event in the consultant's CalDAV calendar blocks every occurrence; the
    meetings we pushed there ourselves are not counted twice."""
    from calendar_sync import availability

    day = days_ahead(3)
    first = local(day, 14)
    remote.save_event(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
        "UID:weekly-team@example.org\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART:{first.astimezone(UTC):%Y%m%dT%H%M%SZ}\r\nDURATION:PT2H\r\n"
        "RRULE:FREQ=WEEKLY;COUNT=4\r\nSUMMARY:Réunion d'équipe\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    with run_on_commit():
        services.schedule_meeting(
            engagement, start=local(day, 10), duration=timedelta(hours=1),
            kind=MeetingKind.VIDEO, user=consultant,
        )  # fmt: skip
    caldav_calendar.caldav_read_busy = True
    caldav_calendar.save()
    assert busy.sync_busy_times(caldav_calendar) == 4
    caldav_calendar.refresh_from_db()
    assert caldav_calendar.busy_sync_error == ""
    free = {s.start for s in availability.free_slots(caldav_calendar)}
    for week in range(4):
        assert local(day, 14) + timedelta(weeks=week) not in free
        assert local(day, 15) + timedelta(weeks=week) not in free
        assert local(day, 16) + timedelta(weeks=week) in free
    assert local(day, 11) in free
