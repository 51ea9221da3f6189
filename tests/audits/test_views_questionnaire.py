"""The public questionnaire: steps, drafts, results, and bad input of every kind."""

import re
from html import unescape

import pytest
from django.core import mail, signing
from django.utils import timezone

from audits.models import AuditDraft, AuditSubmission
from pipeline.models import Contact, Engagement, Notification, NotificationStatus, Organisation
from pipeline.stages import Stage
from tests.audits.helpers import (
    STEP_ANSWERS,
    hidden_fields,
    post_step,
    submit_questionnaire,
    valid_answers,
)

pytestmark = pytest.mark.django_db


def altered(token: str) -> str:
    """The same token with its last character changed."""
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def nothing_saved():
    return not (
        AuditSubmission.objects.exists()
        or Organisation.objects.exists()
        or Engagement.objects.exists()
        or Notification.objects.exists()
    )


def go_to_step(client, number, answers=None):
    """The response showing screen `number` (1-based), previous screens answered."""
    answers = answers or valid_answers()
    response = client.get("/audit/")
    for _ in range(number - 1):
        response = post_step(client, response, answers)
    assert response.context["step_number"] == number
    return response


def test_first_screen_is_accessible_and_shows_progress(client, demo_site):
    """/audit/ shows screen 1 of 5 with labelled questions, a progress bar and "Je ne sais pas"."""
    response = client.get("/audit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="fr"' in html and html.count("<h1") == 1
    assert "Étape 1 sur 5" in html and 'aria-current="step"' in html
    assert "<legend>Quel type de structure êtes-vous ?" in html
    assert 'value="commune_intercommunalite"' in html  # stable value, French label
    assert "Commune / intercommunalité" in html
    assert "Je ne sais pas" in html
    assert 'name="hp_reference"' in html


def test_tools_grid_comes_from_the_catalogue_with_logos_autre_and_aucun(client, demo_site):
    """Screen 2 is one fieldset per usage of the catalogue, recognisable tools, autre, aucun."""
    html = go_to_step(client, 2).content.decode()
    assert html.count('class="tools-row"') == 13
    assert '<legend class="tools-row__usage">Réunions en visio</legend>' in html
    assert 'name="tools_by_usage__visio" value="zoom"' in html
    assert 'name="tools_by_usage__visio" value="aucun"' in html
    assert 'name="tools_by_usage__email" value="autre"' in html
    assert 'class="tool-logo"' in html
    assert "Microsoft Teams" in html


def test_submission_opens_engagement_scores_it_and_sends_the_summary(
    client, demo_site, run_on_commit
):
    """Completing every screen: organisation, contact, engagement with score, results page,
    one confirmation e-mail with the same summary and the results link."""
    with run_on_commit():
        response = submit_questionnaire(client)
    assert response.status_code == 303
    results = client.get(response["Location"])
    assert results.status_code == 200
    assert results["Cache-Control"] == "private, no-store"

    submission = AuditSubmission.objects.get()
    engagement = submission.engagement
    assert engagement.stage == Stage.NEW
    assert engagement.organisation.name == "Les Amis du Vélo"
    assert engagement.score == submission.score == submission.score_details["score"]
    assert engagement.score_details == submission.score_details
    assert engagement.answers["tools_by_usage"]["visio"] == ["zoom", "google-meet"]
    assert engagement.answers["organisation_type"] == "association"
    assert Contact.objects.get().email == "jeanne@amis-du-velo.fr"
    assert not AuditDraft.objects.exists()  # the draft went with the submission

    html = results.content.decode()
    summary = submission.score_details
    assert f"{summary['score']}<small>/100</small>" in html
    confirmation = Notification.objects.get(kind="audit_confirmation")
    assert confirmation.status == NotificationStatus.SENT
    (message,) = [m for m in mail.outbox if m.to == ["jeanne@amis-du-velo.fr"]]
    assert f"{summary['score']}/100" in message.body
    for step in summary["first_steps"]:
        assert step["title"] in message.body and step["title"] in html
    for finding in summary["usages"]:
        assert finding["label"] in message.body and finding["label"] in html
    assert "/rendez-vous/" in message.body and "Réserver mon rendez-vous" in html
    assert response["Location"] in message.body


def test_results_page_shows_the_booking_button_when_booking_exists(client, demo_site, monkeypatch):
    """With a booking link from calendar_sync, the results page offers the button."""
    monkeypatch.setattr(
        "audits.views.booking_url", lambda e, **kwargs: "https://example.test/rdv/abc"
    )
    response = submit_questionnaire(client)
    html = client.get(response["Location"]).content.decode()
    assert 'href="https://example.test/rdv/abc"' in html
    assert "Réserver mon rendez-vous" in html


def test_without_booking_the_page_and_email_promise_a_call_back(
    client, demo_site, monkeypatch, run_on_commit
):
    """When no booking link can be made, both say a consultant proposes a slot within 2 days."""
    monkeypatch.setattr("audits.views.booking_url", lambda e, **kwargs: None)
    monkeypatch.setattr("audits.services.booking_url", lambda e, **kwargs: None)
    with run_on_commit():
        response = submit_questionnaire(client)
    html = client.get(response["Location"]).content.decode()
    (message,) = [m for m in mail.outbox if m.to == ["jeanne@amis-du-velo.fr"]]
    assert "sous 2 jours ouvrés" in message.body and "sous 2 jours ouvrés" in html
    assert "/rendez-vous/" not in message.body


def test_same_organisation_twice_is_one_organisation_two_submissions_one_engagement(
    client, demo_site
):
    """Two colleagues of the same domain: one organisation, two submissions, one open engagement."""
    assert submit_questionnaire(client).status_code == 303
    colleague = valid_answers(contact_name="Paul Martin", email="paul@amis-du-velo.fr")
    assert submit_questionnaire(client, colleague).status_code == 303
    assert Organisation.objects.count() == 1
    assert AuditSubmission.objects.count() == 2
    assert Engagement.objects.open().count() == Engagement.objects.count() == 1
    assert {s.engagement_id for s in AuditSubmission.objects.all()} == {Engagement.objects.get().pk}
    assert Contact.objects.count() == 2


def test_back_keeps_answers_of_both_screens(client, demo_site):
    """ "Retour" goes one screen back with earlier answers ticked, and keeps this screen's too."""
    response = go_to_step(client, 2)
    response = post_step(client, response, {"tools_by_usage__chat": ["slack"]}, action="back")
    assert response.context["step_number"] == 1
    html = response.content.decode()
    assert re.search(r'value="association"[^>]*checked', html)
    response = post_step(client, response, valid_answers())
    assert re.search(r'value="slack"[^>]*checked', response.content.decode())


def test_conditional_question_appears_for_public_bodies_only(client, demo_site):
    """ "Utilisez-vous déjà ProConnect…" shows on screen 2 only after a public-body answer."""
    question = "Utilisez-vous déjà ProConnect, Tchap ou La Suite territoriale ?"
    assert question not in go_to_step(client, 2).content.decode()
    commune = valid_answers(organisation_type="commune_intercommunalite")
    assert question in go_to_step(client, 2, commune).content.decode()


def test_answer_to_a_condition_that_no_longer_holds_is_dropped(client, demo_site):
    """A contract date without "fin de contrat" is not kept; with it, it is."""
    submit_questionnaire(client, valid_answers(deadline="pas_urgence", deadline_date="2030-01-31"))
    assert "deadline_date" not in AuditSubmission.objects.get().form_data
    client.cookies.clear()
    submit_questionnaire(
        client,
        valid_answers(
            deadline="fin_contrat", deadline_date="2030-01-31", email="b@autre-asso.fr",
            organisation_name="Autre asso",
        ),
    )  # fmt: skip
    assert AuditSubmission.objects.latest("pk").form_data["deadline_date"] == "2030-01-31"


def test_resume_link_brings_back_the_saved_screen_and_answers(client, demo_site):
    """ "Enregistrer et reprendre plus tard" shows a link that reopens the same screen, filled."""
    response = go_to_step(client, 3)
    partial = {"pain_points": ["cout"], "own_domain": "oui"}
    saved = post_step(client, response, partial, action="save")
    assert "Vos réponses sont enregistrées" in saved.content.decode()
    link = saved.context["resume_url"]
    resumed = client.get(link.replace("http://testserver", ""))
    assert resumed.context["step_number"] == 3
    html = resumed.content.decode()
    assert re.search(r'value="cout"[^>]*checked', html)
    assert re.search(r'value="oui"[^>]*checked', html)
    assert "Besoin d'une pause" in html


def test_expired_draft_link_gets_a_french_message(client, demo_site):
    """A draft past its expiry cannot be resumed; the page says so in French (404)."""
    response = post_step(client, go_to_step(client, 3), {}, action="save")
    AuditDraft.objects.update(expires_at=timezone.now())
    resumed = client.get(response.context["resume_url"].replace("http://testserver", ""))
    assert resumed.status_code == 404
    assert "n'est plus valable" in unescape(resumed.content.decode())


def test_purge_removes_expired_drafts(client, demo_site):
    """Expired drafts (personal data) are deleted by the periodic purge."""
    from audits.services import purge_expired_drafts

    post_step(client, go_to_step(client, 2), {}, action="save")
    assert purge_expired_drafts() == 0
    AuditDraft.objects.update(expires_at=timezone.now())
    assert purge_expired_drafts() == 1
    assert not AuditDraft.objects.exists()


# --- Bad input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"email": "pas-une-adresse"}, "email"),
        ({"email": None}, "email"),
        ({"organisation_name": ""}, "organisation_name"),
        ({"organisation_name": "A" * 10_000}, "organisation_name"),
        ({"consent_contact": None}, "consent_contact"),
        ({"postcode": "Lyon"}, "postcode"),
        ({"phone": "appelez-moi"}, "phone"),
        ({"siren": "12345"}, "siren"),
    ],
)
def test_bad_contact_details_are_explained_in_french_and_nothing_is_saved(
    client, demo_site, overrides, field
):
    """Invalid answers on the last screen redisplay it with French errors and save nothing."""
    response = submit_questionnaire(client, valid_answers(**overrides))
    assert response.status_code == 200
    assert response.context["step_number"] == 5
    assert field in response.context["form"].errors
    assert "à corriger" in response.content.decode()
    assert nothing_saved()


