"""Audience figures and the report by source in a real browser, with screenshots: a visitor
arrives from a newsletter link, fills the questionnaire without JavaScript, and the campaign
shows up in the consultant's report."""

from io import StringIO

import pytest
from django.core.management import call_command

from audience.models import QuestionnaireStepCount
from pipeline.models import Engagement
from tests.e2e.test_pipeline_admin import sign_in
from tests.e2e.test_visitor_journey import answer_all_steps

pytestmark = pytest.mark.django_db(transaction=True)

LANDING = "/collectivites/?utm_source=lettre-info&utm_medium=email&utm_campaign=printemps-2027"


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=StringIO())


def test_campaign_visit_reaches_the_report_by_source(live_server, demo, browser, screenshot):
    """Without JavaScript, from a newsletter link to a recorded engagement credited to it."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="fr-FR", java_script_enabled=False
    )
    page = context.new_page()
    page.goto(f"{live_server.url}{LANDING}")
    page.get_by_role("link", name="Commencer l'audit gratuit").first.click()
    page.wait_for_url("**/audit/?depuis=*&utm_source=lettre-info*")
    answer_all_steps(page, 1280, lambda *args: None)
    page.get_by_role("button", name="Voir mon diagnostic").click()
    page.wait_for_url("**/audit/resultats/**")
    context.close()
    engagement = Engagement.objects.get(organisation__name="Les Amis du Vélo")
    assert (engagement.utm_source, engagement.utm_campaign) == ("lettre-info", "printemps-2027")
    assert engagement.landing_page.slug == "collectivites"

    staff = browser.new_context(viewport={"width": 1280, "height": 2400}, locale="fr-FR")
    page = staff.new_page()
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/admin/pipeline/reports/?preset=90")
    section = page.locator("#provenance")
    assert "lettre-info" in section.inner_text()
    section.screenshot(path=str(_artifact("pipeline-report-by-source-1280")))
    screenshot(page, "pipeline-reports-attribution-1280")
    staff.close()


def _artifact(name):
    from tests.e2e.conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / f"{name}.png"


@pytest.mark.parametrize("width", [375, 1280])
def test_marketing_sees_the_audience_page(live_server, demo, page_at, screenshot, width):
    """The audience page (demo counters) renders for marketing at phone and desktop widths."""
    assert QuestionnaireStepCount.objects.exists()
    page = page_at(width, 2000 if width == 1280 else 900)
    sign_in(page, live_server.url, username="marketing")
    page.goto(f"{live_server.url}/admin/audience/")
    assert page.get_by_role("heading", name="Parcours du questionnaire").count() == 1
    assert page.locator("section[aria-labelledby=au-daily-title] svg rect").count() == 30
    screenshot(page, f"audience-{width}")
    if width == 1280:
        page.goto(f"{live_server.url}/admin/audience/?jours=90")
        page.get_by_role("link", name="Collectivités").first.click()
        page.wait_for_url("**page=*")
        screenshot(page, "audience-one-page-1280")
