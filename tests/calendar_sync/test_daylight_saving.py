"""Meetings on the last Sunday of March and of October (clock changes in Paris)."""

from datetime import UTC, timedelta

import pytest
from django.core import mail
from icalendar import Calendar

from calendar_sync import availability, links, services
from calendar_sync.models import MeetingKind
from tests.calendar_sync.helpers import calendar_part, local, next_last_sunday

pytestmark = pytest.mark.django_db

# 10:00 in Paris is 08:00 UTC after the spring change (CEST) and 09:00 UTC after the autumn
# one (CET): the two Sundays of the year where a wrong offset shows.
CASES = [(3, 8), (10, 9)]


@pytest.mark.parametrize("month, utc_hour", CASES)
def test_invite_and_feed_are_right_on_clock_change_sundays(
    client, engagement, consultant, calendar, run_on_commit, month, utc_hour
):
    """Invite and feed both say 10:00 Europe/Paris, with a VTIMEZONE, = the right UTC hour."""
    day = next_last_sunday(month)
    start = local(day, 10)
    assert start.astimezone(UTC).hour == utc_hour
    with run_on_commit():
        meeting = services.schedule_meeting(
            engagement, start=start, duration=timedelta(hours=1), kind=MeetingKind.VIDEO,
            user=consultant,
        )  # fmt: skip
    _method, invite, raw = calendar_part(
        next(m for m in mail.outbox if "karim@jardins.org" in m.to)
    )
    feed_raw = client.get(
        links.feed_path(services.regenerate_feed_link(calendar, user=consultant))
    ).content
    feed = Calendar.from_ical(feed_raw)
    for document, body in ((invite, raw), (feed, feed_raw)):
        [event] = [e for e in document.walk("VEVENT") if str(e["UID"]) == meeting.uid]
        assert f"DTSTART;TZID=Europe/Paris:{day:%Y%m%d}T100000".encode() in body
        assert event["DTSTART"].dt.astimezone(UTC) == start.astimezone(UTC)
        assert event["DTEND"].dt.astimezone(UTC) == start.astimezone(UTC) + timedelta(hours=1)
        assert document.get_missing_tzids() == set()
        # The VTIMEZONE itself knows the offset that applies that morning.
        [vtimezone] = document.walk("VTIMEZONE")
        assert vtimezone.to_tz().utcoffset(start.replace(tzinfo=None)) == timedelta(
            hours=10 - utc_hour
        )


@pytest.mark.parametrize("month, utc_hour", CASES)
def test_slots_follow_local_working_hours_on_clock_change_days(calendar, month, utc_hour):
    """On both Sundays the first slot is 9:00 in Paris, whatever the UTC offset."""
    calendar.horizon_days = 400
    calendar.save()
    day = next_last_sunday(month)
    slots = availability.free_slots(calendar, between=(local(day, 0), local(day, 23)))
    assert slots[0].start == local(day, 9).astimezone(UTC)
    assert slots[0].start.hour == utc_hour - 1
    assert [s.start.astimezone(local(day, 0).tzinfo).hour for s in slots] == [9, 10, 11, 14, 15, 16]
