"""E-mail from the engagement page in a real browser: compose, preview, send, timeline; the
dead-message alert on the dashboard. Screenshots at 1280 px (and the compose page at 375 px)."""

import re

import pytest
from django.utils import timezone

from calendar_sync.factories import MeetingFactory
from calendar_sync.models import MeetingAttendee
from pipeline.factories import ConsultantFactory, ContactFactory, EngagementFactory
from pipeline.models import Notification, NotificationStatus
from pipeline.stages import Stage

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def engagement():
    consultant = ConsultantFactory(
        username="camille", first_name="Camille", last_name="Durand", email="camille@coop.test"
    )
    engagement = EngagementFactory(
        owner=consultant,
        organisation__name="Ressourcerie du Littoral",
        stage=Stage.MEETING_HELD,
        score=68,
    )
    ContactFactory(
        organisation=engagement.organisation,
        name="Julien Roux",
        role="Directeur",
        email="julien@ressourcerie.fr",
    )
    ContactFactory(
        organisation=engagement.organisation,
        name="Inès Martin",
        role="Trésorière",
        email="ines@ressourcerie.fr",
        consent_contact=False,
    )
    start = timezone.now() - timezone.timedelta(days=1)
    meeting = MeetingFactory(
        engagement=engagement,
        organiser=consultant,
        start=start,
        end=start + timezone.timedelta(hours=1),
        status="held",
        notes="Messagerie sur Gmail ; visio sur Zoom. Piste : Tchap et Visio.",
    )
    MeetingAttendee.objects.create(
        meeting=meeting, name="Julien Roux", email="julien@ressourcerie.fr"
    )
    return engagement


def sign_in(page, base_url, username="camille"):
    page.goto(f"{base_url}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "passerelle-demo")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/admin/")


def test_consultant_previews_and_sends_an_email_that_lands_on_the_timeline(
    live_server, engagement, page_at, screenshot
):
    """Écrire un e-mail → Prévisualiser → Envoyer: the timeline shows it as sent."""
    page = page_at(1280, 1000)
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/admin/pipeline/engagements/inspect/{engagement.pk}/")
    page.get_by_role("link", name="Écrire un e-mail").click()
    page.wait_for_selector("textarea[name=body]")
    no_consent = engagement.organisation.contacts.get(name="Inès Martin")
    assert page.locator(f"#recipient-{no_consent.pk}").is_disabled()
    page.fill("input[name=subject]", "Suite de notre échange — {organisation}")
    page.fill(
        "textarea[name=body]",
        "Bonjour {prenom},\n\nMerci pour votre accueil hier. Comme convenu, je vous envoie la "
        "liste des outils à tester en premier :\n\n- Tchap pour la messagerie d'équipe\n"
        "- Visio pour les réunions\n\nChoisissez un moment pour en reparler : {lien_rendez_vous}"
        "\n\nBien cordialement,\n{consultant}",
    )
    page.get_by_role("button", name="Prévisualiser").first.click()
    page.wait_for_selector(".pl-preview__frame")
    page.wait_for_load_state("load")  # styles applied: the layout no longer moves
    screenshot(page, "engagement-email-preview-1280")
    frame = page.frame_locator(".pl-preview__frame")
    assert "Bonjour Julien," in frame.locator("body").inner_text()

    send = page.get_by_role("button", name="Envoyer à 1 destinataire")
    # Move the mouse there first, as a person does: Chromium routes a click that arrives with
    # no prior mouse move by stale hit-test data of the sandboxed preview frame.
    send.hover()
    send.click()
    page.wait_for_url(
        re.compile(rf"/admin/pipeline/engagements/inspect/{engagement.pk}/"),
        wait_until="domcontentloaded",
    )
    timeline = page.locator(".pl-timeline")
    assert "Suite de notre échange" in timeline.inner_text()
    notification = Notification.objects.get(kind="consultant_message")
    assert notification.reply_to == ["camille@coop.test"]
    assert notification.status == NotificationStatus.SENT  # eager worker in the live server
    page.reload()
    assert page.locator(".pl-deliveries .pl-status--sent").count() == 1
    page.locator("#timeline-title").scroll_into_view_if_needed()
    screenshot(page, "engagement-timeline-email-1280")

    small = page_at(375, 900)
    small.context.add_cookies(page.context.cookies())
    small.goto(f"{live_server.url}/admin/pipeline/engagements/{engagement.pk}/email/")
    small.get_by_role("button", name="Prévisualiser").first.click()
    small.wait_for_selector(".pl-preview__frame")
    screenshot(small, "engagement-email-compose-375")


def test_dead_message_alert_on_dashboard_and_engagement(
    live_server, engagement, page_at, screenshot
):
    """A dead message shows on the dashboard and at the top of the engagement page."""
    Notification.objects.create(
        kind="consultant_message",
        idempotency_key="dead-demo",
        engagement=engagement,
        recipients=["julien@ressourcerie.fr"],
        subject="Votre feuille de route",
        status=NotificationStatus.DEAD,
        attempts=8,
        last_error="SMTPRecipientsRefused: 550 5.1.1 <julien@ressourcerie.fr>: User unknown",
    )
    page = page_at(1280, 900)
    sign_in(page, live_server.url)
    assert "Messages non distribués (1)" in page.content()
    screenshot(page, "dashboard-dead-messages-1280")
    page.goto(f"{live_server.url}/admin/pipeline/engagements/inspect/{engagement.pk}/")
    assert page.get_by_role("button", name="Renvoyer").is_visible()
    screenshot(page, "engagement-dead-message-1280")


def test_meeting_page_offers_held_or_absent_after_it_started(
    live_server, engagement, page_at, screenshot
):
    """A meeting that started: "Rendez-vous tenu" and the one-click absence with new slots."""
    start = timezone.now() - timezone.timedelta(minutes=70)
    meeting = MeetingFactory(
        engagement=engagement,
        organiser=engagement.owner,
        start=start,
        end=start + timezone.timedelta(hours=1),
    )
    MeetingAttendee.objects.create(
        meeting=meeting,
        contact=engagement.organisation.contacts.get(name="Julien Roux"),
        name="Julien Roux",
        email="julien@ressourcerie.fr",
    )
    page = page_at(1280, 1100)
    sign_in(page, live_server.url)
    page.goto(f"{live_server.url}/admin/calendar/meetings/{meeting.pk}/")
    page.wait_for_load_state("load")
    screenshot(page, "meeting-held-or-absent-1280")
    page.get_by_role("button", name="Absent·e — proposer de nouveaux créneaux").click()
    page.wait_for_selector(".messages")
    assert "Absence notée" in page.locator(".messages").inner_text()
    assert Notification.objects.filter(kind="consultant_message").count() == 1
