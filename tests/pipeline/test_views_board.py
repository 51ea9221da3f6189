"""The board: columns, cards, moves (drag and drop and the no-JavaScript select), filters."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from pipeline.factories import ConsultantFactory, ContactFactory, EngagementFactory
from pipeline.models import ActivityKind, StageChange
from pipeline.stages import LostReason, Stage

pytestmark = pytest.mark.django_db
BOARD = "/admin/pipeline/board/"
MOVE = "/admin/pipeline/board/move/"


def test_board_shows_a_column_per_stage_with_counts_and_card_details(client, consultant):
    """Columns with their counts; a card shows organisation, owner, score, time in stage and an
    overdue next action highlighted."""
    late = EngagementFactory(
        owner=consultant,
        organisation__name="Mairie de Vaulx",
        organisation__kind="commune_intercommunalite",
        stage=Stage.QUALIFIED,
        score=82,
        stage_changed_at=timezone.now() - datetime.timedelta(days=12),
        next_action="Rappeler la DGS",
        next_action_due=timezone.localdate() - datetime.timedelta(days=2),
    )
    EngagementFactory(stage=Stage.QUALIFIED)
    EngagementFactory(stage=Stage.LOST, lost_from_stage=Stage.NEW, lost_reason="budget")
    client.force_login(consultant)
    page = client.get(BOARD).content.decode()
    for stage in Stage:
        assert f'data-stage="{stage.value}"' in page
    assert 'aria-label="2 accompagnements">2</span>' in page
    start = page.rindex("<article", 0, page.index(f'id="engagement-card-{late.pk}"'))
    card = page[start : page.index("</article>", start)]
    assert "Mairie de Vaulx" in card and "Commune / intercommunalité" in card
    assert consultant.get_full_name() in card
    assert ">82<" in card and "12 j" in card
    assert "Rappeler la DGS" in card and "pl-card--overdue" in card and "en retard" in card
    assert "1 en retard" in page


def test_no_javascript_move_records_change_activity_history_and_shows_on_timeline(
    client, consultant
):
    """The select + button posts to the service: StageChange, Activity and a history entry with
    the user, visible on the engagement's timeline."""
    engagement = EngagementFactory(owner=consultant)
    client.force_login(consultant)
    response = client.post(
        MOVE, {"engagement": engagement.pk, "target": Stage.QUALIFIED, "next": BOARD + "?kind="}
    )
    assert response.status_code == 302 and response["Location"] == BOARD + "?kind="
    engagement.refresh_from_db()
    assert engagement.stage == Stage.QUALIFIED
    change = StageChange.objects.get(engagement=engagement)
    assert (change.from_stage, change.to_stage, change.changed_by) == (
        Stage.NEW,
        Stage.QUALIFIED,
        consultant,
    )
    activity = engagement.activities.get(kind=ActivityKind.STAGE_CHANGE)
    assert activity.actor == consultant
    history = engagement.history.first()
    assert history.stage == Stage.QUALIFIED and history.history_user == consultant
    timeline = client.get(f"/admin/pipeline/engagements/inspect/{engagement.pk}/").content.decode()
    assert "Étape : Nouveau → Qualifié" in timeline
    assert f"par {consultant.get_full_name()}" in timeline


