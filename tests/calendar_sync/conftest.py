"""Fixtures for calendar tests: a bookable consultant and an engagement with two contacts."""

from __future__ import annotations

import pytest

from calendar_sync.factories import ConsultantCalendarFactory
from pipeline.factories import ContactFactory, EngagementFactory, OrganisationFactory
from pipeline.models import StageChange
from pipeline.stages import Stage

EVERY_DAY = {str(d): [["09:00", "12:00"], ["14:00", "17:00"]] for d in range(7)}


@pytest.fixture
def calendar(consultant):
    """Bookable every day 9–12 and 14–17 (so tests do not depend on the weekday)."""
    return ConsultantCalendarFactory(
        consultant=consultant,
        working_hours=EVERY_DAY,
        meeting_minutes=60,
        slot_step_minutes=60,
        minimum_notice_hours=0,
        horizon_days=60,
    )


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Association Les Jardins Partagés", domain="jardins.org")


@pytest.fixture
def engagement(organisation, consultant, calendar):
    engagement = EngagementFactory(
        organisation=organisation, owner=consultant, stage=Stage.QUALIFIED
    )
    StageChange.objects.create(engagement=engagement, from_stage="", to_stage=Stage.QUALIFIED)
    ContactFactory(organisation=organisation, name="Karim Haddad", email="karim@jardins.org")
    ContactFactory(organisation=organisation, name="Inès Martin", email="ines@jardins.org")
    return engagement
