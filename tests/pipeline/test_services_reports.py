"""Report figures against a small pipeline computed by hand."""

import datetime

import pytest

from pipeline.models import Engagement
from pipeline.services.reports import Period, pipeline_report, report_rows
from pipeline.stages import Stage

pytestmark = pytest.mark.django_db
JANUARY = Period(datetime.date(2027, 1, 1), datetime.date(2027, 1, 31))


def test_funnel_counts_reached_stages_and_conversions(hand_computed_pipeline):
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


def test_median_time_in_stage_uses_stays_that_ended_in_the_period(hand_computed_pipeline):
    """new: 2, 4, 6 → 4 d; qualified: 1, 3 → 2 d; meeting scheduled: 4, 1, 10 → 4 d;
    meeting held: 1.5 d; nothing left roadmap_draft."""
    report = pipeline_report(Engagement.objects.all(), JANUARY)
    medians = {d.stage: (d.median_days, d.count) for d in report.durations}
    assert medians[Stage.NEW] == (pytest.approx(4.0), 3)
    assert medians[Stage.QUALIFIED] == (pytest.approx(2.0), 2)
    assert medians[Stage.MEETING_SCHEDULED] == (pytest.approx(4.0), 3)
    assert medians[Stage.MEETING_HELD] == (pytest.approx(1.5), 1)
    assert medians[Stage.ROADMAP_DRAFT] == (None, 0)


def test_lost_reasons_and_breakdowns_by_owner_and_type(hand_computed_pipeline):
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


def test_report_is_limited_to_the_engagements_given(hand_computed_pipeline):
    """A consultant limited to their own engagements gets figures about those only."""
    alice, _bob = hand_computed_pipeline
    report = pipeline_report(Engagement.objects.filter(owner=alice), JANUARY)
    assert report.cohort_size == 2
    assert {d.stage: d.count for d in report.durations}[Stage.NEW] == 2


def test_csv_rows_carry_every_section(hand_computed_pipeline):
    """The CSV export holds the funnel, durations, losses and both breakdowns."""
    rows = report_rows(pipeline_report(Engagement.objects.all(), JANUARY))
    flat = [" ".join(str(c) for c in row) for row in rows]
    assert any(line.startswith("Entonnoir") for line in flat)
    assert any("Qualifié 3 75 %" in line for line in flat)
    assert any("Nouveau 4,0 3" in line for line in flat)
    assert any("Budget 1 100 %" in line for line in flat)
    assert any("Par type de structure" in line for line in flat)
