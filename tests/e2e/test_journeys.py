"""The four journeys of Passerelle, end to end in Debian's chromium against a live server.

Screenshots of every step are kept in tests/artifacts/screenshots/ (journey-*.png). Public
pages are also watched for Content-Security-Policy violations reported by the browser.
"""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from calendar_sync.factories import ConsultantCalendarFactory
from calendar_sync.models import Meeting
from cms.models import CampaignPage
from pipeline.factories import ConsultantFactory
from pipeline.models import Engagement, StageChange
from pipeline.stages import Stage
from tests.e2e.test_visitor_journey import answer_all_steps

pytestmark = pytest.mark.django_db(transaction=True)

WEEKDAYS = {str(d): [["09:00", "12:30"], ["14:00", "17:30"]] for d in range(5)}


def watch_csp(page) -> list[str]:
    """Collect what the browser refuses because of the Content-Security-Policy."""
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text
            or "Content-Security-Policy" in message.text
            else None
        ),
    )
    return violations


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "passerelle-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/admin/")


@pytest.fixture
def full_demo(db):
    call_command("load_demo", stdout=StringIO())


def test_journey_1_visitor_reads_answers_sees_results_and_books(
    live_server, demo_site, page_at, screenshot, settings
):
    """A visitor reads a campaign page, completes the questionnaire, sees the results and books
    a slot with the consultant the engagement was given to."""
    settings.SITE_URL = live_server.url  # absolute links (booking) point at this server
    consultant = ConsultantFactory(username="camille", first_name="Camille", last_name="Durand")
    ConsultantCalendarFactory(
        consultant=consultant, working_hours=WEEKDAYS, meeting_minutes=45, horizon_days=30,
        minimum_notice_hours=24,
    )  # fmt: skip
    from cms import demo as cms_demo

    cms_demo.load()
    campaign = CampaignPage.objects.live().get(slug="collectivites")

    page = page_at(1280)
    violations = watch_csp(page)
    page.goto(f"{live_server.url}/")
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Collectivités"
    ).click()
    page.wait_for_url(f"**{campaign.url}")
    assert page.locator("h1").inner_text().startswith("Collectivités")
    screenshot(page, "journey-1-campaign")
    page.get_by_role("link", name="Commencer l'audit gratuit").first.click()
    page.wait_for_url("**/audit/**")

    answer_all_steps(page, 1280, lambda p, name: None)
    page.get_by_role("button", name="Voir mon diagnostic").click()
    page.wait_for_url("**/audit/resultats/**")
    screenshot(page, "journey-1-results")
    engagement = Engagement.objects.get()
    assert engagement.owner == consultant

    page.get_by_role("link", name="Réserver mon rendez-vous").first.click()
    page.wait_for_selector(".slot-input")
    screenshot(page, "journey-1-booking")
    page.locator("label.slot").first.click()
    page.get_by_role("button", name="Confirmer le rendez-vous").click()
    page.wait_for_selector("text=C'est réservé")
    screenshot(page, "journey-1-booked")

    meeting = Meeting.objects.get()
    assert meeting.engagement == engagement and meeting.organiser == consultant
    engagement.refresh_from_db()
    assert engagement.stage == Stage.MEETING_SCHEDULED
    invites = [
        m
        for m in mail.outbox
        if m.to == ["jeanne@amis-du-velo.fr"]
        and any(part[1].startswith("text/calendar; method=REQUEST") for part in m.alternatives)
    ]
    assert len(invites) == 1
    assert violations == []


def test_journey_2_consultant_moves_an_engagement_and_reads_the_timeline(
    live_server, full_demo, page_at, screenshot
):
    """A consultant signs in, finds the engagement on the board, moves it, reads the timeline."""
    engagement = (
        Engagement.objects.filter(stage=Stage.QUALIFIED).select_related("organisation").first()
    )
    page = page_at(1280, 1000)
    sign_in(page, live_server.url, "consultant")
    page.get_by_role("button", name="Pipeline").click()
    board_link = page.locator("a.sidebar-menu-item__link", has_text="Tableau")
    board_link.wait_for(state="visible")
    screenshot(page, "journey-2-menu")
    board_link.click()
    page.wait_for_url("**/admin/pipeline/board/**")
    card = page.locator(f"#engagement-card-{engagement.pk}")
    assert engagement.organisation.name in card.inner_text()
    screenshot(page, "journey-2-board")

    page.select_option(f"#move-{engagement.pk}", Stage.MEETING_SCHEDULED.value)
    card.locator("button[type=submit]").click()
    page.wait_for_selector(
        f'.pl-column[data-stage="meeting_scheduled"] #engagement-card-{engagement.pk}'
    )
    page.goto(f"{live_server.url}/admin/pipeline/engagements/inspect/{engagement.pk}/")
    timeline = page.locator(".pl-timeline").inner_text()
    assert "Qualifié → Rendez-vous planifié" in timeline
    screenshot(page, "journey-2-engagement")
    change = StageChange.objects.filter(engagement=engagement).latest("changed_at")
    assert (change.to_stage, change.changed_by.username) == (Stage.MEETING_SCHEDULED, "consultant")


