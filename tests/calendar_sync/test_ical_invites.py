"""iMIP invites parsed back: the iTIP rules of reference/calendar-interop.md §1."""

from datetime import UTC, timedelta

import pytest
from django.core import mail

from calendar_sync import services
from calendar_sync.models import MeetingKind
from tests.calendar_sync.helpers import calendar_part, days_ahead, local, parsed

pytestmark = pytest.mark.django_db

LONG_AGENDA = "Messagerie, agendas partagés et visio : où en êtes-vous ? " * 6


def invites_for(address):
    return [m for m in mail.outbox if address in m.to]


def test_request_update_cancel_follow_itip(engagement, consultant, run_on_commit):
    """REQUEST, update and CANCEL: one UID, growing SEQUENCE, UTC DTSTAMP, VTIMEZONE per TZID,
    mailto ORGANIZER never a recipient, RSVP on every attendee, CRLF and 75-octet folding."""
    with run_on_commit():
        result = services.book_slot(
            engagement, local(days_ahead(3), 10), kind=MeetingKind.VIDEO, agenda=LONG_AGENDA
        )
    with run_on_commit():
        services.reschedule_meeting(result.meeting, local(days_ahead(4), 14), by_organisation=True)
    with run_on_commit():
        services.cancel_meeting(result.meeting, by_organisation=True, reason="Conseil municipal")

    messages = invites_for("karim@jardins.org")
    assert len(messages) == 3
    uids, sequences, statuses = set(), [], []
    for message in messages:
        method, calendar, raw = calendar_part(message)
        assert str(calendar["METHOD"]) == method
        assert consultant.email not in message.to + message.cc + message.bcc
        assert set(message.to) == {"karim@jardins.org", "ines@jardins.org"}
        events = calendar.walk("VEVENT")
        assert len(events) == 1
        event = events[0]
        uids.add(str(event["UID"]))
        sequences.append(int(event["SEQUENCE"]))
        statuses.append(str(event["STATUS"]))
        assert event["DTSTAMP"].dt.utcoffset() == timedelta(0)
        assert event["DTSTAMP"].to_ical().endswith(b"Z")
        assert calendar.get_used_tzids() == {"Europe/Paris"}
        assert calendar.get_missing_tzids() == set()
        organizer = event["ORGANIZER"]
        assert str(organizer) == f"mailto:{consultant.email}"
        attendees = event["ATTENDEE"]
        assert {str(a) for a in attendees} == {
            "mailto:karim@jardins.org",
            "mailto:ines@jardins.org",
        }
        for attendee in attendees:
            assert attendee.params["RSVP"] == "TRUE"
        assert "UID" not in calendar  # no calendar-level UID to confuse clients
        assert b"\n" not in raw.replace(b"\r\n", b"")
        lines = raw.split(b"\r\n")
        assert max(len(line) for line in lines) <= 75
        assert any(line.startswith(b" ") for line in lines)  # long agenda was folded
    assert len(uids) == 1
    assert sequences == [0, 1, 2]
    assert statuses == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    assert [calendar_part(m)[0] for m in messages] == ["REQUEST", "REQUEST", "CANCEL"]


def test_invite_mime_tree_puts_the_calendar_in_the_alternative(engagement, run_on_commit):
    """multipart/mixed → multipart/alternative(text, HTML, text/calendar; method) + .ics."""
    with run_on_commit():
        services.book_slot(engagement, local(days_ahead(3), 10))
    mime = parsed(invites_for("karim@jardins.org")[0])
    assert mime.get_content_type() == "multipart/mixed"
    first, *others = mime.iter_parts()
    assert first.get_content_type() == "multipart/alternative"
    kinds = [p.get_content_type() for p in first.iter_parts()]
    assert kinds == ["text/plain", "text/html", "text/calendar"]
    calendar = list(first.iter_parts())[2]
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_content_charset() == "utf-8"
    assert calendar["Content-Transfer-Encoding"] == "base64"
    assert [p.get_content_type() for p in others] == ["application/ics"]
    assert others[0].get_filename() == "invitation.ics"


def test_invite_times_carry_the_paris_zone_and_the_right_instant(engagement, run_on_commit):
    """DTSTART is TZID=Europe/Paris and names the booked instant."""
    start = local(days_ahead(5), 15)
    with run_on_commit():
        services.book_slot(engagement, start)
    _method, calendar, raw = calendar_part(invites_for("karim@jardins.org")[0])
    event = calendar.walk("VEVENT")[0]
    assert event["DTSTART"].params["TZID"] == "Europe/Paris"
    assert event["DTSTART"].dt.astimezone(UTC) == start.astimezone(UTC)
    assert event["DTEND"].dt - event["DTSTART"].dt == timedelta(hours=1)
    assert f"DTSTART;TZID=Europe/Paris:{start:%Y%m%dT%H%M%S}".encode() in raw
