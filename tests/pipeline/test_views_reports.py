"""The reports page and its CSV export."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pipeline.factories import ConsultantFactory, EngagementFactory
from pipeline.models import StageChange
from pipeline.stages import LostReason, Stage

pytestmark = pytest.mark.django_db
REPORTS = "/admin/pipeline/reports/"
JANUARY = "?preset=custom&start=2027-01-01&end=2027-01-31"


def test_report_page_shows_the_hand_computed_figures(client, consultant, hand_computed_pipeline):
    """Funnel, conversions, medians and losses of the hand-computed fixture, rendered as bars."""
    client.force_login(consultant)
    page = client.get(REPORTS + JANUARY).content.decode()
    assert "Du 1 janvier 2027 au 31 janvier 2027" in page
    assert "75 % de l&#x27;étape précédente" in page or "75 % de l'étape précédente" in page
    assert "4 j" in page and "1,5 j" in page and "2 j" in page
    assert "Budget" in page and "Alice A" in page and "Bob B" in page
    assert 'class="pl-bar__fill"' in page and "<script" not in page.split('id="funnel-title"')[1]


def test_report_csv_export(client, consultant, hand_computed_pipeline):
    """The CSV export carries the same figures, with a French separator."""
    client.force_login(consultant)
    response = client.get(REPORTS + JANUARY + "&export=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "rapport-pipeline-2027-01-01-2027-01-31.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert ["", "Qualifié", "3", "75 %", "75 %"] in rows
    assert ["", "Nouveau", "4,0", "3"] in rows


def test_bad_period_is_explained_and_a_default_is_used(client, consultant):
    """An inverted period gives a French message, and the page still renders."""
    client.force_login(consultant)
    response = client.get(REPORTS + "?preset=custom&start=2027-02-01&end=2027-01-01")
    assert response.status_code == 200
    assert "La date de début est après la date de fin." in response.content.decode()
    assert client.get(REPORTS + "?start=nimporte&end=quoi").status_code == 200


def test_report_queries_do_not_grow_with_organisations(client, consultant):
    """The report runs a fixed number of queries at 5 and 50 organisations."""
    client.force_login(consultant)

    def add(count):
        for index in range(count):
            engagement = EngagementFactory(owner=ConsultantFactory() if index % 2 else None)
            StageChange.objects.create(engagement=engagement, to_stage=Stage.NEW)
            if index % 3 == 0:
                StageChange.objects.create(
                    engagement=engagement, from_stage=Stage.NEW, to_stage=Stage.LOST
                )
                engagement.stage, engagement.lost_reason = Stage.LOST, LostReason.BUDGET
                engagement.lost_from_stage = Stage.NEW
                engagement.save()

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(REPORTS + "?preset=30").status_code == 200
        # The count, and the length of the stage-history queries: no list of ids that grows
        # with the cohort (SQLite refuses a query with more than 32,766 of them).
        history = [q["sql"] for q in captured if "pipeline_stagechange" in q["sql"]]
        return len(captured), sum(len(sql) for sql in history)

    add(5)
    small_count, small_length = queries()
    add(45)
    count, length = queries()
    assert count == small_count
    assert length < small_length + 20, length - small_length
