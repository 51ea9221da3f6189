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
