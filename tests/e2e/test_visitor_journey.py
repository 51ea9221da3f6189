import re

import pytest
from django.core import mail

from audits.models import AuditSubmission
from pipeline.models import Engagement

pytestmark = pytest.mark.django_db(transaction=True)


def answer_all_steps(page, width, screenshot):
    """Fill the five screens of the demo questionnaire, as a visitor would."""
    page.get_by_label("Association").check()
    page.get_by_label("11 à 50").check()
    page.get_by_label("Google (Gmail, Drive…)").check()
    screenshot(page, f"questionnaire-step1-{width}")
    page.get_by_role("button", name="Continuer").click()

    page.wait_for_selector("text=Étape 2 sur 5")
    page.locator("#id_tools_by_usage_email").get_by_text("Gmail / Google Workspace").click()
    page.locator("#id_tools_by_usage_visio").get_by_text("Zoom").click()
    page.locator("#id_tools_by_usage_chat").get_by_text("WhatsApp").click()
    page.locator("#id_tools_by_usage_files").get_by_text("Google Drive").click()
    page.locator("#id_tools_by_usage_documents").get_by_text("Aucun").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"questionnaire-step2-{width}")
    page.get_by_role("button", name="Continuer").click()

    page.wait_for_selector("text=Étape 3 sur 5")
    page.get_by_label("Coût des abonnements / hausses de prix").check()
    page.get_by_label("Données de santé").check()
    page.get_by_label("Non, nous utilisons des adresses type Gmail/Orange").check()
    page.get_by_label("Fin d'un abonnement / contrat à une date précise").check()
    page.get_by_label("Date de fin de l'abonnement ou du contrat").fill("2030-06-30")
    screenshot(page, f"questionnaire-step3-{width}")
    page.get_by_role("button", name="Continuer").click()

    page.wait_for_selector("text=Étape 4 sur 5")
    assert page.get_by_text("hébergeur certifié HDS").first.is_visible()
    page.get_by_label("Personne en particulier").check()
    page.get_by_label("Moins de 1 000 €").check()
    page.get_by_label("Progressivement sur l'année").check()
    page.get_by_label("Mitigé").check()
    screenshot(page, f"questionnaire-step4-{width}")
    page.get_by_role("button", name="Continuer").click()

    page.wait_for_selector("text=Étape 5 sur 5")
    page.get_by_label("Nom de la structure").fill("Les Amis du Vélo")
    page.get_by_label("Prénom Nom").fill("Jeanne Dupont")
    page.get_by_label("Fonction").fill("Coordinatrice")
    page.get_by_label("E-mail").fill("jeanne@amis-du-velo.fr")
    page.get_by_label("Code postal / commune").fill("69007 Lyon")
    page.get_by_label("J'accepte que LaSuite.coop").check()
    screenshot(page, f"questionnaire-step5-{width}")


@pytest.mark.parametrize("width", [375, 1280])
def test_visitor_completes_the_questionnaire_and_gets_the_same_diagnosis_by_email(
    live_server, demo_site, page_at, screenshot, width
):
    """The demo questionnaire, completed in a browser, lands on a results page with a score and
    findings; the confirmation e-mail carries the same summary."""
    page = page_at(width)
    page.goto(f"{live_server.url}/")
    assert page.locator("h1").count() == 1
    screenshot(page, f"home-{width}")
    page.get_by_role("link", name="Commencer l'audit gratuit").first.click()
    page.wait_for_url("**/audit/?depuis=*")
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    answer_all_steps(page, width, screenshot)
    page.get_by_role("button", name="Voir mon diagnostic").click()
    page.wait_for_url("**/audit/resultats/**")
    assert page.locator("h1").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"results-{width}")

    submission = AuditSubmission.objects.get()
    summary = submission.score_details
    score_text = page.locator(".r-score__value").inner_text()
    assert score_text.startswith(str(summary["score"]))
    findings = [f["label"] for f in summary["usages"]]
    assert findings and all(
        page.get_by_role("heading", name=f, exact=True).count() == 1 for f in findings
    )
    steps = [s["title"] for s in summary["first_steps"]]
    assert len(steps) == 3
    page_text = page.locator("main").inner_text()
    assert all(step in page_text for step in steps)
    assert "Réserver mon rendez-vous" in page_text

    engagement = Engagement.objects.get()
    assert engagement.organisation.name == "Les Amis du Vélo"
    assert engagement.score == summary["score"]

    email = next(m for m in mail.outbox if m.to == ["jeanne@amis-du-velo.fr"])
    assert f"{summary['score']}/100" in email.body
    assert all(step in email.body for step in steps)
    assert all(finding in email.body for finding in findings)
    assert all(flag["title"] in email.body for flag in summary["flags"])
    results_link = re.search(r"https?://\S+/audit/resultats/\S+/", email.body).group(0)
    path = results_link.split("testserver", 1)[-1]
    page.goto(f"{live_server.url}{path}")
    assert page.locator(".r-score__value").inner_text().startswith(str(summary["score"]))


def test_visitor_goes_back_without_losing_answers_and_uses_the_keyboard(
    live_server, demo_site, page_at
):
    """The back button keeps answers; the form is usable with the keyboard alone."""
    page = page_at(1280)
    page.goto(f"{live_server.url}/audit/")
    page.get_by_label("Commune / intercommunalité").focus()
    page.keyboard.press("Space")
    page.get_by_label("1 à 10", exact=True).check()
    page.get_by_label("Microsoft (Outlook, Teams, Office 365…)").check()
    page.get_by_role("button", name="Continuer").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Étape 2 sur 5")
    # Public body: the question on State tools appears on the next screen.
    assert page.get_by_text("Utilisez-vous déjà ProConnect, Tchap ou La Suite territoriale ?")
    page.get_by_role("button", name="Retour").click()
    page.wait_for_selector("text=Étape 1 sur 5")
    assert page.get_by_label("Commune / intercommunalité").is_checked()
    assert page.get_by_label("Microsoft (Outlook, Teams, Office 365…)").is_checked()


def test_admin_login_page_is_served(live_server, demo_site, page_at):
    """/admin/ leads to Wagtail's sign-in page, in French."""
    page = page_at(1280)
    page.goto(f"{live_server.url}/admin/")
    assert page.locator("input[name=username]").count() == 1
    assert page.locator("html").get_attribute("lang") == "fr"
