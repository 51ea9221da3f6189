"""Busy times read from the consultant's own calendar (ICS URL or CalDAV), on a schedule.

Recurring events are expanded with recurring-ical-events; all-day and floating events are
read in the consultant's zone; free (TRANSP:TRANSPARENT) and cancelled events are ignored, and
so are our own meetings pushed to the same CalDAV calendar (they are counted as meetings).
"""

from __future__ import annotations

import logging
import urllib.request
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import recurring_ical_events
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from icalendar import Calendar

from calendar_sync.models import BusySource, BusyTime, ConsultantCalendar, Meeting
from pipeline.outbox import single_line

logger = logging.getLogger(__name__)

MAX_ICS_BYTES = 10 * 1024 * 1024


class BusySyncError(RuntimeError):
    pass


def fetch_ics(url: str) -> bytes:
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    if not url.lower().startswith(("http://", "https://")):
        raise BusySyncError("Adresse non prise en charge (http ou https attendu).")
    request = urllib.request.Request(  # noqa: S310 - scheme checked just above
        url, headers={"User-Agent": "Passerelle busy-time reader"}
    )
    with urllib.request.urlopen(  # noqa: S310
        request, timeout=settings.CALENDAR_HTTP_TIMEOUT
    ) as response:
        data = response.read(MAX_ICS_BYTES + 1)
    if len(data) > MAX_ICS_BYTES:
        raise BusySyncError("Agenda trop volumineux (10 Mo au maximum).")
    return data


def _aware(value, zone: ZoneInfo, *, end: bool = False) -> datetime:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=zone)).astimezone(UTC)
    if isinstance(value, date):  # all-day: the whole local day
        return datetime.combine(value, datetime.min.time(), zone).astimezone(UTC)
    raise ValueError(value)


def busy_intervals_from(
    calendars: Iterable[Calendar], start: datetime, end: datetime, zone: ZoneInfo,
    skip_uids: set[str] = frozenset(),
) -> list[tuple[datetime, datetime, str]]:  # fmt: skip
    intervals = []
    for calendar in calendars:
        for event in recurring_ical_events.of(calendar).between(start, end):
            if event.name != "VEVENT":
                continue
            if str(event.get("TRANSP", "OPAQUE")).upper() == "TRANSPARENT":
                continue
            if str(event.get("STATUS", "")).upper() == "CANCELLED":
                continue
            uid = str(event.get("UID", ""))
            if uid in skip_uids:
                continue
            event_start = event.get("DTSTART")
            if event_start is None:
                continue
            begin = _aware(event_start.dt, zone)
            if event.get("DTEND") is not None:
                finish = _aware(event["DTEND"].dt, zone, end=True)
            elif event.get("DURATION") is not None:
                finish = begin + event["DURATION"].dt
            elif isinstance(event_start.dt, datetime):
                finish = begin
            else:
                finish = begin + timedelta(days=1)
            if finish > begin:
                intervals.append((begin, finish, uid))
    return intervals


def _caldav_calendars(calendar: ConsultantCalendar, start: datetime, end: datetime):
    from calendar_sync.caldav_sync import remote_calendar

    remote = remote_calendar(calendar)
    for obj in remote.search(start=start, end=end, event=True, expand=False):
        yield Calendar.from_ical(obj.data)


def sync_busy_times(calendar: ConsultantCalendar, now: datetime | None = None) -> int:
    """Replace the imported busy times of one consultant; keeps the old ones on failure."""
    now = now or timezone.now()
    start = now - timedelta(days=1)
    end = now + timedelta(days=calendar.horizon_days + 2)
    zone = calendar.zone
    sources: dict[str, list[tuple[datetime, datetime, str]]] = {}
    errors = []
    if calendar.busy_ics_url:
        try:
            parsed = Calendar.from_ical(fetch_ics(calendar.busy_ics_url))
            sources[BusySource.ICS] = busy_intervals_from([parsed], start, end, zone)
        except Exception as exc:  # network, HTTP or parse error: shown in the admin
            errors.append(f"ICS : {type(exc).__name__}: {exc}")
    if calendar.caldav_read_busy and calendar.caldav_configured:
        try:
            remote = list(_caldav_calendars(calendar, start, end))
            found = busy_intervals_from(remote, start, end, zone)
            ours = set(
                Meeting.objects.filter(uid__in={uid for *_, uid in found}).values_list(
                    "uid", flat=True
                )
            )
            sources[BusySource.CALDAV] = [i for i in found if i[2] not in ours]
        except Exception as exc:
            errors.append(f"CalDAV : {type(exc).__name__}: {exc}")
    with transaction.atomic():
        for source, intervals in sources.items():
            BusyTime.objects.filter(calendar=calendar, source=source).delete()
            BusyTime.objects.bulk_create(
                BusyTime(calendar=calendar, source=source, start=s, end=e) for s, e, _ in intervals
            )
        for source in {BusySource.ICS, BusySource.CALDAV} - set(sources):
            if source == BusySource.ICS and not calendar.busy_ics_url:
                BusyTime.objects.filter(calendar=calendar, source=source).delete()
            if source == BusySource.CALDAV and not calendar.caldav_read_busy:
                BusyTime.objects.filter(calendar=calendar, source=source).delete()
        ConsultantCalendar.objects.filter(pk=calendar.pk).update(
            busy_synced_at=now, busy_sync_error=single_line(" · ".join(errors), 2000)
        )
    if errors:
        logger.warning("Busy-time sync of calendar %s: %s", calendar.pk, errors)
    return sum(len(i) for i in sources.values())


def sync_all(now: datetime | None = None) -> int:
    total = 0
    calendars = ConsultantCalendar.objects.exclude(busy_ics_url="", caldav_read_busy=False)
    for calendar in calendars:
        total += sync_busy_times(calendar, now=now)
    return total
