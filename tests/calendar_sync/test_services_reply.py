"""iTIP REPLY files (.ics or raw e-mail) update the attendee's answer (PARTSTAT)."""

from email.message import EmailMessage
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from calendar_sync import ical, services
from calendar_sync.factories import MeetingFactory
from calendar_sync.models import MeetingAttendee, PartStat

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(engagement, consultant):
    meeting = MeetingFactory(engagement=engagement, organiser=consultant, sequence=1)
    MeetingAttendee.objects.create(meeting=meeting, name="Karim", email="karim@jardins.org")
    return meeting


def reply(uid, email="karim@jardins.org", partstat="ACCEPTED", sequence=1, method="REPLY"):
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar//EN\r\n"
        f"METHOD:{method}\r\nBEGIN:VEVENT\r\nUID:{uid}\r\nSEQUENCE:{sequence}\r\n"
        "DTSTAMP:20270101T100000Z\r\nDTSTART:20270102T100000Z\r\n"
        f"ATTENDEE;PARTSTAT={partstat};CN=Karim:mailto:{email.upper()}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


def test_an_ics_reply_sets_the_attendee_answer(meeting, consultant):
    """ACCEPTED from the attendee (address case ignored) is recorded with a timeline entry."""
    [outcome] = services.apply_reply(reply(meeting.uid), user=consultant)
    assert outcome.applied
    attendee = meeting.attendees.get()
    assert attendee.partstat == PartStat.ACCEPTED and attendee.responded_at
    assert meeting.engagement.activities.filter(summary__contains="Accepté").exists()


def test_a_raw_email_reply_is_read_from_its_calendar_part(meeting):
    """The text/calendar part of a whole e-mail (.eml) is found and applied."""
    message = EmailMessage()
    message["From"] = "karim@jardins.org"
    message["Subject"] = "Refusé : rendez-vous"
    message.set_content("Je ne pourrai pas venir.")
    message.add_alternative(
        reply(meeting.uid, partstat="DECLINED").decode(),
        subtype="calendar",
        params={"method": "REPLY"},
    )
    services.apply_reply(message.as_bytes())
    assert meeting.attendees.get().partstat == PartStat.DECLINED


def test_stale_unknown_or_uninvited_replies_change_nothing(meeting):
    """A reply to an older SEQUENCE, an unknown UID or a stranger is reported, not applied."""
    outcomes = [
        *services.apply_reply(reply(meeting.uid, sequence=0)),
        *services.apply_reply(reply("unknown@x")),
        *services.apply_reply(reply(meeting.uid, email="stranger@example.org")),
    ]
    assert [o.applied for o in outcomes] == [False, False, False]
    assert meeting.attendees.get().partstat == PartStat.NEEDS_ACTION


def test_files_that_are_not_replies_are_refused_in_french(meeting):
    """A REQUEST, garbage, or an e-mail without calendar get a clear message."""
    for data in (reply(meeting.uid, method="REQUEST"), b"hello", b"From: a@b\r\n\r\nbody"):
        with pytest.raises(ical.ReplyError):
            services.apply_reply(data)


def test_management_command_reads_reply_files(meeting, tmp_path):
    """`import_itip_reply file.ics` applies the reply and prints what it did."""
    path = tmp_path / "reply.ics"
    path.write_bytes(reply(meeting.uid, partstat="TENTATIVE"))
    output = StringIO()
    call_command("import_itip_reply", str(path), stdout=output)
    assert "karim@jardins.org" in output.getvalue().lower()
    assert meeting.attendees.get().partstat == PartStat.TENTATIVE
    bad = tmp_path / "bad.ics"
    bad.write_bytes(b"nothing")
    with pytest.raises(CommandError):
        call_command("import_itip_reply", str(bad), stdout=StringIO())
