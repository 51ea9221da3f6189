"""The engagement page: what it shows, the actions it offers, its extension points."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import format_html
from wagtail import hooks

from audits.models import Tool, Usage
from pipeline import services
from pipeline.factories import ConsultantFactory, ContactFactory, EngagementFactory
from pipeline.models import ActivityKind, Notification
from pipeline.panels import EngagementPanel, UpcomingMeeting
from pipeline.stages import LostReason, Stage

pytestmark = pytest.mark.django_db


def page_url(engagement):
    return f"/admin/pipeline/engagements/inspect/{engagement.pk}/"


def action_url(engagement, action):
    return f"/admin/pipeline/engagements/{engagement.pk}/{action}/"


@pytest.fixture
def engagement(consultant):
    engagement = EngagementFactory(
        owner=consultant,
        organisation__name="Ressourcerie du Littoral",
        stage=Stage.MEETING_HELD,
        score=74,
        score_details={"level": "Exposition forte", "factors": [{"label": "Gmail", "points": 30}]},
        answers={
            "current_suite": "google",
            "headcount": "11_50",
            "uses_state_tools": False,
            "pain_points": ["cout", "rgpd"],
            "tools_by_usage": {"email": ["gmail"], "visio": ["zoom", "inconnu"]},
            "contact_name": "Julien Roux",
            "email": "julien@ressourcerie.fr",
        },
    )
    ContactFactory(organisation=engagement.organisation, name="Julien Roux", phone="0601020304")
    return engagement


def test_page_shows_summary_answers_score_contacts_tasks_and_messages(
    client, consultant, engagement
):
    """Readable answers (labels, option and tool names), the score, contacts, tasks, messages
    with their outbox state."""
    # The session imports the catalogue; a transactional test may have emptied it since.
    email, _ = Usage.objects.get_or_create(
        slug="email", defaults={"label": "Mails", "default_phase_id": _phase().pk}
    )
    gmail, _ = Tool.objects.get_or_create(
        slug="gmail", defaults={"name": "Gmail / Google Workspace"}
    )
    gmail.usages.add(email)
    services.add_task(
        engagement, "Envoyer la feuille de route", user=consultant,
        due_date=timezone.localdate() - datetime.timedelta(days=1),
    )  # fmt: skip
    Notification.objects.create(
        kind="audit_confirmation",
        idempotency_key="x",
        engagement=engagement,
        recipients=["julien@ressourcerie.fr"],
        subject="Vos réponses à l'audit",
        status="failed",
        attempts=2,
        last_error="SMTP indisponible",
    )
    client.force_login(consultant)
    page = client.get(page_url(engagement)).content.decode()
    assert "Ressourcerie du Littoral" in page
    assert "Suite actuelle" in page and "Google (Gmail, Drive…)" in page
    assert "Nombre d&#x27;utilisateurs" in page and "11 à 50" in page
    assert "Utilise déjà des outils de l&#x27;État" in page and "Non" in page
    assert "Mails</strong> : Gmail / Google Workspace" in page
    assert "Réunions en visio</strong> : Zoom" in page and ", inconnu" in page
    assert "Irritants" in page and "Données personnelles (RGPD)" in page
    assert "74<small>/100</small>" in page and "Exposition forte" in page
    assert "Julien Roux" in page and "0601020304" in page
    assert "Envoyer la feuille de route" in page and "en retard" in page
    assert "Vos réponses à l&#x27;audit" in page
    assert "Échec, nouvel essai prévu" in page and "2 essais" in page


def _phase():
    from audits.models import Phase

    return Phase.objects.get_or_create(number=1, defaults={"title": "Phase"})[0]


def test_timeline_shows_history_diffs_with_who_and_when(client, consultant, engagement):
    """Field changes appear as « champ : ancien → nouveau », with the user and the date."""
    services.set_next_action(
        engagement, "Appeler la DGS", datetime.date(2027, 3, 1), user=consultant
    )
    contact = engagement.organisation.contacts.get()
    contact.role = "Trésorier"
    contact._history_user = consultant
    contact.save()
    client.force_login(consultant)
    page = client.get(page_url(engagement)).content.decode()
    assert "Accompagnement modifié" in page
    assert "Prochaine action : <del>—</del> → <ins>Appeler la DGS</ins>" in page
    assert "Échéance : <del>—</del> → <ins>01/03/2027</ins>" in page
    assert "Contact modifié : Julien Roux" in page
    assert "Fonction : <del>Direction</del> → <ins>Trésorier</ins>" in page
    assert f"par {consultant.get_full_name()}" in page


@pytest.mark.parametrize(
    "action, data, check",
    [
        ("move", {"to_stage": Stage.ROADMAP_DRAFT}, lambda e: e.stage == Stage.ROADMAP_DRAFT),
        ("lost", {"reason": LostReason.BUDGET}, lambda e: e.stage == Stage.LOST),
        (
            "note",
            {"text": "Très motivés"},
            lambda e: e.activities.filter(body="Très motivés").exists(),
        ),
        (
            "next-action",
            {"next_action": "Relancer", "next_action_due": "2027-01-15"},
            lambda e: (e.next_action, str(e.next_action_due)) == ("Relancer", "2027-01-15"),
        ),
        (
            "add-task",
            {"title": "Devis", "due_date": "2027-01-10"},
            lambda e: e.tasks.filter(title="Devis").exists(),
        ),
    ],
)
def test_actions_call_their_service(client, consultant, engagement, action, data, check):
    """Each form of the page reaches its service and comes back with a message."""
    client.force_login(consultant)
    response = client.post(action_url(engagement, action), data, follow=True)
    assert response.status_code == 200
    engagement.refresh_from_db()
    assert check(engagement)
    assert response.redirect_chain[-1][0] == page_url(engagement)


def test_assign_complete_task_and_reopen(client, consultant, engagement, run_on_commit):
    """Reassignment notifies the new owner; tasks are done and reopened; lost is reopened."""
    colleague = ConsultantFactory(email="colleague@passerelle.test")
    client.force_login(consultant)
    with run_on_commit():
        client.post(action_url(engagement, "assign"), {"owner": colleague.pk})
    engagement.refresh_from_db()
    assert engagement.owner == colleague
    assert Notification.objects.filter(recipients=["colleague@passerelle.test"]).exists()
    task = services.add_task(engagement, "Relire", user=consultant)
    client.post(action_url(engagement, "complete-task"), {"task": task.pk})
    task.refresh_from_db()
    assert task.done
    client.post(action_url(engagement, "reopen-task"), {"task": task.pk})
    task.refresh_from_db()
    assert not task.done
    services.mark_lost(engagement, LostReason.NO_ANSWER, user=consultant)
    client.post(action_url(engagement, "reopen"))
    engagement.refresh_from_db()
    assert engagement.stage == Stage.MEETING_HELD


def test_bad_input_and_illegal_moves_give_french_messages(client, consultant, engagement):
    """Invalid forms and refused transitions come back as messages, never a 500."""
    client.force_login(consultant)
    response = client.post(
        action_url(engagement, "move"), {"to_stage": Stage.COMPLETED}, follow=True
    )
    assert "Passage impossible de « Rendez-vous tenu » à « Terminé »" in response.content.decode()
    response = client.post(
        action_url(engagement, "next-action"), {"next_action_due": "pas une date"}, follow=True
    )
    assert response.status_code == 200 and "Échéance" in response.content.decode()
    response = client.post(action_url(engagement, "note"), {"text": ""}, follow=True)
    assert response.status_code == 200
    assert client.post(action_url(engagement, "unknown")).status_code == 404
    engagement.refresh_from_db()
    assert engagement.stage == Stage.MEETING_HELD
    assert not engagement.activities.filter(kind=ActivityKind.NOTE).exists()


def test_other_apps_add_sections_through_the_panels_hook(client, consultant, engagement):
    """Sections render what apps register with the hook, in the slot they ask for."""
    client.force_login(consultant)

    class MeetingsPanel(EngagementPanel):
        slot = "sidebar"

        def render_html(self, parent_context=None):
            return format_html("<p>Rendez-vous de {}</p>", self.engagement.organisation.name)

    with hooks.register_temporarily(
        "passerelle_engagement_panels", lambda request, e: MeetingsPanel(e, request)
    ):
        page = client.get(page_url(engagement)).content.decode()
    assert "<p>Rendez-vous de Ressourcerie du Littoral</p>" in page
    assert "Rendez-vous de" not in client.get(page_url(engagement)).content.decode()


def test_dashboard_has_the_pipeline_panels_and_upcoming_meetings_from_the_hook(
    client, consultant, engagement, marketing_user
):
    """My engagements, overdue next actions, new this week, upcoming meetings (via the hook)."""
    services.set_next_action(
        engagement, "Relancer", timezone.localdate() - datetime.timedelta(days=3), user=consultant
    )
    client.force_login(consultant)
    meeting = UpcomingMeeting(
        starts_at=timezone.now() + datetime.timedelta(days=1),
        title="Rendez-vous personnalisé",
        organisation="Ressourcerie du Littoral",
    )
    with hooks.register_temporarily(
        "passerelle_upcoming_meetings", lambda request, engagements, limit: [meeting]
    ):
        page = client.get("/admin/").content.decode()
    for heading in (
        "Mes accompagnements en cours",
        "Prochaines actions en retard",
        "Nouveaux cette semaine",
        "Prochains rendez-vous",
    ):
        assert heading in page
    assert "Rendez-vous personnalisé" in page and "Relancer" in page
    client.force_login(marketing_user)
    assert "Mes accompagnements en cours" not in client.get("/admin/").content.decode()


def test_engagement_page_queries_do_not_grow_with_its_history(client, consultant, engagement):
    """Timeline, tasks, contacts and messages: a fixed number of queries (5 vs 50 events)."""
    client.force_login(consultant)

    def add_events(count):
        for index in range(count):
            services.add_note(engagement, f"note {index}", user=consultant)
            services.add_task(engagement, f"tâche {index}", user=consultant)
            services.set_next_action(engagement, f"action {index}", None, user=consultant)
            ContactFactory(organisation=engagement.organisation)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page_url(engagement)).status_code == 200
        return len(captured)

    add_events(5)
    small = queries()
    add_events(45)
    assert queries() == small


def test_dashboard_queries_do_not_grow_with_organisations(client, consultant):
    """The dashboard panels run the same number of queries at 5 and 50 organisations."""
    client.force_login(consultant)

    def add(count):
        for _ in range(count):
            EngagementFactory(
                owner=consultant,
                next_action="x",
                next_action_due=timezone.localdate() - datetime.timedelta(days=1),
            )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/admin/").status_code == 200
        return len(captured)

    add(5)
    small = queries()
    add(45)
    assert queries() == small


def test_contacts_written_to_in_english_are_flagged(client, consultant, engagement):
    """A consultant sees at a glance who gets English e-mails (before writing to them)."""
    client.force_login(consultant)
    assert "correspondance en anglais" not in client.get(page_url(engagement)).text
    engagement.organisation.contacts.update(language="en")
    assert "correspondance en anglais" in client.get(page_url(engagement)).text
