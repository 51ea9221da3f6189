import pytest
from django.core import mail

from audits.models import AuditSubmission
from pipeline.models import Contact, Engagement, Notification, NotificationStatus, Organisation
from pipeline.stages import Stage
from tests.audits.helpers import valid_answers

pytestmark = pytest.mark.django_db


def test_questionnaire_page_shows_labelled_fields(client, demo_site):
    """/audit/ is the questionnaire, every field with a label tied to its input."""
    response = client.get("/audit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<label for="id_email">' in html
    assert 'name="consent_contact"' in html
    assert 'lang="fr"' in html


def test_submission_opens_engagement_and_sends_confirmation_once(client, demo_site, run_on_commit):
    """A submission creates organisation, contact, engagement (new) and one confirmation e-mail."""
    with run_on_commit():
        response = client.post("/audit/", valid_answers())

    assert response.status_code == 200
    assert "vos réponses sont bien arrivées" in response.content.decode()
    submission = AuditSubmission.objects.get()
    engagement = submission.engagement
    assert engagement.stage == Stage.NEW
    assert engagement.stage_changes.get().to_stage == Stage.NEW
    assert engagement.organisation.name == "Les Amis du Vélo"
    assert Contact.objects.get().email == "jeanne@amis-du-velo.fr"
    confirmation = Notification.objects.get(kind="audit_confirmation")
    assert confirmation.status == NotificationStatus.SENT
    assert [m.to for m in mail.outbox] == [["jeanne@amis-du-velo.fr"]]
    assert "Les Amis du Vélo" in mail.outbox[0].body
    assert mail.outbox[0].extra_headers["Message-ID"] == confirmation.message_id


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"email": "pas-une-adresse"}, "email"),
        ({"email": None}, "email"),
        ({"organisation_name": ""}, "organisation_name"),
        ({"consent_contact": None}, "consent_contact"),
        ({"organisation_type": "Multinationale"}, "organisation_type"),
    ],
)
def test_bad_input_is_explained_in_french_and_nothing_is_saved(client, demo_site, overrides, field):
    """Invalid answers redisplay the form with French errors and save nothing."""
    response = client.post("/audit/", valid_answers(**overrides))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "à corriger" in response.content.decode()
    assert not AuditSubmission.objects.exists()
    assert not Organisation.objects.exists()
    assert not Notification.objects.exists()


def test_line_breaks_in_a_name_never_reach_an_email_header(client, demo_site, run_on_commit):
    """CRLF typed into a name is kept as data but cannot inject a header."""
    with run_on_commit():
        response = client.post(
            "/audit/",
            valid_answers(organisation_name="Asso\r\nBcc: victime@example.org"),
        )
    assert response.status_code == 200
    assert Engagement.objects.count() == 1
    message = mail.outbox[0]
    assert message.bcc == []
    assert "\n" not in message.subject
    assert "victime@example.org" not in str(message.message()["Bcc"] or "")
