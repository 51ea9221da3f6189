from io import StringIO

import pytest
from django.core.management import call_command

from pipeline.models import Engagement, Organisation
from pipeline.random_data import RANDOM_SOURCE
from pipeline.stages import Stage, is_allowed_move

pytestmark = pytest.mark.django_db


def test_random_data_follows_the_stage_rules_and_can_be_cleared():
    """Generated journeys only take allowed moves; --clear removes them all."""
    call_command("create_random_data", "--organisations", "60", stdout=StringIO())
    assert Organisation.objects.count() == 60
    for engagement in Engagement.objects.prefetch_related("stage_changes"):
        changes = list(engagement.stage_changes.all())
        assert changes[0].to_stage == Stage.NEW
        for change in changes[1:]:
            lost_from = change.from_stage if change.to_stage == Stage.LOST else ""
            assert change.to_stage == Stage.LOST or is_allowed_move(
                change.from_stage, change.to_stage, lost_from
            )
        assert changes[-1].to_stage == engagement.stage

    call_command("create_random_data", "--organisations", "0", "--clear", stdout=StringIO())
    assert not Engagement.objects.filter(source=RANDOM_SOURCE).exists()


def test_random_data_gives_the_bench_meetings_roadmaps_and_calendars():
    """Engagements that reached a meeting have one (live and future while they wait for it),
    those that reached a roadmap have one (published once shared), consultants can be booked;
    --without-extras leaves meetings and roadmaps out."""
    from django.utils import timezone

    from calendar_sync.models import ConsultantCalendar, Meeting, MeetingStatus
    from pipeline.models import Roadmap

    call_command("create_random_data", "--organisations", "120", stdout=StringIO())
    for engagement in Engagement.objects.prefetch_related("stage_changes", "meetings"):
        reached = {change.to_stage for change in engagement.stage_changes.all()}
        meetings = list(engagement.meetings.all())
        assert len(meetings) == (1 if Stage.MEETING_SCHEDULED in reached else 0)
        if engagement.stage == Stage.MEETING_SCHEDULED:
            assert meetings[0].status == MeetingStatus.SCHEDULED
            assert meetings[0].start > timezone.now()
            assert meetings[0].attendees.count() == 1
        roadmap = Roadmap.objects.filter(engagement=engagement).first()
        assert (roadmap is not None) == (Stage.ROADMAP_DRAFT in reached)
        if roadmap:
            assert roadmap.is_published == (Stage.ROADMAP_SHARED in reached)
            assert roadmap.items.count() == 5
    assert Meeting.objects.filter(status=MeetingStatus.SCHEDULED).exists()
    assert ConsultantCalendar.objects.filter(consultant__username="bench-consultant-1").exists()

    before = (Meeting.objects.count(), Roadmap.objects.count())
    call_command(
        "create_random_data", "--organisations", "50", "--without-extras", stdout=StringIO()
    )
    assert Organisation.objects.count() == 170
    assert (Meeting.objects.count(), Roadmap.objects.count()) == before
