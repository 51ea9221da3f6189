"""The pipeline in a real browser: drag and drop, the no-JavaScript fallback, screenshots."""

from io import StringIO

import pytest
from django.core.management import call_command

from pipeline.models import Engagement, StageChange
from pipeline.stages import Stage

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(db):
    call_command("load_demo", stdout=StringIO())


def sign_in(page, base_url, username="consultant"):
    page.goto(f"{base_url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "passerelle-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/admin/")


def test_consultant_drags_a_card_to_the_next_stage(live_server, demo, page_at, screenshot):
    """Dropping a card on an allowed column moves it there and records the change."""
    page = page_at(1280, 1100)
    sign_in(page, live_server.url)
    screenshot(page, "pipeline-dashboard-1280")
    page.goto(f"{live_server.url}/admin/pipeline/board/")
    screenshot(page, "pipeline-board-1280")
    engagement = Engagement.objects.get(stage=Stage.NEW)
    card = page.locator(f"#engagement-card-{engagement.pk}")
    page.drag_and_drop(
        f"#engagement-card-{engagement.pk}", '.pl-column[data-stage="qualified"] .pl-cards'
    )
    page.wait_for_selector(
        f'.pl-column[data-stage="qualified"] #engagement-card-{engagement.pk}', timeout=5000
    )
    assert card.get_attribute("data-stage") == Stage.QUALIFIED
    engagement.refresh_from_db()
    assert engagement.stage == Stage.QUALIFIED
    assert StageChange.objects.filter(engagement=engagement, to_stage=Stage.QUALIFIED).exists()
    assert page.locator('.pl-column[data-stage="new"] [data-pl-count]').inner_text() == "0"


def test_board_without_javascript_moves_with_the_select(live_server, demo, browser, screenshot):
    """With JavaScript off, the select + button moves a card and the page says so."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="fr-FR", java_script_enabled=False
    )
    page = context.new_page()
    sign_in(page, live_server.url)
    engagement = Engagement.objects.filter(stage=Stage.MEETING_SCHEDULED).first()
    page.goto(f"{live_server.url}/admin/pipeline/board/")
    page.select_option(f"#move-{engagement.pk}", Stage.MEETING_HELD.value)
    page.locator(f"#engagement-card-{engagement.pk} button[type=submit]").click()
    page.wait_for_url("**/admin/pipeline/board/")
    assert "est passé à l'étape « Rendez-vous tenu »" in page.content()
    engagement.refresh_from_db()
    assert engagement.stage == Stage.MEETING_HELD
    context.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_engagement_page_and_reports_render(live_server, demo, page_at, screenshot, width):
    """Engagement page, list and reports render at phone and desktop widths; screenshots kept."""
    page = page_at(width, 2400 if width == 1280 else 900)
    sign_in(page, live_server.url)
    engagement = Engagement.objects.get(organisation__name="Communauté de communes du Val Vert")
    page.goto(f"{live_server.url}/admin/pipeline/engagements/inspect/{engagement.pk}/")
    assert page.get_by_role("heading", name="Chronologie").count() == 1
    screenshot(page, f"pipeline-engagement-{width}")
    page.goto(f"{live_server.url}/admin/pipeline/reports/?preset=365")
    assert page.get_by_role("heading", name="Entonnoir").count() == 1
    screenshot(page, f"pipeline-reports-{width}")
    if width == 1280:
        page.goto(f"{live_server.url}/admin/pipeline/engagements/")
        screenshot(page, "pipeline-list-1280")
        page.goto(f"{live_server.url}/admin/pipeline/board/")
    else:
        page.goto(f"{live_server.url}/admin/pipeline/board/")
        screenshot(page, "pipeline-board-375")