def test_drag_and_drop_move_answers_json_with_the_new_card(client, consultant):
    """The drag-and-drop request gets JSON: the stage and the card to put in its new column."""
    engagement = EngagementFactory(owner=consultant, stage=Stage.QUALIFIED)
    client.force_login(consultant)
    response = client.post(
        MOVE,
        {"engagement": engagement.pk, "target": Stage.MEETING_SCHEDULED},
        HTTP_ACCEPT="application/json",
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    data = json.loads(response.content)
    assert data["ok"] and data["stage"] == Stage.MEETING_SCHEDULED
    assert f'id="engagement-card-{engagement.pk}"' in data["card"]
    assert 'data-stage="meeting_scheduled"' in data["card"]


def test_illegal_move_shows_a_french_error_never_a_500(client, consultant):
    """A move design.md §3 forbids is refused with a clear message, by both paths."""
    engagement = EngagementFactory(owner=consultant, stage=Stage.NEW)
    client.force_login(consultant)
    response = client.post(
        MOVE,
        {"engagement": engagement.pk, "target": Stage.COMPLETED},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    assert (
        "Passage impossible de « Nouveau » à « Terminé »" in json.loads(response.content)["message"]
    )
    response = client.post(
        MOVE, {"engagement": engagement.pk, "target": Stage.COMPLETED}, follow=True
    )
    assert response.status_code == 200
    assert "Passage impossible" in response.content.decode()
    for garbage in (
        {"engagement": "x", "target": "y"},
        {"engagement": engagement.pk, "target": "lost"},
    ):
        assert client.post(MOVE, garbage, follow=True).status_code == 200
    engagement.refresh_from_db()
    assert engagement.stage == Stage.NEW


def test_lost_with_a_reason_and_reopen_from_the_board(client, consultant):
    """« Perdu : raison » in the select marks lost; a lost card can be reopened."""
    engagement = EngagementFactory(owner=consultant, stage=Stage.MEETING_HELD)
    client.force_login(consultant)
    client.post(MOVE, {"engagement": engagement.pk, "target": f"lost:{LostReason.STAYS}"})
    engagement.refresh_from_db()
    assert (engagement.stage, engagement.lost_reason) == (Stage.LOST, LostReason.STAYS)
    client.post(MOVE, {"engagement": engagement.pk, "target": "reopen"})
    engagement.refresh_from_db()
    assert engagement.stage == Stage.MEETING_HELD


def test_board_filters_by_owner_type_territory_score_and_overdue(client, consultant):
    """Each filter narrows the cards."""
    other = ConsultantFactory(first_name="Zoé", last_name="Autre")
    EngagementFactory(
        owner=consultant, organisation__name="Asso Lyon", organisation__territory="69", score=20
    )
    EngagementFactory(
        owner=other,
        organisation__name="Commune Réunion",
        organisation__kind="commune_intercommunalite",
        organisation__territory="974",
        score=90,
        next_action="x",
        next_action_due=timezone.localdate() - datetime.timedelta(days=1),
    )
    client.force_login(consultant)

    def names(query):
        page = client.get(BOARD + query).content.decode()
        return {n for n in ("Asso Lyon", "Commune Réunion") if f">{n}</a>" in page}

    assert names("") == {"Asso Lyon", "Commune Réunion"}
    assert names("?owner=me") == {"Asso Lyon"}
    assert names(f"?owner={other.pk}") == {"Commune Réunion"}
    assert names("?kind=commune_intercommunalite") == {"Commune Réunion"}
    assert names("?territory=69") == {"Asso Lyon"}
    assert names("?score=high") == {"Commune Réunion"}
    assert names("?overdue=true") == {"Commune Réunion"}


def test_columns_show_a_limited_number_of_cards_and_link_to_the_rest(client, consultant, settings):
    """A long column shows its first cards and a link to the filtered list."""
    settings.PIPELINE_BOARD_COLUMN_LIMIT = 3
    for _ in range(5):
        EngagementFactory(stage=Stage.QUALIFIED)
    client.force_login(consultant)
    page = client.get(BOARD).content.decode()
    assert page.count('data-stage="qualified" data-targets') == 3
    assert "Voir les 2 autres" in page and "stage=qualified" in page


def make_pipeline(count):
    for index in range(count):
        engagement = EngagementFactory(
            owner=ConsultantFactory() if index % 3 == 0 else None,
            stage=list(Stage)[index % len(Stage)],
            lost_from_stage=Stage.NEW if list(Stage)[index % len(Stage)] == Stage.LOST else "",
            next_action="Rappeler",
            next_action_due=timezone.localdate(),
            score=index % 100,
        )
        ContactFactory(organisation=engagement.organisation)


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", [BOARD, BOARD + "?owner=me&score=high&overdue=true"])
def test_board_runs_the_same_number_of_queries_for_5_or_50_organisations(client, consultant, url):
    """Constant queries: counts, cards (window function), filter choices — whatever the size."""
    client.force_login(consultant)
    make_pipeline(5)
    small = count_queries(client, url)
    make_pipeline(45)
    assert count_queries(client, url) == small


def test_shared_card_parts_are_rendered_once_per_board_not_once_per_card(client, consultant):
    """The move options (one set per stage) and the icons are rendered once per board: the
    templates rendered do not grow with the cards, and every card still has its select."""
    client.force_login(consultant)

    def shared_renders():
        response = client.get(BOARD)
        names = [t.name for t in response.templates]
        return response, (
            names.count("pipeline/admin/includes/move_options.html"),
            names.count("wagtailadmin/shared/icon.html"),
        )

    for _ in range(3):
        EngagementFactory(owner=consultant, stage=Stage.NEW)
    _, few = shared_renders()
    for _ in range(12):
        EngagementFactory(owner=consultant, stage=Stage.NEW)
    response, many = shared_renders()
    assert many == few
    page = response.content.decode()
    assert page.count('class="pl-move__select"') == 15
    assert page.count('<option value="lost:budget">') == 15


def test_the_card_form_works_with_csrf_checks_on(consultant):
    """The CSRF field, rendered once for the whole board, lets a card's form move it."""
    import re

    from django.test import Client

    engagement = EngagementFactory(owner=consultant, stage=Stage.NEW)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(consultant)
    page = browser.get(BOARD).content.decode()
    card = page[page.index(f'id="engagement-card-{engagement.pk}"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', card)[1]
    assert f'href="/admin/pipeline/engagements/inspect/{engagement.pk}/"' in card
    response = browser.post(
        MOVE,
        {"csrfmiddlewaretoken": token, "engagement": engagement.pk, "target": "qualified"},
    )
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.stage == Stage.QUALIFIED


def test_columns_keep_their_order_and_limit(client, consultant, settings):
    """Open columns: the nearest next action first, undated ones last; closed columns: the
    latest moved first; each cut at PIPELINE_BOARD_COLUMN_LIMIT."""
    settings.PIPELINE_BOARD_COLUMN_LIMIT = 3
    today = timezone.localdate()
    undated = EngagementFactory(stage=Stage.QUALIFIED, next_action_due=None)
    later = EngagementFactory(stage=Stage.QUALIFIED, next_action_due=today + datetime.timedelta(9))
    sooner = EngagementFactory(stage=Stage.QUALIFIED, next_action_due=today)
    EngagementFactory(stage=Stage.QUALIFIED, next_action_due=None)  # beyond the limit
    now = timezone.now()
    old = EngagementFactory(stage=Stage.COMPLETED, stage_changed_at=now - datetime.timedelta(9))
    new = EngagementFactory(stage=Stage.COMPLETED, stage_changed_at=now)
    client.force_login(consultant)
    page = client.get(BOARD).content.decode()

    def order(*engagements):
        return sorted(engagements, key=lambda e: page.index(f'id="engagement-card-{e.pk}"'))

    assert order(undated, later, sooner) == [sooner, later, undated]
    assert page.count('data-stage="qualified" data-targets') == 3
    assert order(old, new) == [new, old]