@pytest.mark.parametrize(
    "step, overrides, field, words",
    [
        (1, {"organisation_type": None}, "organisation_type", "Choisissez une réponse"),
        (
            1,
            {"organisation_type": "Multinationale"},
            "organisation_type",
            "Sélectionnez un choix valide",
        ),
        (1, {"headcount": "9999"}, "headcount", "Sélectionnez un choix valide"),
        (2, {"tools_by_usage__email": ["hotmail-pirate"]}, "tools_by_usage", "réponse inconnue"),
        (
            2,
            {"tools_by_usage__email": ["gmail", "aucun"]},
            "tools_by_usage",
            "« Aucun » ne se coche",
        ),
        (3, {"pain_points": ["cout", "valeurs", "securite", "rgpd"]}, "pain_points", "au plus 3"),
        (3, {"pain_points": ["inconnu"]}, "pain_points", "Sélectionnez un choix valide"),
        (
            3,
            {"data_sensitivity": ["sante", "je_ne_sais_pas"]},
            "data_sensitivity",
            "ne se coche pas",
        ),
        (
            3,
            {"deadline": "fin_contrat", "deadline_date": "31/02/2030"},
            "deadline_date",
            "Indiquez une date",
        ),
    ],
)
def test_bad_answers_on_earlier_screens_are_explained_in_french(
    client, demo_site, step, overrides, field, words
):
    """Missing answers, unknown choice values and contradictions get a French message."""
    answers = valid_answers(**overrides)
    if step == 2 and "tools_by_usage__email" in overrides:
        answers["tools_by_usage__email"] = overrides["tools_by_usage__email"]
    response = go_to_step(client, step, valid_answers())
    response = post_step(client, response, answers)
    assert response.status_code == 200
    assert response.context["step_number"] == step
    errors = " ".join(response.context["form"].errors[field])
    assert words in errors
    assert nothing_saved()


