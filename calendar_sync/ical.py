"""iCalendar documents: iMIP invites (REQUEST/CANCEL), feeds and downloads (PUBLISH), CalDAV
objects, and iTIP replies read back. Rules: reference/calendar-interop.md and design.md §6.

icalendar does the serialisation (CRLF, 75-octet folding, TEXT escaping); this module decides
what goes in, and keeps every value on one line where a line break would mean something.
"""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone, vCalAddress

from calendar_sync.models import Meeting, MeetingKind, MeetingStatus
from pipeline.outbox import single_line

PRODID = "-//LaSuite.coop//Passerelle//FR"
ICS_MIMETYPE = "text/calendar"


class Method:
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"
    PUBLISH = "PUBLISH"
    REPLY = "REPLY"


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def new_calendar(method: str | None = None) -> Calendar:
    """A VCALENDAR without the calendar-level UID that Calendar.new() would add."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    return calendar


def add_timezones(calendar: Calendar, first: date, last: date) -> None:
    """VTIMEZONE for every TZID used, over a narrow range so mails stay small."""
    calendar.add_missing_timezones(first_date=first - timedelta(days=1), last_date=last)


def display_name(user) -> str:
    return clean_param(user.get_full_name() or user.get_username())


def clean_param(value: str) -> str:
    """A parameter value (CN) can neither break a line nor close its quotes."""
    return single_line(str(value).replace('"', "'"), 200)


def summary_for(meeting: Meeting) -> str:
    return single_line(
        _("Audit Passerelle — %(organisation)s")
        % {"organisation": meeting.engagement.organisation},
        250,
    )


def _labels() -> dict[str, str]:
    """The fixed words of descriptions, translated once per document (gettext is not free
    when a feed holds thousands of events)."""
    return {
        "intro": _("Rendez-vous personnalisé de l'audit de souveraineté numérique (Passerelle)."),
        "consultant": _("Consultant·e : %(name)s"),
        "kind": _("Format : %(kind)s"),
        "join": _("Rejoindre la visioconférence : %(url)s"),
        "where": _("Lieu : %(where)s"),
        "people": _("Participant·es : %(names)s"),
        "agenda": _("Ordre du jour :"),
        **{f"kind:{value}": str(label) for value, label in MeetingKind.choices},
    }


def description_for(
    meeting: Meeting,
    *,
    with_people: bool = False,
    labels: dict[str, str] | None = None,
    people: Iterable[str] | None = None,
) -> str:
    labels = labels or _labels()
    lines = [
        labels["intro"],
        labels["consultant"] % {"name": display_name(meeting.organiser)},
        labels["kind"] % {"kind": labels.get(f"kind:{meeting.kind}", meeting.kind)},
    ]
    if meeting.kind == MeetingKind.VIDEO and meeting.video_url:
        lines.append(labels["join"] % {"url": meeting.video_url})
    elif meeting.location:
        lines.append(labels["where"] % {"where": single_line(meeting.location, 300)})
    if with_people:
        if people is None:
            people = meeting.attendees.values_list("name", flat=True)
        names = ", ".join(people)
        if names:
            lines.append(labels["people"] % {"names": single_line(names, 500)})
    if meeting.agenda:
        lines += ["", labels["agenda"], meeting.agenda.replace("\r\n", "\n").strip()]
    return "\n".join(lines)


def _event(meeting: Meeting, *, stamp: datetime, status: str) -> Event:
    zone = _zone()
    event = Event()
    event.add("uid", meeting.uid)
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("sequence", meeting.sequence)
    event.add("dtstart", meeting.start.astimezone(zone))
    event.add("dtend", meeting.end.astimezone(zone))
    event.add("summary", summary_for(meeting))
    event.add("status", status)
    event.add("transp", "OPAQUE")
    event.add("created", meeting.created_at.astimezone(UTC))
    event.add("last-modified", meeting.updated_at.astimezone(UTC))
    where = single_line(meeting.where, 500)
    if where:
        event.add("location", where)
    if meeting.kind == MeetingKind.VIDEO and meeting.video_url:
        event.add("url", single_line(meeting.video_url, 500))
    return event


def invite(
    meeting: Meeting, method: str, *, stamp: datetime | None = None, language: str | None = None
) -> bytes:
    """The iTIP object of an iMIP e-mail: REQUEST (new or moved) or CANCEL, with its summary
    and description in `language` (French by default)."""
    stamp = stamp or timezone.now()
    with translation.override(language or settings.LANGUAGE_CODE):
        calendar = new_calendar(method)
        status = "CANCELLED" if method == Method.CANCEL else "CONFIRMED"
        event = _event(meeting, stamp=stamp, status=status)
        event.add("description", description_for(meeting))
        organiser = meeting.organiser
        # A consultant without an address still needs a mailto: ORGANIZER (Gmail, Outlook).
        address = organiser.email or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
        event.add(
            "organizer", vCalAddress.new(single_line(address, 254), cn=display_name(organiser))
        )
        for attendee in meeting.attendees.all():
            partstat = "NEEDS-ACTION" if method == Method.REQUEST else attendee.partstat
            event.add(
                "attendee",
                vCalAddress.new(
                    single_line(attendee.email, 254),
                    cn=clean_param(attendee.name),
                    role="REQ-PARTICIPANT",
                    partstat=partstat,
                    rsvp=True,
                    cutype="INDIVIDUAL",
                ),
            )
        calendar.add_component(event)
        add_timezones(calendar, meeting.start.date(), meeting.end.date() + timedelta(days=1))
    return calendar.to_ical()


def published_event(
    meeting: Meeting,
    *,
    stamp: datetime,
    with_people: bool = True,
    labels: dict[str, str] | None = None,
    people: Iterable[str] | None = None,
) -> Event:
    """An event for a feed, a download or CalDAV: no ORGANIZER/ATTENDEE addresses, so no
    client sends RSVP mails and no address leaks into a third-party calendar."""
    status = "CANCELLED" if meeting.status == MeetingStatus.CANCELLED else "CONFIRMED"
    event = _event(meeting, stamp=stamp, status=status)
    event.add(
        "description",
        description_for(meeting, with_people=with_people, labels=labels, people=people),
    )
    event.add("class", "PRIVATE")
    return event


def single_event(meeting: Meeting, *, with_people: bool = True) -> bytes:
    """One meeting as a downloadable .ics (METHOD:PUBLISH), or for CalDAV (no METHOD)."""
    with translation.override(settings.LANGUAGE_CODE):
        calendar = new_calendar(Method.PUBLISH)
        calendar.add_component(
            published_event(meeting, stamp=timezone.now(), with_people=with_people)
        )
        add_timezones(calendar, meeting.start.date(), meeting.end.date() + timedelta(days=1))
    return calendar.to_ical()


def caldav_object(meeting: Meeting) -> bytes:
    """What we store in the consultant's CalDAV calendar: no METHOD (RFC 4791 §4.1), and no
    ORGANIZER/ATTENDEE, or a scheduling server (Nextcloud, SabreDAV) would e-mail the
    organisation a second invitation."""
    with translation.override(settings.LANGUAGE_CODE):
        calendar = new_calendar(None)
        calendar.add_component(published_event(meeting, stamp=timezone.now()))
        add_timezones(calendar, meeting.start.date(), meeting.end.date() + timedelta(days=1))
    return calendar.to_ical()


_END = b"END:VCALENDAR\r\n"


def feed(
    meetings: Iterable[Meeting],
    *,
    name: str,
    first: date,
    last: date,
    stamp: datetime,
    people: dict[int, list[str]] | None = None,
) -> bytes:
    """A consultant's subscription feed (METHOD:PUBLISH).

    Serialised event by event rather than as one big tree: memory stays flat and the cost
    grows linearly with the number of meetings.
    """
    with translation.override(settings.LANGUAGE_CODE):
        calendar = new_calendar(Method.PUBLISH)
        calendar.calendar_name = single_line(name, 200)
        calendar.refresh_interval = timedelta(hours=1)
        calendar.add("x-published-ttl", timedelta(hours=1))
        calendar.add_component(
            Timezone.from_tzid(
                settings.TIME_ZONE, first_date=first - timedelta(days=1), last_date=last
            )
        )
        head = calendar.to_ical()
        labels = _labels()
        chunks = [head[: -len(_END)]]
        for meeting in meetings:
            event = published_event(
                meeting,
                stamp=stamp,
                labels=labels,
                people=people.get(meeting.pk, []) if people is not None else None,
            )
            chunks.append(event.to_ical())
        chunks.append(_END)
    return b"".join(chunks)


# --- iTIP REPLY ------------------------------------------------------------------------------


class ReplyError(ValueError):
    """The file is not a usable iTIP REPLY; the message is shown to the consultant."""


@dataclass(frozen=True)
class ReplyItem:
    uid: str
    sequence: int
    email: str
    partstat: str
    stamp: datetime | None


_CALENDAR_START = re.compile(rb"^\s*(\xef\xbb\xbf)?BEGIN:VCALENDAR", re.IGNORECASE)
MAX_REPLY_BYTES = 2 * 1024 * 1024


def calendar_bytes_from(data: bytes) -> bytes:
    """The calendar in an .ics file, or in the first text/calendar part of a raw e-mail."""
    if len(data) > MAX_REPLY_BYTES:
        raise ReplyError(_("Le fichier est trop volumineux (2 Mo au maximum)."))
    if _CALENDAR_START.match(data):
        return data
    message = email.message_from_bytes(data, policy=email.policy.default)
    for part in message.walk():
        content_type = part.get_content_type()
        filename = (part.get_filename() or "").lower()
        if content_type in ("text/calendar", "application/ics") or filename.endswith(".ics"):
            payload = part.get_payload(decode=True)
            if payload and _CALENDAR_START.match(payload):
                return payload
    raise ReplyError(_("Aucun calendrier (text/calendar ou .ics) trouvé dans ce fichier."))


def parse_reply(data: bytes) -> list[ReplyItem]:
    raw = calendar_bytes_from(data)
    try:
        calendar = Calendar.from_ical(raw)
    except ValueError as exc:
        raise ReplyError(_("Ce fichier n'est pas un calendrier lisible.")) from exc
    method = str(calendar.get("METHOD", "")).upper()
    if method != Method.REPLY:
        raise ReplyError(
            _("Ce calendrier n'est pas une réponse (METHOD:%(method)s au lieu de REPLY).")
            % {"method": method or "—"}
        )
    items = []
    for event in calendar.walk("VEVENT"):
        uid = str(event.get("UID", "")).strip()
        sequence = int(event.get("SEQUENCE", 0) or 0)
        stamp = event.get("DTSTAMP")
        attendees = event.get("ATTENDEE", [])
        if not isinstance(attendees, list):
            attendees = [attendees]
        for attendee in attendees:
            address = str(attendee)
            if address.lower().startswith("mailto:"):
                address = address[7:]
            partstat = str(attendee.params.get("PARTSTAT", "NEEDS-ACTION")).upper()
            items.append(
                ReplyItem(
                    uid=uid,
                    sequence=sequence,
                    email=address.strip(),
                    partstat=partstat,
                    stamp=stamp.dt if stamp is not None else None,
                )
            )
    if not items:
        raise ReplyError(_("La réponse ne contient aucun participant."))
    return items
