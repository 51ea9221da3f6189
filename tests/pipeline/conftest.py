import datetime
from zoneinfo import ZoneInfo

import pytest

from pipeline import services
from pipeline.factories import (
    ConsultantFactory,
    ContactFactory,
    EngagementFactory,
    OrganisationFactory,
)
from pipeline.models import (
    EmailTemplate,
    Engagement,
    Notification,
    PrivacyLog,
    Roadmap,
    StageChange,
    TerritoryRule,
)
from pipeline.stages import LostReason, Stage

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def pipeline_objects(db, consultant):
    """One of each pipeline object, owned by `consultant`, to fill URLs."""
    engagement = EngagementFactory(owner=consultant, stage=Stage.QUALIFIED)
    contact = ContactFactory(organisation=engagement.organisation)
    task = services.add_task(engagement, "Rappeler", user=consultant)
    notification = Notification.objects.create(
        kind="other",
        idempotency_key="walk",
        engagement=engagement,
        recipients=[contact.email],
        subject="Bonjour",
    )
    rule = TerritoryRule.objects.create(territory="69", consultant=consultant)
    log = PrivacyLog.objects.create(action="export", subject_type="contact", subject_id=1)
    roadmap = Roadmap.objects.create(engagement=engagement)
    email_template = EmailTemplate.objects.create(
        name="Relance", subject="Bonjour {prenom}", body="Bonjour {prenom},"
    )
    return {
        "email_template": email_template.pk,
        "engagement": engagement.pk,
        "organisation": engagement.organisation_id,
        "contact": contact.pk,
        "task": task.pk,
        "notification": notification.pk,
        "territory": rule.pk,
        "privacy": log.pk,
        "roadmap": roadmap.pk,
    }


def at(month, day, hour=9, year=2027):
    return datetime.datetime(year, month, day, hour, tzinfo=PARIS)


def journey(kind, owner, steps, lost_reason=""):
    """An engagement that went through `steps` [(stage, when), …]; created at the first."""
    created = steps[0][1]
    final_stage = steps[-1][0]
    engagement = Engagement.objects.create(
        organisation=OrganisationFactory(kind=kind),
        owner=owner,
        stage=final_stage,
        stage_changed_at=steps[-1][1],
        created_at=created,
        lost_reason=lost_reason,
        lost_from_stage=steps[-2][0] if final_stage == Stage.LOST else "",
    )
    previous = ""
    for stage, when in steps:
        StageChange.objects.create(
            engagement=engagement, from_stage=previous, to_stage=stage, changed_at=when
        )
        previous = stage
    return engagement


@pytest.fixture
def hand_computed_pipeline(db):
    """Six journeys with known dates: see test_services_reports.py for the figures."""
    alice, bob = (
        ConsultantFactory(first_name="Alice", last_name="A"),
        ConsultantFactory(first_name="Bob", last_name="B"),
    )
    # E1: new 2 d → qualified 1 d → meeting_scheduled 4 d → meeting_held 1.5 d → roadmap_draft
    journey("association", alice, [
        (Stage.NEW, at(1, 2)), (Stage.QUALIFIED, at(1, 4)), (Stage.MEETING_SCHEDULED, at(1, 5)),
        (Stage.MEETING_HELD, at(1, 9)), (Stage.ROADMAP_DRAFT, at(1, 10, 21)),
    ])  # fmt: skip
    # E2: new 4 d → meeting_scheduled (booked from results, skips qualified) 1 d → lost
    journey("association", alice, [
        (Stage.NEW, at(1, 3, 10)), (Stage.MEETING_SCHEDULED, at(1, 7, 10)),
        (Stage.LOST, at(1, 8, 10)),
    ], lost_reason=LostReason.BUDGET)  # fmt: skip
    # E3: new 6 d → qualified (still)
    journey(
        "commune_intercommunalite", bob, [(Stage.NEW, at(1, 5, 0)), (Stage.QUALIFIED, at(1, 11, 0))]
    )
    # E4: new, unassigned
    journey("entreprise", None, [(Stage.NEW, at(1, 20))])
    # E5, created in December (outside the cohort): new 10 d (ended in December, not counted)
    # → qualified 3 d (ended 2 January, counted) → meeting_scheduled 10 d → meeting_held
    journey("association", bob, [
        (Stage.NEW, at(12, 20, year=2026)), (Stage.QUALIFIED, at(12, 30, year=2026)),
        (Stage.MEETING_SCHEDULED, at(1, 2)), (Stage.MEETING_HELD, at(1, 12)),
    ])  # fmt: skip
    # Outside the period entirely (February): ignored everywhere.
    journey("association", alice, [(Stage.NEW, at(2, 2)), (Stage.QUALIFIED, at(2, 3))])
    return alice, bob
