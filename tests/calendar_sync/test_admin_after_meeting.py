"""After the meeting: no-show with a one-click "propose new slots" e-mail, or held with a
follow-up e-mail drafted for the consultant to edit and send."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from calendar_sync import services
from calendar_sync.factories import MeetingFactory
from calendar_sync.models import Meeting, MeetingAttendee, MeetingStatus
from pipeline import outbox
from pipeline.models import (
    ActivityKind,
    EngagementEmail,
    Notification,
    NotificationKind,
    StageChange,
)
from pipeline.stages import Stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, consultant):
    client.force_login(consultant)
    return client


@pytest.fixture
def past_meeting(engagement, consultant):
    """A meeting booked from `qualified` that started an hour ago; Karim was invited."""
    start = timezone.now() - timedelta(hours=1)
    meeting = MeetingFactory(
        engagement=engagement,
        organiser=consultant,
        start=start,
        end=start + timedelta(hours=1),
        stage_before_booking=Stage.QUALIFIED,
    )
    karim = engagement.organisation.contacts.get(email="karim@jardins.org")
    MeetingAttendee.objects.create(
        meeting=meeting, contact=karim, name=karim.name, email=karim.email
    )
    engagement.stage = Stage.MEETING_SCHEDULED
    engagement.save()
    StageChange.objects.create(
        engagement=engagement, from_stage=Stage.QUALIFIED, to_stage=Stage.MEETING_SCHEDULED
    )
    return meeting


def meeting_url(meeting):
    return f"/admin/calendar/meetings/{meeting.pk}/"


def test_no_show_sends_new_slots_with_a_working_booking_link(
    client, signed_in, past_meeting, run_on_commit
):
    """One click: the engagement goes back to `qualified`, Karim gets an e-mail whose link
    opens the booking page with free slots; no CANCEL goes out, SEQUENCE stays."""
    page = signed_in.get(meeting_url(past_meeting)).content.decode()
    assert "Absent·e — proposer de nouveaux créneaux" in page
    with run_on_commit():
        response = signed_in.post(
            meeting_url(past_meeting) + "no-show/", {"note": "", "propose_new_slots": "on"}
        )
    assert response.status_code == 302
    past_meeting.refresh_from_db()
    assert past_meeting.status == MeetingStatus.NO_SHOW and past_meeting.sequence == 0
    engagement = past_meeting.engagement
    engagement.refresh_from_db()
    assert engagement.stage == Stage.QUALIFIED
    assert engagement.activities.filter(kind=ActivityKind.MEETING, summary__startswith="Absence")
    assert not Notification.objects.filter(kind=NotificationKind.MEETING_CANCEL).exists()

    [message] = mail.outbox
    assert message.to == ["karim@jardins.org"]
    assert message.reply_to == [past_meeting.organiser.email]
    assert "Nous nous sommes manqués" in message.subject
    assert "Bonjour Karim," in message.body
    assert not any(a[1].startswith("text/calendar") for a in message.alternatives)
    link = re.search(r"http://testserver(/rendez-vous/\S+)", message.body).group(1)
    assert link in message.alternatives[0][0]  # the HTML part links it too

    client.logout()
    booking = client.get(link)
    assert booking.status_code == 200
    assert 'name="slot"' in booking.content.decode()  # free slots to choose from
    sent = EngagementEmail.objects.get(purpose="no_show")
    client.force_login(past_meeting.organiser)
    timeline = client.get(f"/admin/pipeline/engagements/inspect/{engagement.pk}/")
    assert f"E-mail « {sent.subject} » à Karim Haddad" in timeline.content.decode()


def test_no_show_without_email_and_the_rules_around_it(signed_in, past_meeting):
    """Without e-mail: stage back, nothing queued. Refused for a future or finished meeting."""
    response = signed_in.post(
        meeting_url(past_meeting) + "no-show/",
        {"note": "Prévenu trop tard", "propose_new_slots": ""},
    )
    assert response.status_code == 302
    past_meeting.refresh_from_db()
    assert (
        past_meeting.status == MeetingStatus.NO_SHOW and past_meeting.notes == "Prévenu trop tard"
    )
    assert not Notification.objects.filter(kind=NotificationKind.CONSULTANT_MESSAGE).exists()
    again = signed_in.post(meeting_url(past_meeting) + "no-show/", {"propose_new_slots": "on"})
    assert "Seul un rendez-vous prévu" in again.content.decode()
    page = signed_in.get(meeting_url(past_meeting)).content.decode()
    assert "Proposer de nouveaux créneaux" in page and "?purpose=no_show&amp;meeting=" in page

    future = MeetingFactory(engagement=past_meeting.engagement, organiser=past_meeting.organiser)
    response = signed_in.post(meeting_url(future) + "no-show/", {"propose_new_slots": "on"})
    assert "pas encore commencé" in response.content.decode()
    future.refresh_from_db()
    assert future.status == MeetingStatus.SCHEDULED


def test_no_show_with_nobody_to_write_to_changes_nothing(signed_in, past_meeting):
    """Every contact refused or without consent: a clear error, the meeting stays as it was."""
    past_meeting.engagement.organisation.contacts.update(consent_contact=False)
    response = signed_in.post(meeting_url(past_meeting) + "no-show/", {"propose_new_slots": "on"})
    assert "Aucun contact ne peut recevoir cet e-mail" in response.content.decode()
    past_meeting.refresh_from_db()
    assert past_meeting.status == MeetingStatus.SCHEDULED
    assert past_meeting.engagement.stage == Stage.MEETING_SCHEDULED


def test_the_new_slots_email_can_be_edited_before_sending(signed_in, past_meeting):
    """After "absence without e-mail", the compose page opens on the no-show template with the
    meeting's date; the booking link is issued only when sending."""
    services.mark_no_show(past_meeting, user=past_meeting.organiser)
    page = signed_in.get(
        f"/admin/pipeline/engagements/{past_meeting.engagement_id}/email/"
        f"?purpose=no_show&meeting={past_meeting.pk}"
    ).content.decode()
    assert "Nous nous sommes manqués" in page and "{lien_rendez_vous}" in page
    assert f'name="meeting" value="{past_meeting.pk}"' in page


