"""Free slots of consultants: working hours minus days off, busy times and meetings.

One pass over sorted lists: candidate slots (from working hours, in the consultant's own
zone, so daylight-saving days come out right) are walked alongside the merged busy intervals,
so the cost grows linearly with the number of busy events, not with their product.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db.models import BigIntegerField, Func, Max
from django.utils import timezone

from calendar_sync.models import BusyTime, ConsultantCalendar, Meeting, MeetingStatus
from pipeline.models import Engagement
from pipeline.services.base import CONSULTANTS_GROUP

User = get_user_model()


@dataclass(frozen=True, order=True)
class Slot:
    start: datetime  # aware, UTC
    end: datetime
    consultant_ids: tuple[int, ...] = field(default=(), compare=False)

    @property
    def key(self) -> str:
        """The value a booking form posts: compact UTC, e.g. 20270328T080000Z."""
        return self.start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def parse_slot_key(value: str) -> datetime | None:
    try:
        parsed = datetime.strptime(value or "", "%Y%m%dT%H%M%SZ")
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC)


def booking_window(calendar: ConsultantCalendar, now: datetime) -> tuple[datetime, datetime]:
    """From now + minimum notice to the end of the last day of the horizon (consultant's zone)."""
    earliest = now + timedelta(hours=calendar.minimum_notice_hours)
    last_day = now.astimezone(calendar.zone).date() + timedelta(days=calendar.horizon_days)
    latest = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), calendar.zone)
    return earliest, latest


def candidate_slots(calendar: ConsultantCalendar, start: datetime, end: datetime) -> list[Slot]:
    """Slots that fit in working hours between start and end, days off excluded, sorted."""
    zone = calendar.zone
    duration = timedelta(minutes=calendar.meeting_minutes)
    step = timedelta(minutes=max(calendar.slot_step_minutes, 5))
    days_off = {str(d) for d in calendar.days_off or ()}
    slots: list[Slot] = []
    day = start.astimezone(zone).date()
    last = end.astimezone(zone).date()
    while day <= last:
        if day.isoformat() not in days_off:
            for range_start, range_end in calendar.ranges_for_weekday(day.weekday()):
                # Wall-clock arithmetic in the consultant's zone, then UTC for comparisons.
                local = datetime.combine(day, range_start, zone)
                close = datetime.combine(day, range_end, zone)
                while local + duration <= close:
                    slot_start = local.astimezone(UTC)
                    slot_end = (local + duration).astimezone(UTC)
                    if slot_start >= start and slot_end <= end:
                        slots.append(Slot(slot_start, slot_end, (calendar.consultant_id,)))
                    local += step
        day += timedelta(days=1)
    return slots


class EpochSeconds(Func):
    """A datetime column as whole seconds since 1970 (UTC), computed by the database.

    Busy intervals are read this way because turning thousands of SQLite datetime strings
    into aware datetimes was most of the cost of a busy calendar; integers need no
    conversion. Starts are rounded down and ends up, so an interval is never shortened.
    """

    output_field = BigIntegerField()
    arity = 1

    def __init__(self, expression, *, round_up: bool = False):
        super().__init__(expression)
        self.round_up = round_up

    def as_sqlite(self, compiler, connection, **extra):
        # strftime('%s') drops the fraction (rounds down); a fractional end adds one second.
        # '%' is doubled twice: once for this template, once for the driver's parameter style.
        template = "CAST(strftime('%%%%s', %(expressions)s) AS INTEGER)"
        if self.round_up:
            template = (
                "(CAST(strftime('%%%%s', %(expressions)s) AS INTEGER)"
                " + (CAST(strftime('%%%%f', %(expressions)s) AS REAL)"
                " > CAST(strftime('%%%%S', %(expressions)s) AS INTEGER)))"
            )
        return self.as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        rounding = "CEIL" if self.round_up else "FLOOR"
        template = f"CAST({rounding}(EXTRACT(EPOCH FROM %(expressions)s)) AS BIGINT)"
        return self.as_sql(compiler, connection, template=template, **extra)


def _epoch_pairs(queryset) -> list[tuple[int, int]]:
    return list(queryset.values_list(EpochSeconds("start"), EpochSeconds("end", round_up=True)))


