"""Consultants' calendar screens in the Wagtail admin."""

from datetime import timedelta

import pytest
from django.core import mail
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from calendar_sync.factories import MeetingFactory
from calendar_sync.models import Meeting, MeetingAttendee, MeetingStatus
from pipeline.factories import ConsultantFactory
from pipeline.stages import Stage
from tests.calendar_sync.helpers import calendar_part, days_ahead

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, consultant):
    client.force_login(consultant)
    return client


@pytest.fixture
def meeting(engagement, consultant):
    meeting = MeetingFactory(engagement=engagement, organiser=consultant)
    MeetingAttendee.objects.create(meeting=meeting, name="Karim", email="karim@jardins.org")
    return meeting


def test_consultant_schedules_a_meeting_from_the_admin(signed_in, engagement, run_on_commit):
    """The schedule form creates the meeting, moves the stage and sends the invite."""
    page = signed_in.get(f"/admin/calendar/engagements/{engagement.pk}/schedule/")
    assert page.status_code == 200
    assert "/rendez-vous/" in page.text  # the booking link to send instead
    contacts = list(engagement.organisation.contacts.values_list("pk", flat=True))
    with run_on_commit():
        response = signed_in.post(
            f"/admin/calendar/engagements/{engagement.pk}/schedule/",
            {
                "date": days_ahead(4).isoformat(), "start_time": "10:30", "duration": "90",
                "kind": "on_site", "location": "12 rue des Lilas, Lyon", "agenda": "Inventaire",
                "contacts": contacts,
            },
        )  # fmt: skip
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/calendar/meetings/{meeting.pk}/"
    assert meeting.end - meeting.start == timedelta(minutes=90)
    assert timezone.localtime(meeting.start).strftime("%H:%M") == "10:30"
    engagement.refresh_from_db()
    assert engagement.stage == Stage.MEETING_SCHEDULED
    method, calendar, _raw = calendar_part(mail.outbox[-1])
    assert method == "REQUEST"
    assert str(calendar.walk("VEVENT")[0]["LOCATION"]) == "12 rue des Lilas, Lyon"
    detail = signed_in.get(response["Location"])
    assert detail.status_code == 200 and "Inventaire" in detail.text


def test_schedule_form_refuses_the_past_and_multiline_locations(signed_in, engagement):
    """Clear French errors, nothing saved."""
    url = f"/admin/calendar/engagements/{engagement.pk}/schedule/"
    contacts = list(engagement.organisation.contacts.values_list("pk", flat=True))
    base = {"start_time": "10:00", "duration": "60", "contacts": contacts}
    past = signed_in.post(url, {**base, "date": "2020-01-01", "kind": "video"})
    assert "déjà passé" in past.text
    crlf = signed_in.post(
        url, {**base, "date": days_ahead(4).isoformat(), "kind": "on_site",
              "location": "Mairie\r\nBcc: x@evil.example"},
    )  # fmt: skip
    assert "une seule ligne" in crlf.text
    assert not Meeting.objects.exists()


