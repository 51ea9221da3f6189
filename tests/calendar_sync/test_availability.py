"""Free slots: working hours, days off, buffers, notice, horizon and round robin."""

from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from calendar_sync import availability
from calendar_sync.factories import ConsultantCalendarFactory, MeetingFactory
from calendar_sync.models import BusySource, BusyTime, MeetingStatus
from pipeline.factories import ConsultantFactory, EngagementFactory
from tests.calendar_sync.conftest import EVERY_DAY
from tests.calendar_sync.helpers import days_ahead, local

pytestmark = pytest.mark.django_db


def starts(calendar, day):
    return [
        s.start.astimezone(local(day, 0).tzinfo).hour
        for s in availability.free_slots(calendar, between=(local(day, 0), local(day, 23)))
    ]


def test_slots_come_from_working_hours_only(calendar):
    """Only whole meetings inside the working ranges are offered."""
    assert starts(calendar, days_ahead(3)) == [9, 10, 11, 14, 15, 16]


def test_days_off_and_empty_weekdays_have_no_slots(calendar):
    """A day off and a weekday without hours offer nothing."""
    day = days_ahead(3)
    calendar.days_off = [day.isoformat()]
    calendar.working_hours = {**EVERY_DAY, str(days_ahead(4).weekday()): []}
    calendar.save()
    assert starts(calendar, day) == []
    assert starts(calendar, days_ahead(4)) == []
    assert starts(calendar, days_ahead(5)) == [9, 10, 11, 14, 15, 16]


def test_buffers_keep_room_around_meetings_and_busy_times(calendar, engagement, consultant):
    """A meeting 10–11 with 15 min buffers also removes 9:00 and 11:00."""
    day = days_ahead(3)
    calendar.buffer_before_minutes = calendar.buffer_after_minutes = 15
    calendar.save()
    MeetingFactory(
        engagement=engagement, organiser=consultant, start=local(day, 10), end=local(day, 11)
    )
    BusyTime.objects.create(
        calendar=calendar,
        source=BusySource.ICS,
        start=local(
            day,
            15,
        ),
        end=local(day, 15) + timedelta(minutes=30),
    )
    assert starts(calendar, day) == [16]  # 14:00 ends at 15:00 + 15 min buffer overlaps 15:00


def test_busy_edges_are_exact_to_the_second(calendar):
    """Busy times are compared in whole seconds, never shortened: one ending exactly when a
    slot starts leaves it free, one ending half a second later takes it."""
    day = days_ahead(3)
    calendar.buffer_before_minutes = calendar.buffer_after_minutes = 0
    calendar.save()
    BusyTime.objects.create(
        calendar=calendar, source=BusySource.ICS, start=local(day, 9), end=local(day, 10)
    )
    assert starts(calendar, day) == [10, 11, 14, 15, 16]
    BusyTime.objects.create(
        calendar=calendar,
        source=BusySource.ICS,
        start=local(day, 14) - timedelta(minutes=5),
        end=local(day, 15) + timedelta(microseconds=500_000),
    )
    BusyTime.objects.create(
        calendar=calendar,
        source=BusySource.ICS,
        start=local(day, 17) - timedelta(microseconds=500_000),
        end=local(day, 17) + timedelta(minutes=30),
    )
    assert starts(calendar, day) == [10, 11]


def test_cancelled_meetings_free_their_slot(calendar, engagement, consultant):
    """Only live meetings block time."""
    day = days_ahead(3)
    MeetingFactory(
        engagement=engagement,
        organiser=consultant,
        start=local(day, 10),
        end=local(day, 11),
        status=MeetingStatus.CANCELLED,
    )
    assert 10 in starts(calendar, day)


def test_minimum_notice_and_horizon_bound_the_window(calendar):
    """Nothing before now + notice, nothing after the horizon's last day."""
    calendar.minimum_notice_hours = 48
    calendar.horizon_days = 10
    calendar.save()
    slots = availability.free_slots(calendar)
    now = timezone.now()
    assert slots[0].start >= now + timedelta(hours=48)
    assert slots[-1].start.astimezone(calendar.zone).date() <= days_ahead(10)
    assert starts(calendar, days_ahead(11)) == []


def test_round_robin_offers_everyone_and_starts_with_the_least_recently_booked(db):
    """Without an owner, the slots of every bookable consultant are merged; the one booked
    the longest ago comes first."""
    busy_one = ConsultantCalendarFactory(
        consultant=ConsultantFactory(username="a"), working_hours=EVERY_DAY
    )
    idle_one = ConsultantCalendarFactory(
        consultant=ConsultantFactory(username="b"), working_hours=EVERY_DAY
    )
    MeetingFactory(organiser=busy_one.consultant)
    engagement = EngagementFactory(owner=None)
    calendars = availability.booking_calendars(engagement)
    assert [c.pk for c in calendars] == [idle_one.pk, busy_one.pk]
    slots = availability.merged_free_slots(calendars)
    assert len({s.start for s in slots}) == len(slots)
    assert set(slots[0].consultant_ids) == {busy_one.consultant_id, idle_one.consultant_id}


def test_slot_keys_round_trip_and_reject_garbage():
    """The posted value is strict compact UTC."""
    moment = local(days_ahead(3), 10).astimezone(UTC)
    slot = availability.Slot(moment, moment + timedelta(hours=1))
    assert availability.parse_slot_key(slot.key) == moment
    for bad in ("", "2027-01-01T10:00", "20270101T100000", "x" * 100, None):
        assert availability.parse_slot_key(bad) is None
