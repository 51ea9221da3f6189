"""Helpers to read back what the calendar code produced: e-mails, MIME parts, calendars."""

from __future__ import annotations

import email
import email.policy
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from calendar_sync import links

PARIS = ZoneInfo("Europe/Paris")


def booking_path(engagement) -> str:
    return links.booking_url(engagement).removeprefix("http://testserver")


def parsed(message):
    """The e-mail as a receiving MTA sees it (bytes parsed back)."""
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def calendar_part(message):
    """The text/calendar part of an e-mail, parsed: (method parameter, Calendar, raw bytes)."""
    mime = parsed(message)
    parts = [p for p in mime.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, [p.get_content_type() for p in mime.walk()]
    part = parts[0]
    raw = part.get_payload(decode=True)
    return part.get_param("method"), Calendar.from_ical(raw), raw


def local(day: date, hour: int, zone=PARIS) -> datetime:
    return datetime.combine(day, time(hour), zone)


def days_ahead(n: int) -> date:
    return date.today() + timedelta(days=n)


def last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() - 6) % 7)


def next_last_sunday(month: int) -> date:
    today = date.today()
    candidate = last_sunday(today.year, month)
    if candidate <= today + timedelta(days=1):
        candidate = last_sunday(today.year + 1, month)
    return candidate