def test_move_cancel_and_mark_held_from_the_meeting_page(signed_in, meeting, run_on_commit):
    """The three actions of the meeting page go through the services."""
    url = f"/admin/calendar/meetings/{meeting.pk}/"
    with run_on_commit():
        signed_in.post(
            url + "move/",
            {"date": days_ahead(6).isoformat(), "start_time": "15:00", "duration": "60"},
        )
    meeting.refresh_from_db()
    assert meeting.sequence == 1 and timezone.localtime(meeting.start).hour == 15
    with run_on_commit():
        response = signed_in.post(url + "held/", {"notes": "Très bien"})
    assert "pas encore commencé" in response.text
    Meeting.objects.filter(pk=meeting.pk).update(
        start=timezone.now() - timedelta(hours=2), end=timezone.now() - timedelta(hours=1)
    )
    meeting.engagement.stage = Stage.MEETING_SCHEDULED
    meeting.engagement.save()
    response = signed_in.post(url + "held/", {"notes": "Très bien, feuille de route à préparer"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD and meeting.notes.startswith("Très bien")
    meeting.engagement.refresh_from_db()
    assert meeting.engagement.stage == Stage.MEETING_HELD
    assert "ne peut pas être annulé" in signed_in.post(url + "cancel/", {"reason": ""}).text


def test_calendar_settings_save_hours_and_show_a_new_feed_link_once(signed_in, calendar):
    """Working hours are parsed and saved; regenerate shows the new link; bad hours refused."""
    page = signed_in.get("/admin/calendar/settings/")
    assert page.status_code == 200
    data = {
        "action": "save", "accepts_bookings": "on", "time_zone": "Europe/Paris",
        "meeting_minutes": "45", "buffer_before_minutes": "0", "buffer_after_minutes": "10",
        "slot_step_minutes": "30", "minimum_notice_hours": "12", "horizon_days": "21",
        "hours_0": "9:00-12:00, 14h00-18h00", "hours_1": "", "hours_2": "", "hours_3": "",
        "hours_4": "09:00-12:00", "hours_5": "", "hours_6": "",
        "days_off_text": "2030-05-01\n2030-08-01..2030-08-03",
    }  # fmt: skip
    assert signed_in.post("/admin/calendar/settings/", data).status_code == 302
    calendar.refresh_from_db()
    assert calendar.working_hours["0"] == [["09:00", "12:00"], ["14:00", "18:00"]]
    assert calendar.days_off == ["2030-05-01", "2030-08-01", "2030-08-02", "2030-08-03"]
    assert calendar.meeting_minutes == 45

    bad = signed_in.post("/admin/calendar/settings/", {**data, "hours_1": "18:00-09:00"})
    assert "la fin doit suivre le début" in bad.text

    response = signed_in.post("/admin/calendar/settings/", {"action": "regenerate"})
    assert "http://testserver/agenda/" in response.text and ".ics" in response.text
    assert "http://testserver/agenda/" not in signed_in.get("/admin/calendar/settings/").text


def test_meeting_list_and_reply_upload(signed_in, meeting, consultant):
    """The list shows upcoming meetings; an uploaded REPLY updates the answer."""
    assert "Jardins" in signed_in.get("/admin/calendar/").text
    reply = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
        f"UID:{meeting.uid}\r\nDTSTAMP:20270101T000000Z\r\n"
        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:karim@jardins.org\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = signed_in.post(
        "/admin/calendar/replies/", {"file": SimpleUploadedFile("reply.ics", reply)}
    )
    assert "Accepté" in response.text
    assert meeting.attendees.get().partstat == "ACCEPTED"
    junk = signed_in.post(
        "/admin/calendar/replies/", {"file": SimpleUploadedFile("x.ics", b"junk")}
    )
    assert "Aucun calendrier" in junk.text


def test_marketing_cannot_open_the_calendar_screens(client, marketing_user, meeting):
    """Meetings are personal data: Marketing gets no access."""
    client.force_login(marketing_user)
    for url in (
        "/admin/calendar/",
        f"/admin/calendar/meetings/{meeting.pk}/",
        "/admin/calendar/settings/",
    ):
        assert client.get(url).status_code in (302, 403)


def test_consultants_limited_to_their_own_engagements_do_not_see_others(client, meeting, settings):
    """With PIPELINE_CONSULTANTS_SEE_OWN_ONLY, another consultant's meeting is a 404."""
    settings.PIPELINE_CONSULTANTS_SEE_OWN_ONLY = True
    from django.contrib.auth.models import Permission

    other = ConsultantFactory(username="other")
    other.groups.first().permissions.remove(Permission.objects.get(codename="view_all_engagements"))
    client.force_login(other)
    assert client.get(f"/admin/calendar/meetings/{meeting.pk}/").status_code == 404
    assert "Jardins" not in client.get("/admin/calendar/").text


def test_engagement_panel_include_lists_meetings_with_actions(meeting, consultant):
    """The include the engagement page plugs in shows meetings and the schedule button."""
    request = RequestFactory().get("/")
    request.user = consultant
    html = Template("{% load calendar_admin %}{% engagement_meetings engagement %}").render(
        Context({"engagement": meeting.engagement, "request": request})
    )
    assert f"/admin/calendar/meetings/{meeting.pk}/" in html
    assert f"/admin/calendar/engagements/{meeting.engagement.pk}/schedule/" in html
    assert "Karim" in html


def test_engagement_page_and_dashboard_show_meetings(client, consultant):
    """The pipeline's engagement page lists the meetings; the dashboard lists upcoming ones."""
    from calendar_sync.factories import MeetingFactory

    meeting = MeetingFactory(organiser=consultant)
    meeting.engagement.owner = consultant
    meeting.engagement.save()
    client.force_login(consultant)
    page = client.get(f"/admin/pipeline/engagements/inspect/{meeting.engagement.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f"/admin/calendar/meetings/{meeting.pk}/" in html
    assert "Aucun rendez-vous pour l'instant." not in html
    dashboard = client.get("/admin/").content.decode()
    assert meeting.engagement.organisation.name in dashboard
