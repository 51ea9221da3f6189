import pytest
from django.core.exceptions import PermissionDenied

from pipeline import services
from pipeline.factories import EngagementFactory
from pipeline.models import ActivityKind
from pipeline.stages import ALLOWED_MOVES, LostReason, Stage

pytestmark = pytest.mark.django_db

ILLEGAL_MOVES = [
    (Stage.NEW, Stage.MEETING_HELD),
    (Stage.NEW, Stage.COMPLETED),
    (Stage.QUALIFIED, Stage.ROADMAP_SHARED),
    (Stage.MEETING_HELD, Stage.IN_TRANSITION),
    (Stage.ROADMAP_DRAFT, Stage.COMPLETED),
    (Stage.COMPLETED, Stage.NEW),
]


@pytest.mark.parametrize("from_stage, to_stage", ILLEGAL_MOVES)
def test_illegal_moves_raise_a_clear_error(consultant, from_stage, to_stage):
    """Moves outside design.md §3 are refused with a French message, nothing recorded."""
    engagement = EngagementFactory(stage=from_stage)
    with pytest.raises(services.IllegalTransition, match="Passage impossible"):
        services.move_stage(engagement, to_stage, user=consultant)
    engagement.refresh_from_db()
    assert engagement.stage == from_stage
    assert not engagement.stage_changes.exists()


@pytest.mark.parametrize(
    "from_stage, to_stage",
    [
        (f, t)
        for f, targets in ALLOWED_MOVES.items()
        if f != Stage.LOST
        for t in sorted(targets)
        if t != Stage.LOST
    ],
)
def test_allowed_moves_record_change_activity_and_history(consultant, from_stage, to_stage):
    """Each allowed move writes a StageChange, an Activity and a history row with the user."""
    engagement = EngagementFactory(stage=from_stage)
    change = services.move_stage(engagement, to_stage, user=consultant, note="appel")
    engagement.refresh_from_db()
    assert engagement.stage == to_stage
    assert (change.from_stage, change.to_stage, change.changed_by) == (
        from_stage,
        to_stage,
        consultant,
    )
    activity = engagement.activities.get(kind=ActivityKind.STAGE_CHANGE)
    assert activity.actor == consultant
    latest = engagement.history.first()
    assert latest.stage == to_stage and latest.history_user == consultant


def test_lost_then_reopened_returns_to_the_stage_it_was_lost_from(consultant):
    """A lost engagement can only come back to where it was."""
    engagement = EngagementFactory(stage=Stage.MEETING_HELD)
    services.mark_lost(engagement, LostReason.BUDGET, user=consultant)
    engagement.refresh_from_db()
    assert (engagement.stage, engagement.lost_from_stage) == (Stage.LOST, Stage.MEETING_HELD)
    with pytest.raises(services.IllegalTransition):
        services.move_stage(engagement, Stage.NEW, user=consultant)
    services.reopen(engagement, user=consultant)
    engagement.refresh_from_db()
    assert engagement.stage == Stage.MEETING_HELD
    assert engagement.lost_reason == ""


def test_people_without_pipeline_rights_cannot_move_stages(marketing_user):
    """Marketing has no say on the pipeline."""
    engagement = EngagementFactory()
    with pytest.raises(PermissionDenied):
        services.move_stage(engagement, Stage.QUALIFIED, user=marketing_user)


def test_stage_history_is_append_only(consultant):
    """A recorded stage change cannot be edited afterwards."""
    engagement = EngagementFactory()
    change = services.move_stage(engagement, Stage.QUALIFIED, user=consultant)
    change.note = "réécrit"
    with pytest.raises(Exception, match="ne se modifie pas"):
        change.save()
