"""The questionnaire in English: a Wagtail translation of the French page, same stored values,
same diagnosis, and an English e-mail whose links lead to English pages."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail

from audits import demo as audits_demo
from audits.models import AuditSubmission
from pipeline.models import Contact
from tests.audits.helpers import submit_questionnaire

pytestmark = pytest.mark.django_db


@pytest.fixture
def english_page(demo_site):
    return audits_demo.load_english(demo_site["audit_page"])


def test_english_home_leads_to_the_english_questionnaire(client, english_page):
    """Every "start the audit" button of an English page opens the English questionnaire."""
    html = client.get("/en/").content.decode()
    assert re.search(r'href="/en/audit/\?depuis=\d+"', html)
    assert 'href="/audit/' not in html


def test_english_questionnaire_translates_labels_and_keeps_stored_values(client, english_page):
    """Labels, choices, the tools grid and the footer are in English; the values posted are the
    French page's, so scoring and the pipeline read them unchanged."""
    html = client.get("/en/audit/").content.decode()
    assert 'lang="en"' in html
    assert "What kind of organisation are you?" in html
    assert 'value="commune_intercommunalite"' in html
    assert "Municipality / group of municipalities" in html
    assert "Commune / intercommunalité" not in html
    assert "A free audit to take back control of your digital tools." in html
    assert "The code of La Suite numérique" in html
    assert "Le code de La Suite numérique" not in html

    response = client.post(
        "/en/audit/",
        {"organisation_type": "association", "headcount": "11_50", "current_suite": "google"}
        | dict(re.findall(r'name="(etape|brouillon)" value="([^"]*)"', html))
        | {"action": "next"},
    )
    screen = response.content.decode()
    assert "Tick the tools you use today" in screen
    assert "Instant messaging / team chat" in screen  # the catalogue's English usage label
    assert '<span class="tool-option__name">Other</span>' in screen
    assert '<span class="tool-option__name">None</span>' in screen
    assert "Discussions instantanées" not in screen


def test_english_submission_is_scored_like_the_french_one_and_answered_in_english(
    client, english_page, run_on_commit
):
    """Same answers, same score; the confirmation e-mail is in English and links to the
    English results and booking pages, which are in English too."""
    french = submit_questionnaire(client)
    assert french.status_code == 303
    mail.outbox.clear()
    with run_on_commit():
        response = submit_questionnaire(client, url="/en/audit/")
    assert response.status_code == 303
    assert response["Location"].startswith("/en/audit/")
    first, second = AuditSubmission.objects.order_by("pk")
    assert second.page_id == english_page.pk
    assert second.score == first.score and second.score is not None
    assert second.form_data["organisation_type"] == first.form_data["organisation_type"]
    # The contact keeps the language of the questionnaire answered last (for the meeting).
    assert Contact.objects.get(email="jeanne@amis-du-velo.fr").language == "en"
    # The team's timeline stays French.
    assert second.engagement.activities.filter(summary__startswith="Questionnaire rempli").exists()

    confirmation = next(m for m in mail.outbox if "jeanne@amis-du-velo.fr" in m.to)
    body = confirmation.body
    assert confirmation.subject == "Your answers to the digital sovereignty audit"
    assert "Bonjour" not in body
    results_url = re.search(r"https?://\S+/en/audit/\S+", body).group(0)
    booking_url = re.search(r"https?://\S+/en/rendez-vous/\S+|https?://\S+/en/\S*book\S*", body)
    assert booking_url is not None, body

    results = client.get(urlsplit(results_url).path)
    page = results.content.decode()
    assert results.status_code == 200
    assert 'lang="en"' in page
    # The diagnosis itself (levels, reasons, first steps, countries) is written in English.
    for text in (body, page):
        assert "Video meetings: move from Zoom" in text
        assert "United States (Cloud Act)" in text
        assert "A quick win: little or no data to migrate." in text
        for french in ("passer de", "États-Unis", "très élevée", "Exposé au Cloud Act"):
            assert french not in text
    assert "Book my meeting" in page and "/en/rendez-vous/" in page


def test_french_submission_keeps_its_french_diagnosis(client, english_page, run_on_commit):
    """Translating the questionnaire changes nothing for French respondents."""
    with run_on_commit():
        response = submit_questionnaire(client)
    page = client.get(response["Location"]).content.decode()
    (message,) = [m for m in mail.outbox if m.to == ["jeanne@amis-du-velo.fr"]]
    for text in (message.body, page):
        assert "Réunions en visio : passer de Zoom" in text
        assert "États-Unis (Cloud Act)" in text
        assert "/en/rendez-vous/" not in text and "/en/audit/resultats/" not in text


def test_consultants_reach_english_answers_from_the_french_listing(
    client, english_page, demo_site, consultant
):
    """Each translation keeps its own answers; the French listing links to the English one,
    where the answers read in English labels."""
    submit_questionnaire(client, url="/en/audit/")
    client.force_login(consultant)
    french_url = f"/admin/forms/submissions/{demo_site['audit_page'].pk}/"
    english_url = f"/admin/forms/submissions/{english_page.pk}/"
    french = client.get(french_url).content.decode()
    assert "Les Amis du Vélo" not in french
    assert f'href="{english_url}"' in french and "Réponses : Anglais" in french
    english = client.get(english_url).content.decode()
    assert "Les Amis du Vélo" in english and "Non-profit association" in english
    assert f'href="{french_url}"' in english