def busy_intervals(
    calendar: ConsultantCalendar,
    start: datetime,
    end: datetime,
    *,
    exclude_meeting: Meeting | None = None,
) -> list[tuple[int, int]]:
    """Merged, sorted busy intervals in epoch seconds: imported busy times and the
    consultant's live meetings."""
    intervals = _epoch_pairs(
        BusyTime.objects.filter(calendar=calendar, start__lt=end, end__gt=start)
    )
    meetings = Meeting.objects.filter(
        organiser_id=calendar.consultant_id, status=MeetingStatus.SCHEDULED
    ).overlapping(start, end)
    if exclude_meeting is not None:
        meetings = meetings.exclude(pk=exclude_meeting.pk)
    intervals.extend(_epoch_pairs(meetings))
    intervals.sort()
    merged: list[tuple[int, int]] = []
    for interval_start, interval_end in intervals:
        if merged and interval_start <= merged[-1][1]:
            if interval_end > merged[-1][1]:
                merged[-1] = (merged[-1][0], interval_end)
        else:
            merged.append((interval_start, interval_end))
    return merged


def free_slots(
    calendar: ConsultantCalendar,
    *,
    now: datetime | None = None,
    between: tuple[datetime, datetime] | None = None,
    exclude_meeting: Meeting | None = None,
) -> list[Slot]:
    """Bookable slots of one consultant, inside the booking window (and `between` if given)."""
    now = now or timezone.now()
    start, end = booking_window(calendar, now)
    if between is not None:
        start, end = max(start, between[0]), min(end, between[1])
    if start >= end:
        return []
    candidates = candidate_slots(calendar, start, end)
    if not candidates:
        return []
    before = timedelta(minutes=calendar.buffer_before_minutes)
    after = timedelta(minutes=calendar.buffer_after_minutes)
    busy = busy_intervals(
        calendar, candidates[0].start - before, candidates[-1].end + after,
        exclude_meeting=exclude_meeting,
    )  # fmt: skip
    before_seconds, after_seconds = before.total_seconds(), after.total_seconds()
    free: list[Slot] = []
    index = 0
    for slot in candidates:
        guarded_start = slot.start.timestamp() - before_seconds
        guarded_end = slot.end.timestamp() + after_seconds
        while index < len(busy) and busy[index][1] <= guarded_start:
            index += 1
        if index < len(busy) and busy[index][0] < guarded_end:
            continue
        free.append(slot)
    return free


def booking_calendars(engagement: Engagement) -> list[ConsultantCalendar]:
    """Whose slots the organisation sees: the engagement's owner, else every bookable
    consultant in round-robin order (the one booked the longest ago first)."""
    calendars = ConsultantCalendar.objects.select_related("consultant").filter(
        accepts_bookings=True, consultant__is_active=True
    )
    if engagement.owner_id:
        return list(calendars.filter(consultant_id=engagement.owner_id))
    ordered = (
        calendars.filter(consultant__groups__name=CONSULTANTS_GROUP)
        .annotate(last_booked=Max("consultant__organised_meetings__created_at"))
        .order_by("last_booked", "pk")
    )
    calendars = list(ordered)
    # Never booked first, on every database (NULL ordering differs).
    return [c for c in calendars if c.last_booked is None] + [
        c for c in calendars if c.last_booked is not None
    ]


def merged_free_slots(
    calendars: Sequence[ConsultantCalendar],
    *,
    now: datetime | None = None,
    exclude_meeting: Meeting | None = None,
) -> list[Slot]:
    """Free slots of several consultants, one per start time, listing who is free then."""
    by_start: dict[datetime, Slot] = {}
    for calendar in calendars:
        for slot in free_slots(calendar, now=now, exclude_meeting=exclude_meeting):
            known = by_start.get(slot.start)
            if known is None:
                by_start[slot.start] = slot
            elif known.end == slot.end:
                by_start[slot.start] = Slot(
                    slot.start, slot.end, known.consultant_ids + slot.consultant_ids
                )
    return sorted(by_start.values())


@dataclass
class SlotDay:
    day: date
    slots: list[tuple[Slot, datetime]]  # the slot and its start in the display zone


def group_by_day(slots: Iterable[Slot], zone) -> list[SlotDay]:
    days: list[SlotDay] = []
    for slot in slots:
        local = slot.start.astimezone(zone)
        if not days or days[-1].day != local.date():
            days.append(SlotDay(local.date(), []))
        days[-1].slots.append((slot, local))
    return days
