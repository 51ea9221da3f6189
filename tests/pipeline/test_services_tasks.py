"""Tasks, next actions and (re)assignment."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from pipeline import services
from pipeline.factories import ConsultantFactory, EngagementFactory, UserFactory
from pipeline.models import ActivityKind, TerritoryRule
from pipeline.stages import Stage

pytestmark = pytest.mark.django_db


def test_adding_and_completing_a_task_writes_the_timeline_and_history(consultant):
    """Task added then done: two timeline entries, history rows with the user."""
    engagement = EngagementFactory()
    task = services.add_task(
        engagement, "Préparer la démo Visio", user=consultant, due_date=datetime.date(2027, 1, 5)
    )
    services.complete_task(task, user=consultant)
    task.refresh_from_db()
    assert task.done and task.done_at
    summaries = list(
        engagement.activities.filter(kind=ActivityKind.TASK).values_list("summary", flat=True)
    )
    assert "Tâche faite : Préparer la démo Visio" in summaries
    assert "Tâche ajoutée : Préparer la démo Visio" in summaries
    assert task.history.first().history_user == consultant


def test_a_task_given_to_a_colleague_notifies_them(consultant, run_on_commit):
    """The assignee hears about it by e-mail, through the outbox."""
    colleague = ConsultantFactory(email="colleague@passerelle.test")
    with run_on_commit():
        services.add_task(EngagementFactory(), "Relancer", user=consultant, assignee=colleague)
    assert [m.to for m in mail.outbox] == [["colleague@passerelle.test"]]


def test_empty_task_title_is_refused(consultant):
    """A task needs a title; the message says so."""
    with pytest.raises(ValueError, match="titre"):
        services.add_task(EngagementFactory(), "   ", user=consultant)


def test_next_action_is_recorded_with_its_due_date(consultant):
    """The next action and its date are saved with a history entry by the consultant."""
    engagement = EngagementFactory()
    services.set_next_action(
        engagement, "Appeler la DGS", datetime.date(2027, 2, 1), user=consultant
    )
    engagement.refresh_from_db()
    assert (engagement.next_action, engagement.next_action_due) == (
        "Appeler la DGS",
        datetime.date(2027, 2, 1),
    )
    assert engagement.history.first().history_user == consultant


def test_reassignment_notifies_the_new_owner(consultant, run_on_commit):
    """Reassigning writes the timeline and e-mails the new owner."""
    colleague = ConsultantFactory(email="new-owner@passerelle.test")
    engagement = EngagementFactory(owner=consultant)
    with run_on_commit():
        services.assign(engagement, colleague, user=consultant)
    assert engagement.activities.get(kind=ActivityKind.ASSIGNMENT).actor == consultant
    assert [m.to for m in mail.outbox] == [["new-owner@passerelle.test"]]


def test_engagements_cannot_be_given_to_someone_outside_the_pipeline(consultant):
    """Only people who can work the pipeline can own an engagement."""
    with pytest.raises(ValueError, match="ne peut pas suivre"):
        services.assign(EngagementFactory(), UserFactory(), user=consultant)


def test_round_robin_gives_new_engagements_in_turn():
    """Without territory rules, consultants get new engagements in turn."""
    first, second = ConsultantFactory(), ConsultantFactory()
    owners = [services.pick_owner()]
    EngagementFactory(owner=owners[0])
    owners.append(services.pick_owner())
    EngagementFactory(owner=owners[1])
    owners.append(services.pick_owner())
    assert owners == [first, second, first]


def test_territory_rule_wins_over_round_robin():
    """An organisation from La Réunion goes to the consultant of 974."""
    ConsultantFactory()
    reunion = ConsultantFactory()
    TerritoryRule.objects.create(territory="974", consultant=reunion)
    assert services.pick_owner("974") == reunion
    reunion.is_active = False
    reunion.save()
    assert services.pick_owner("974") != reunion


def test_intake_uses_the_territory_rule(consultant):
    """A questionnaire from 974 is assigned by the territory rule."""
    reunion = ConsultantFactory()
    TerritoryRule.objects.create(territory="974", consultant=reunion)
    result = services.intake_submission(
        {"organisation_name": "Mairie de Saint-Pierre", "email": "m@saintpierre974.re",
         "postcode": "97410", "contact_name": "Marie"}
    )  # fmt: skip
    assert result.engagement.owner == reunion


def test_open_engagement_for_a_known_organisation(consultant):
    """A consultant can open a new journey for an organisation with no open one."""
    closed = EngagementFactory(stage=Stage.COMPLETED)
    engagement = services.open_engagement(closed.organisation, user=consultant)
    assert (engagement.stage, engagement.owner) == (Stage.NEW, consultant)
    assert engagement.stage_changes.get().to_stage == Stage.NEW
    with pytest.raises(ValueError, match="déjà un accompagnement en cours"):
        services.open_engagement(closed.organisation, user=consultant)


def test_own_only_setting_limits_services_to_own_engagements(settings):
    """With PIPELINE_CONSULTANTS_SEE_OWN_ONLY, every service refuses others' engagements."""
    settings.PIPELINE_CONSULTANTS_SEE_OWN_ONLY = True
    mine, other = ConsultantFactory(), ConsultantFactory()
    theirs = EngagementFactory(owner=other)
    task = services.add_task(theirs, "x", user=other)
    for call in (
        lambda: services.move_stage(theirs, Stage.QUALIFIED, user=mine),
        lambda: services.add_note(theirs, "note", user=mine),
        lambda: services.add_task(theirs, "tâche", user=mine),
        lambda: services.complete_task(task, user=mine),
        lambda: services.set_next_action(theirs, "x", None, user=mine),
        lambda: services.assign(theirs, mine, user=mine),
        lambda: services.mark_lost(theirs, "budget", user=mine),
    ):
        with pytest.raises(PermissionDenied):
            call()
    services.move_stage(EngagementFactory(owner=mine), Stage.QUALIFIED, user=mine)