def test_held_meeting_drafts_a_follow_up_for_the_consultant_to_send(
    signed_in, past_meeting, consultant
):
    """Marking held opens a draft with the notes and next steps filled in and {prenom} kept;
    the consultant edits it, previews and sends it to the attendee."""
    engagement = past_meeting.engagement
    engagement.next_action = "Envoyer la feuille de route"
    engagement.save()
    response = signed_in.post(
        meeting_url(past_meeting) + "held/", {"notes": "Messagerie : Gmail → Tchap."}
    )
    draft = EngagementEmail.objects.get(status="draft", purpose="follow_up")
    assert response["Location"] == (
        f"/admin/pipeline/engagements/{engagement.pk}/email/?draft={draft.pk}"
    )
    assert "Messagerie : Gmail → Tchap." in draft.body
    assert "- Envoyer la feuille de route" in draft.body
    assert draft.body.startswith("Bonjour {prenom},")
    assert [r.address for r in draft.recipients.all()] == ["karim@jardins.org"]
    assert "Relire et envoyer le suivi" in signed_in.get(meeting_url(past_meeting)).content.decode()

    compose = signed_in.get(response["Location"]).content.decode()
    send_key = re.search(r'name="send_key" value="([0-9a-f]{32})"', compose).group(1)
    data = {
        "recipients": [r.contact_id for r in draft.recipients.all()],
        "language": "fr",
        "subject": draft.subject,
        "body": draft.body + "\n\nPS : merci pour le café.",
        "draft": draft.pk,
        "purpose": "follow_up",
        "meeting": past_meeting.pk,
        "send_key": send_key,
    }
    url = f"/admin/pipeline/engagements/{engagement.pk}/email/"
    preview = signed_in.post(url, {**data, "intent": "preview"}).content.decode()
    data["preview_hash"] = re.search(r'name="preview_hash" value="([0-9a-f]+)"', preview).group(1)
    signed_in.post(url, {**data, "intent": "send"})
    draft.refresh_from_db()
    assert draft.status == "sent"
    outbox.dispatch_due()
    [message] = mail.outbox
    assert message.body.startswith("Bonjour Karim,") and "PS : merci pour le café." in message.body


def test_meetings_panel_offers_the_next_step(signed_in, past_meeting):
    """On the engagement page: a started meeting asks "held or absent?"."""
    page = signed_in.get(
        f"/admin/pipeline/engagements/inspect/{past_meeting.engagement_id}/"
    ).content.decode()
    assert "Tenu ou absent ? Le noter" in page
    assert Meeting.objects.get().status == MeetingStatus.SCHEDULED