def test_line_breaks_in_a_name_never_reach_an_email_header(client, demo_site, run_on_commit):
    """CRLF typed into a name becomes a space: no header injection, one clean engagement."""
    with run_on_commit():
        response = submit_questionnaire(
            client, valid_answers(organisation_name="Asso\r\nBcc: victime@example.org")
        )
    assert response.status_code == 303
    assert Engagement.objects.get().organisation.name == "Asso Bcc: victime@example.org"
    message = mail.outbox[0]
    assert message.bcc == []
    assert "\n" not in message.subject
    assert "victime@example.org" not in str(message.message()["Bcc"] or "")


def test_tampered_step_token_gets_a_french_message(client, demo_site):
    """A forged or altered step token: 400 with an explanation, nothing saved, no 500."""
    response = client.get("/audit/")
    token = hidden_fields(response)["etape"]
    for forged in (altered(token), "", "not-a-token", signing.dumps({"p": 1, "s": 4})):
        answer = client.post("/audit/", {**STEP_ANSWERS[0], "etape": forged})
        assert answer.status_code == 400
        assert "Ce formulaire a été modifié ou a expiré" in answer.content.decode()
    assert nothing_saved() and not AuditDraft.objects.exists()


def test_tampered_draft_token_gets_a_french_message(client, demo_site):
    """A step token with someone else's (or a made-up) draft token is refused in French."""
    response = go_to_step(client, 3)
    fields = hidden_fields(response)
    for draft in ("x" * 43, "", altered(fields["brouillon"])):
        answer = client.post(
            "/audit/", {**valid_answers(), "etape": fields["etape"], "brouillon": draft}
        )
        assert answer.status_code == 400
        assert "n'est plus disponible" in unescape(answer.content.decode())
    assert nothing_saved()