def test_journey_3_marketing_edits_a_campaign_page_and_a_reviewer_publishes_it(
    live_server, full_demo, page_at, screenshot
):
    """Marketing edits a campaign page and submits it; the admin approves, which publishes."""
    campaign = CampaignPage.objects.live().get(slug="associations")
    new_title = "Associations : reprenez la main sur vos outils, à votre rythme"

    page = page_at(1280, 1000)
    sign_in(page, live_server.url, "marketing")
    page.goto(f"{live_server.url}/admin/pages/{campaign.pk}/edit/")
    page.fill("#id_title", new_title)
    screenshot(page, "journey-3-editing")
    page.locator("button.dropdown-toggle, [data-w-dropdown-target='toggle']").last.click()
    page.get_by_role("button", name="Soumettre à Relecture du site de campagne").click()
    page.wait_for_selector("text=a été soumise")
    campaign.refresh_from_db()
    assert campaign.title != new_title  # not published by marketing

    page.context.clear_cookies()
    sign_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/admin/pages/{campaign.pk}/edit/")
    page.locator("button.dropdown-toggle, [data-w-dropdown-target='toggle']").last.click()
    screenshot(page, "journey-3-review")
    page.get_by_role("button", name="Approuver et Publier", exact=True).click()
    page.wait_for_load_state("networkidle")
    screenshot(page, "journey-3-approved")

    campaign.refresh_from_db()
    assert campaign.title == new_title and campaign.live
    public = page_at(1280)
    public.goto(f"{live_server.url}{campaign.url}")
    assert new_title in public.content()


def test_journey_4_the_organisation_opens_its_roadmap_link(
    live_server,
    demo_site,
    consultant,
    page_at,
    screenshot,
    settings,
    django_capture_on_commit_callbacks,
):
    """The consultant publishes the roadmap; the organisation opens the link from its e-mail,
    reads its roadmap, marks a step done, and the consultant is told."""
    import re

    from pipeline import services
    from pipeline.models import Roadmap, RoadmapItemStatus
    from tests.pipeline.roadmaps import engagement_for_roadmap

    settings.SITE_URL = live_server.url  # the e-mailed link points at this server
    engagement = engagement_for_roadmap(consultant, name="Mairie de Bellecombe-sur-Loire")
    with django_capture_on_commit_callbacks(execute=True):
        roadmap = services.generate_roadmap_draft(engagement, user=consultant)
        services.publish_roadmap(roadmap, user=consultant)
    sent = [m for m in mail.outbox if m.to == ["contact0@bellecombe.test"]]
    assert len(sent) == 1
    link = re.search(re.escape(live_server.url) + r"/feuille-de-route/[\w-]+/", sent[0].body)
    assert link, sent[0].body

    page = page_at(1280, 1000)
    page.goto(link.group(0))
    assert "Bellecombe-sur-Loire" in page.locator("h1").inner_text()
    screenshot(page, "journey-4-roadmap")
    step = page.locator(".rm-item--planned").first
    step.locator(".rm-update summary").click()
    step.get_by_role("button", name="C'est fait").click()
    page.wait_for_load_state()
    assert "notée comme faite" in page.locator(".alert--success").first.inner_text()
    screenshot(page, "journey-4-step-done")

    roadmap = Roadmap.objects.get(pk=roadmap.pk)
    assert roadmap.items.filter(status=RoadmapItemStatus.DONE).count() == 1
    told = [m for m in mail.outbox if m.to == [consultant.email] and "du nouveau" in m.subject]
    assert len(told) == 1
    engagement.refresh_from_db()
    assert engagement.stage == Stage.IN_TRANSITION
