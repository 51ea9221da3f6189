import pytest
from django.core import mail

from audits.models import AuditSubmission
from pipeline.models import Engagement

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("width", [375, 1280])
def test_home_and_questionnaire_render_at_phone_and_desktop_widths(
    live_server, demo_site, page_at, screenshot, width
):
    """Home and questionnaire pages render without horizontal scrolling; screenshots kept."""
    page = page_at(width)
    page.goto(f"{live_server.url}/")
    assert page.locator("h1").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"home-{width}")

    page.get_by_role("link", name="Commencer l'audit gratuit").first.click()
    page.wait_for_url("**/audit/")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"questionnaire-{width}")


def test_visitor_submits_the_questionnaire_with_the_keyboard_only(
    live_server, demo_site, page_at, screenshot, django_capture_on_commit_callbacks
):
    """A visitor fills and sends the form by keyboard; the engagement and e-mail follow."""
    page = page_at(1280)
    page.goto(f"{live_server.url}/audit/")
    page.get_by_label("Association").check()
    page.get_by_label("Nom de la structure").fill("Les Amis du Vélo")
    page.get_by_label("Prénom Nom").fill("Jeanne Dupont")
    page.get_by_label("E-mail").fill("jeanne@amis-du-velo.fr")
    page.get_by_label("Code postal / commune").fill("69007")
    page.get_by_label("J'accepte que LaSuite.coop").focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Envoyer mes réponses").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("text=vos réponses sont bien arrivées")
    screenshot(page, "questionnaire-thanks")

    assert AuditSubmission.objects.count() == 1
    assert Engagement.objects.get().organisation.name == "Les Amis du Vélo"
    assert any(m.to == ["jeanne@amis-du-velo.fr"] for m in mail.outbox)


def test_admin_login_page_is_served(live_server, demo_site, page_at):
    """/admin/ leads to Wagtail's sign-in page, in French."""
    page = page_at(1280)
    page.goto(f"{live_server.url}/admin/")
    assert page.locator("input[name=username]").count() == 1
    assert page.locator("html").get_attribute("lang") == "fr"