def test_double_submit_creates_one_submission(client, demo_site):
    """Posting the last screen twice (double click, reload) shows the same diagnosis once."""
    response = go_to_step(client, 5)
    first = post_step(client, response, valid_answers(), action="submit")
    second = post_step(client, response, valid_answers(), action="submit")
    assert first.status_code == second.status_code == 303
    assert AuditSubmission.objects.count() == 1
    assert Engagement.objects.count() == 1
    assert client.get(second["Location"]).status_code == 200
    assert Notification.objects.filter(kind="audit_confirmation").count() == 1


def test_unknown_or_forged_results_link_gets_a_french_message(client, demo_site):
    """A results link that does not exist answers 404 in French."""
    response = client.get("/audit/resultats/" + "A" * 43 + "/")
    assert response.status_code == 404
    assert "n'est plus valable" in unescape(response.content.decode())


def test_consultant_alert_carries_the_score(client, demo_site, consultant, run_on_commit):
    """The assigned consultant's alert shows the exposure score and the flags."""
    with run_on_commit():
        submit_questionnaire(client, valid_answers(data_sensitivity=["sante"]))
    (alert,) = [m for m in mail.outbox if m.to == ["consultant@passerelle.test"]]
    score = Engagement.objects.get().score
    assert f"Score d'exposition : {score}/100" in alert.body
    assert "Données de santé : hébergeur certifié HDS" in alert.body


def test_results_link_of_a_submission_saved_without_a_diagnosis_still_shows_one(client, demo_site):
    """A submission stored without its diagnosis (imported, or older) gets one computed from
    its answers instead of an error page."""
    from audits import services

    submission = AuditSubmission.objects.create(
        page=demo_site["audit_page"], form_data={"email": "a@exemple.fr"}
    )
    response = client.get(f"/audit/resultats/{services.issue_results_link(submission)}/")
    assert response.status_code == 200
    assert "Cloud Act" in response.content.decode()
