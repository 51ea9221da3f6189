"""The public booking pages, through HTTP: book, move, cancel, and every kind of bad input."""

import re
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from calendar_sync.models import Meeting, MeetingStatus
from pipeline.models import Notification
from pipeline.stages import Stage
from tests.calendar_sync.helpers import booking_path, calendar_part, days_ahead, local

pytestmark = pytest.mark.django_db


def key(moment):
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def manage_path_from(message):
    match = re.search(r"http://testserver(/rendez-vous/gerer/[A-Za-z0-9_-]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_book_move_and_cancel_through_http(client, engagement, consultant, run_on_commit):
    """A visitor books, moves then cancels from the links; three invites, stages follow."""
    path = booking_path(engagement)
    page = client.get(path)
    assert page.status_code == 200
    first = local(days_ahead(3), 10)
    assert key(first) in page.text
    assert page["X-Robots-Tag"].startswith("noindex")

    with run_on_commit():
        response = client.post(path, {"slot": key(first), "kind": "video", "agenda": "Messagerie"})
    assert response.status_code == 302
    manage = client.get(response["Location"])
    assert "C&#x27;est réservé" in manage.text or "C'est réservé" in manage.text
    meeting = Meeting.objects.get()
    assert meeting.start == first and meeting.organiser == consultant
    engagement.refresh_from_db()
    assert engagement.stage == Stage.MEETING_SCHEDULED
    assert meeting.stage_before_booking == Stage.QUALIFIED

    request_mail = [m for m in mail.outbox if "karim@jardins.org" in m.to][-1]
    manage_path = manage_path_from(request_mail)
    second = local(days_ahead(4), 15)
    assert key(second) in client.get(manage_path + "deplacer/").text
    with run_on_commit():
        response = client.post(manage_path + "deplacer/", {"slot": key(second)})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.start == second and meeting.sequence == 1
    assert client.get(manage_path).status_code == 404  # the old link was replaced

    update_mail = [m for m in mail.outbox if "karim@jardins.org" in m.to][-1]
    new_manage = manage_path_from(update_mail)
    with run_on_commit():
        response = client.post(new_manage + "annuler/", {"reason": "Conseil municipal"})
    assert response.status_code == 200
    assert "Choisir un nouveau créneau" in response.text
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CANCELLED and meeting.sequence == 2
    engagement.refresh_from_db()
    assert engagement.stage == Stage.QUALIFIED
    assert client.get(new_manage).status_code == 404

    invites = [m for m in mail.outbox if "karim@jardins.org" in m.to]
    assert [calendar_part(m)[0] for m in invites] == ["REQUEST", "REQUEST", "CANCEL"]
    assert "est confirmé" in invites[0].body
    assert re.search(r"/rendez-vous/gerer/[\w-]+/deplacer/", invites[0].body)
    assert re.search(r"/rendez-vous/gerer/[\w-]+/annuler/", invites[0].body)
    assert "a été déplacé" in invites[1].body
    assert "est annulé" in invites[2].body
    alerts = [m for m in mail.outbox if m.to == [consultant.email]]
    assert len(alerts) == 3
    activities = list(
        engagement.activities.filter(kind="meeting").values_list("summary", flat=True)
    )
    assert len(activities) == 3
    assert engagement.activities.filter(kind="stage_change").count() == 2


def test_second_visitor_is_shown_the_next_free_slots(client, engagement, consultant, calendar):
    """When the slot was just taken, the form says so and offers the following slots."""
    from pipeline.factories import ContactFactory, EngagementFactory

    other = EngagementFactory(owner=consultant, stage=Stage.NEW)
    ContactFactory(organisation=other.organisation)
    slot = local(days_ahead(3), 10)
    assert (
        client.post(booking_path(engagement), {"slot": key(slot), "kind": "video"}).status_code
        == 302
    )
    response = client.post(booking_path(other), {"slot": key(slot), "kind": "video"})
    assert response.status_code == 409
    assert "plus disponible" in response.text
    assert key(slot) not in response.text
    assert key(local(days_ahead(3), 11)) in response.text
    assert Meeting.objects.count() == 1


@pytest.mark.parametrize(
    "slot, message",
    [
        ("past", "déjà passé"),
        ("night", "plus disponible"),
        ("20270101T100000", "Choisissez un créneau"),
        ("", "Choisissez un créneau"),
        ("../../etc", "Choisissez un créneau"),
    ],
)
def test_bad_slots_get_a_clear_french_error(client, engagement, slot, message):
    """Past slots, slots outside working hours and garbage are refused; nothing is booked."""
    if slot == "past":
        slot = key(timezone.now() - timedelta(hours=2))
    elif slot == "night":
        slot = key(local(days_ahead(3), 22))
    response = client.post(booking_path(engagement), {"slot": slot, "kind": "video"})
    assert response.status_code in (400, 409)
    assert message in response.text
    assert not Meeting.objects.exists()
    assert not Notification.objects.filter(kind__startswith="meeting").exists()


def test_tampered_or_revoked_tokens_get_the_invalid_link_page(client, engagement):
    """A token changed by one character, or a random one, opens nothing."""
    path = booking_path(engagement)
    token = path.rstrip("/").rsplit("/", 1)[1]
    tampered = path.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B"))
    for bad in (tampered, "/rendez-vous/x/", "/rendez-vous/" + "a" * 300 + "/"):
        response = client.get(bad)
        assert response.status_code == 404
        assert "plus valable" in response.text
        assert client.post(bad, {"slot": key(local(days_ahead(3), 10))}).status_code == 404
    assert client.get("/rendez-vous/gerer/" + token + "/").status_code == 404  # wrong purpose
    assert not Meeting.objects.exists()


def test_crlf_and_very_long_text_are_refused_or_neutralised(client, engagement, run_on_commit):
    """CRLF in the phone is refused; a too long agenda is refused; CRLF in the agenda stays
    text: nothing injected into the ICS or the e-mail headers."""
    path = booking_path(engagement)
    slot = key(local(days_ahead(3), 10))
    response = client.post(
        path, {"slot": slot, "kind": "phone", "phone": "0102030405\r\nBcc: x@evil.example"}
    )
    assert response.status_code == 400 and "une seule ligne" in response.text
    response = client.post(path, {"slot": slot, "kind": "video", "agenda": "x" * 2001})
    assert response.status_code == 400 and "2000" in response.text
    assert not Meeting.objects.exists()

    injected = "Ordre\r\nEND:VEVENT\r\nATTENDEE:mailto:evil@example.org\r\nBcc: evil@example.org"
    with run_on_commit():
        response = client.post(path, {"slot": slot, "kind": "video", "agenda": injected})
    assert response.status_code == 302
    message = next(m for m in mail.outbox if "karim@jardins.org" in m.to)
    _method, calendar, raw = calendar_part(message)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    assert {str(a) for a in events[0]["ATTENDEE"]} == {
        "mailto:karim@jardins.org",
        "mailto:ines@jardins.org",
    }
    assert b"\r\nATTENDEE:mailto:evil" not in raw
    headers = message.message().as_bytes().split(b"\n\n", 1)[0]
    assert b"evil@example.org" not in headers
    assert "evil@example.org" not in str(message.bcc)


def test_phone_booking_needs_a_number(client, engagement):
    """Choosing a call without a number is refused with a French message."""
    response = client.post(
        booking_path(engagement), {"slot": key(local(days_ahead(3), 10)), "kind": "phone"}
    )
    assert response.status_code == 400
    assert "Indiquez le numéro" in response.text


def test_an_engagement_with_a_meeting_sees_it_instead_of_slots(client, engagement):
    """Booking twice from the same link is impossible: the page shows the meeting booked."""
    path = booking_path(engagement)
    slot = key(local(days_ahead(3), 10))
    client.post(path, {"slot": slot, "kind": "video"})
    page = client.get(path)
    assert "déjà prévu" in page.text
    response = client.post(path, {"slot": key(local(days_ahead(3), 14)), "kind": "video"})
    assert "déjà prévu" in response.text
    assert Meeting.objects.count() == 1


def test_reunion_sees_slots_in_its_own_zone(client, engagement, organisation):
    """An organisation in La Réunion sees local times (UTC+4) and can switch to Paris time."""
    organisation.time_zone = "Indian/Reunion"
    organisation.save()
    page = client.get(booking_path(engagement))
    assert "heure de La Réunion (UTC+4)" in page.text
    slot = local(days_ahead(3), 10)
    reunion = slot.astimezone(ZoneInfo("Indian/Reunion"))
    assert f'value="{key(slot)}"' in page.text
    assert f"</span>{reunion:%H:%M}</label>" in page.text
    assert f"</span>{slot:%H:%M}</label>" not in page.text
    paris = client.get(booking_path(engagement) + "?fuseau=paris")
    assert "heure de Paris" in paris.text


def test_expired_link_page_sends_a_fresh_link_without_revealing_addresses(
    client, engagement, run_on_commit
):
    """Known and unknown addresses get the same page; only the known one gets an e-mail,
    once per hour."""
    with run_on_commit():
        known = client.post("/rendez-vous/nouveau-lien/", {"email": "KARIM@jardins.org"})
        unknown = client.post("/rendez-vous/nouveau-lien/", {"email": "nobody@example.org"})
        client.post("/rendez-vous/nouveau-lien/", {"email": "karim@jardins.org"})
    assert known.status_code == unknown.status_code == 200
    assert "Vérifiez votre boîte mail" in known.text and "Vérifiez votre boîte mail" in unknown.text
    sent = [m for m in mail.outbox if m.to == ["karim@jardins.org"]]
    assert len(sent) == 1
    path = re.search(r"http://testserver(/rendez-vous/[A-Za-z0-9_-]+/)", sent[0].body).group(1)
    assert client.get(path).status_code == 200
    bad = client.post("/rendez-vous/nouveau-lien/", {"email": "x\r\nBcc: y@z"})
    assert bad.status_code == 400


def test_without_owner_the_booking_goes_to_the_least_recently_booked_consultant(
    client, organisation, calendar, consultant
):
    """Round robin: an unassigned engagement is booked with, and assigned to, the consultant
    booked the longest ago who is free then."""
    from calendar_sync.factories import ConsultantCalendarFactory, MeetingFactory
    from pipeline.factories import ConsultantFactory, ContactFactory, EngagementFactory
    from tests.calendar_sync.conftest import EVERY_DAY

    other = ConsultantFactory(username="other-consultant")
    ConsultantCalendarFactory(consultant=other, working_hours=EVERY_DAY, horizon_days=60)
    MeetingFactory(organiser=consultant, start=timezone.now() + timedelta(days=20))
    engagement = EngagementFactory(organisation=organisation, owner=None, stage=Stage.NEW)
    ContactFactory(organisation=organisation)
    slot = local(days_ahead(3), 10)
    assert (
        client.post(booking_path(engagement), {"slot": key(slot), "kind": "video"}).status_code
        == 302
    )
    engagement.refresh_from_db()
    assert engagement.owner == other
    assert Meeting.objects.get(engagement=engagement).organiser == other


def test_more_dates_are_reached_by_links_without_javascript(client, engagement):
    """Five days per page; "Dates suivantes" and "Dates précédentes" links page through."""
    path = booking_path(engagement)
    first = client.get(path).text
    assert "Dates suivantes" in first and "Dates précédentes" not in first
    since = re.search(r"depuis=(\d{4}-\d{2}-\d{2})", first).group(1)
    second = client.get(f"{path}?depuis={since}").text
    assert "Dates précédentes" in second
    assert key(local(days_ahead(3), 10)) not in second
    assert client.get(f"{path}?depuis=n'importe-quoi").status_code == 200
