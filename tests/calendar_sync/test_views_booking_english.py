"""An organisation that answered in English is written to in English about its meeting:
invitation, update, cancellation and reminder, their calendar part and their links."""

import re
from datetime import UTC, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from calendar_sync import links, services
from calendar_sync.models import Meeting
from pipeline.models import Activity, Contact
from tests.calendar_sync.helpers import calendar_part, days_ahead, local

pytestmark = pytest.mark.django_db


def key(moment):
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@pytest.fixture
def english_contacts(engagement):
    Contact.objects.filter(organisation=engagement.organisation).update(language="en")
    return engagement


def manage_path_from(message, prefix=""):
    match = re.search(
        rf"http://testserver({prefix}/rendez-vous/gerer/[A-Za-z0-9_-]+/)", message.body
    )
    assert match, message.body
    return match.group(1)


def test_english_contacts_get_english_invitations_with_english_links(
    client, english_contacts, run_on_commit
):
    """Booked from the English page: the invitation, its calendar description and its links
    are English; the move and the cancellation too."""
    engagement = english_contacts
    path = links.booking_url(engagement, language="en").removeprefix("http://testserver")
    assert path.startswith("/en/rendez-vous/")
    first = local(days_ahead(3), 10)
    page = client.get(path)
    assert 'lang="en"' in page.text and key(first) in page.text
    with run_on_commit():
        response = client.post(path, {"slot": key(first), "kind": "video", "agenda": ""})
    assert response.status_code == 302 and response["Location"].startswith("/en/")

    invitation = [m for m in mail.outbox if "karim@jardins.org" in m.to][-1]
    method, calendar, _raw = calendar_part(invitation)
    assert method == "REQUEST"
    event = calendar.walk("VEVENT")[0]
    assert "Consultant: " in str(event["DESCRIPTION"])
    assert "Consultant·e" not in str(event["DESCRIPTION"])
    assert invitation.subject.startswith("Your Passerelle meeting on ")
    manage = manage_path_from(invitation, "/en")
    assert 'lang="en"' in client.get(manage).text
    # What the team reads stays French: the timeline and the consultant's alert.
    summaries = list(
        Activity.objects.filter(engagement=engagement).values_list("summary", flat=True)
    )
    assert any(s.startswith("Rendez-vous réservé en ligne") for s in summaries), summaries
    alert = [m for m in mail.outbox if m.to == [engagement.owner.email]][-1]
    assert alert.subject.startswith("Nouveau rendez-vous : ")

    with run_on_commit():
        client.post(manage + "annuler/", {"reason": "Board meeting"})
    cancellation = [m for m in mail.outbox if "karim@jardins.org" in m.to][-1]
    assert calendar_part(cancellation)[0] == "CANCEL"
    assert "/en/rendez-vous/" in cancellation.body
    assert cancellation.subject.startswith("Meeting cancelled")


def test_reminders_follow_the_contacts_language(english_contacts, consultant, run_on_commit):
    """The 24-hour reminder of an English-speaking organisation is English, its link too."""
    engagement = english_contacts
    start = timezone.now() + timedelta(hours=23)
    start = start.replace(minute=0, second=0, microsecond=0)
    meeting = Meeting.objects.create(
        engagement=engagement, organiser=consultant, start=start, end=start + timedelta(hours=1),
        scheduled_at=timezone.now() - timedelta(days=2),
    )  # fmt: skip
    services._set_attendees(meeting, list(engagement.organisation.contacts.all()))
    with run_on_commit():
        assert services.send_due_reminders() == 1
    (reminder,) = [m for m in mail.outbox if "karim@jardins.org" in m.to]
    assert "/en/rendez-vous/gerer/" in reminder.body
    assert reminder.subject.startswith("Reminder: your Passerelle meeting")


def test_french_contacts_keep_french_invitations(client, engagement, run_on_commit):
    """Nothing changes for the default language."""
    path = links.booking_url(engagement).removeprefix("http://testserver")
    with run_on_commit():
        client.post(path, {"slot": key(local(days_ahead(3), 10)), "kind": "video"})
    invitation = [m for m in mail.outbox if "karim@jardins.org" in m.to][-1]
    assert manage_path_from(invitation).startswith("/rendez-vous/gerer/")
    assert "/en/" not in invitation.body
