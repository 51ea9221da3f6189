"""Report figures against a small pipeline computed by hand."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from pipeline.factories import ConsultantFactory, OrganisationFactory
from pipeline.models import Engagement, StageChange
from pipeline.services.reports import Period, pipeline_report, report_rows
from pipeline.stages import LostReason, Stage

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")
JANUARY = Period(datetime.date(2027, 1, 1), datetime.date(2027, 1, 31))


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
def pipeline(db):
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


def test_funnel_counts_reached_stages_and_conversions(pipeline):
    """Cohort = created in January (4); reached = entered that stage or a later one."""
    report = pipeline_report(Engagement.objects.all(), JANUARY)
    assert report.cohort_size == 4
    funnel = {step.stage: (step.reached, step.conversion) for step in report.funnel}
    assert funnel[Stage.NEW] == (4, None)
    assert funnel[Stage.QUALIFIED] == (3, 0.75)
    assert funnel[Stage.MEETING_SCHEDULED] == (2, pytest.approx(2 / 3))
    assert funnel[Stage.MEETING_HELD] == (1, 0.5)
    assert funnel[Stage.ROADMAP_DRAFT] == (1, 1.0)
    assert funnel[Stage.ROADMAP_SHARED] == (0, 0.0)
    assert funnel[Stage.IN_TRANSITION] == (0, None)
    assert funnel[Stage.COMPLETED] == (0, None)


def test_median_time_in_stage_uses_stays_that_ended_in_the_period(pipeline):
    """new: 2, 4, 6 → 4 d; qualified: 1, 3 → 2 d; meeting scheduled: 4, 1, 10 → 4 d;
    meeting held: 1.5 d; nothing left roadmap_draft."""
    report = pipeline_report(Engagement.objects.all(), JANUARY)
    medians = {d.stage: (d.median_days, d.count) for d in report.durations}
    assert medians[Stage.NEW] == (pytest.approx(4.0), 3)
    assert medians[Stage.QUALIFIED] == (pytest.approx(2.0), 2)
    assert medians[Stage.MEETING_SCHEDULED] == (pytest.approx(4.0), 3)
    assert medians[Stage.MEETING_HELD] == (pytest.approx(1.5), 1)
    assert medians[Stage.ROADMAP_DRAFT] == (None, 0)


def test_lost_reasons_and_breakdowns_by_owner_and_type(pipeline):
    """One loss (budget, at meeting_scheduled); Alice 2 (1 open, 1 lost, 1 met), Bob 1,
    1 unassigned."""
    report = pipeline_report(Engagement.objects.all(), JANUARY)
    assert [(r.key, r.count, r.share) for r in report.lost_reasons] == [("budget", 1, 1.0)]
    assert [(r.key, r.count) for r in report.lost_from] == [("meeting_scheduled", 1)]
    owners = {
        r.label: (r.total, r.open, r.completed, r.lost, r.meeting_held) for r in report.by_owner
    }
    assert owners == {
        "Alice A": (2, 1, 0, 1, 1),
        "Bob B": (1, 1, 0, 0, 0),
        "Non attribué": (1, 1, 0, 0, 0),
    }
    kinds = {r.key: r.total for r in report.by_kind}
    assert kinds == {"association": 2, "commune_intercommunalite": 1, "entreprise": 1}


def test_report_is_limited_to_the_engagements_given(pipeline):
    """A consultant limited to their own engagements gets figures about those only."""
    alice, _bob = pipeline
    report = pipeline_report(Engagement.objects.filter(owner=alice), JANUARY)
    assert report.cohort_size == 2
    assert {d.stage: d.count for d in report.durations}[Stage.NEW] == 2


def test_csv_rows_carry_every_section(pipeline):
    """The CSV export holds the funnel, durations, losses and both breakdowns."""
    rows = report_rows(pipeline_report(Engagement.objects.all(), JANUARY))
    flat = [" ".join(str(c) for c in row) for row in rows]
    assert any(line.startswith("Entonnoir") for line in flat)
    assert any("Qualifié 3 75 %" in line for line in flat)
    assert any("Nouveau 4,0 3" in line for line in flat)
    assert any("Budget 1 100 %" in line for line in flat)
    assert any("Par type de structure" in line for line in flat)
