"""Stage automation around meetings (design.md §3): book, hold, cancel."""

from datetime import timedelta

import pytest
from django.utils import timezone

from calendar_sync import services
from calendar_sync.factories import MeetingFactory
from calendar_sync.models import Meeting, MeetingKind
from pipeline.models import StageChange
from pipeline.stages import Stage
from tests.calendar_sync.helpers import days_ahead, local

pytestmark = pytest.mark.django_db


def set_stage(engagement, stage):
    engagement.stage = stage
    engagement.save()


def test_booked_from_new_and_cancelled_goes_back_to_new(engagement):
    """Booking straight from the results page skips `qualified`; cancelling returns to `new`."""
    set_stage(engagement, Stage.NEW)
    result = services.book_slot(engagement, local(days_ahead(3), 10))
    engagement.refresh_from_db()
    assert engagement.stage == Stage.MEETING_SCHEDULED
    services.cancel_meeting(result.meeting, by_organisation=True)
    engagement.refresh_from_db()
    assert engagement.stage == Stage.NEW
    moves = list(
        StageChange.objects.filter(engagement=engagement).values_list("to_stage", flat=True)
    )
    assert moves[-2:] == [Stage.MEETING_SCHEDULED, Stage.NEW]


def test_follow_up_meeting_after_a_held_one_returns_to_held_when_cancelled(engagement, consultant):
    """meeting_held → meeting_scheduled (follow-up) → cancelled → meeting_held."""
    set_stage(engagement, Stage.MEETING_HELD)
    meeting = services.schedule_meeting(
        engagement, start=local(days_ahead(5), 10), duration=timedelta(hours=1),
        kind=MeetingKind.PHONE, location="04 00 00 00 00", user=consultant,
    )  # fmt: skip
    engagement.refresh_from_db()
    assert engagement.stage == Stage.MEETING_SCHEDULED
    services.cancel_meeting(meeting, user=consultant)
    engagement.refresh_from_db()
    assert engagement.stage == Stage.MEETING_HELD


def test_marking_held_moves_the_engagement_and_keeps_the_notes(engagement, consultant):
    """A held meeting moves the engagement to meeting_held with an activity."""
    set_stage(engagement, Stage.MEETING_SCHEDULED)
    start = timezone.now() - timedelta(hours=2)
    meeting = MeetingFactory(
        engagement=engagement, organiser=consultant, start=start, end=start + timedelta(hours=1)
    )
    services.mark_held(meeting, notes="Priorité : la messagerie", user=consultant)
    engagement.refresh_from_db()
    assert engagement.stage == Stage.MEETING_HELD
    assert engagement.activities.filter(kind="meeting", body__contains="messagerie").exists()


def test_closed_engagements_cannot_book(engagement):
    """Lost or completed engagements get a clear refusal."""
    set_stage(engagement, Stage.LOST)
    with pytest.raises(services.BookingError, match="clos"):
        services.book_slot(engagement, local(days_ahead(3), 10))
    assert not Meeting.objects.exists()


def test_consultant_cannot_double_book_themselves(engagement, consultant):
    """An overlapping meeting of the same consultant is refused."""
    services.schedule_meeting(
        engagement, start=local(days_ahead(5), 10), duration=timedelta(hours=1),
        kind=MeetingKind.VIDEO, user=consultant,
    )  # fmt: skip
    with pytest.raises(services.SlotUnavailable, match="chevauche"):
        services.schedule_meeting(
            engagement, start=local(days_ahead(5), 10) + timedelta(minutes=30),
            duration=timedelta(hours=1), kind=MeetingKind.VIDEO, user=consultant,
        )  # fmt: skip


def test_marketing_cannot_schedule(engagement, marketing_user):
    """The permission check lives in the service."""
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.schedule_meeting(
            engagement, start=local(days_ahead(5), 10), duration=timedelta(hours=1),
            kind=MeetingKind.VIDEO, user=marketing_user,
        )  # fmt: skip
