"""The consultant's ICS feed and the per-meeting download."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from icalendar import Calendar

from calendar_sync import links, services
from calendar_sync.factories import MeetingFactory
from calendar_sync.models import MeetingAttendee, MeetingStatus
from tests.calendar_sync.helpers import days_ahead, local

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()


@pytest.fixture
def feed_path(calendar, consultant):
    return links.feed_path(services.regenerate_feed_link(calendar, user=consultant))


@pytest.fixture
def meeting(engagement, consultant):
    meeting = MeetingFactory(
        engagement=engagement, organiser=consultant, start=local(days_ahead(5), 10),
        end=local(days_ahead(5), 11), agenda="Messagerie et agendas",
    )  # fmt: skip
    MeetingAttendee.objects.create(meeting=meeting, name="Karim Haddad", email="karim@jardins.org")
    return meeting


def test_feed_is_a_publish_calendar_without_addresses(client, feed_path, meeting):
    """METHOD:PUBLISH, the meeting with its UID, no ORGANIZER/ATTENDEE, private caching."""
    assert feed_path.startswith("/agenda/") and feed_path.endswith(".ics")
    response = client.get(feed_path)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"].startswith("private")
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert calendar.get_missing_tzids() == set()
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == meeting.uid
    assert b"mailto:" not in response.content
    assert b"karim@jardins.org" not in response.content
    assert "ATTENDEE" not in event and "ORGANIZER" not in event
    assert "Karim Haddad" in str(event["DESCRIPTION"])  # names help the consultant


def test_feed_answers_304_when_unchanged_and_200_after_a_change(client, feed_path, meeting):
    """ETag and Last-Modified validators: 304 while nothing changed, a new ETag after."""
    first = client.get(feed_path)
    etag, modified = first["ETag"], first["Last-Modified"]
    again = client.get(feed_path, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert client.get(feed_path, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304

    meeting.agenda = "Nouvel ordre du jour"
    meeting.save()
    changed = client.get(feed_path, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    [event] = Calendar.from_ical(changed.content).walk("VEVENT")
    assert "Nouvel ordre du jour" in str(event["DESCRIPTION"])


@pytest.mark.parametrize("seconds", [0, 600])
def test_feed_body_is_kept_in_the_cache_only_when_configured(
    client, feed_path, meeting, settings, seconds
):
    """A built feed is kept CALENDAR_FEED_CACHE_SECONDS under its ETag; 0 keeps nothing."""
    settings.CALENDAR_FEED_CACHE_SECONDS = seconds
    first = client.get(feed_path)
    kept = cache.get(f"calendar-feed:{first['ETag']}")
    assert (kept is not None) == bool(seconds)
    assert client.get(feed_path).content == first.content


def test_an_unchanged_feed_costs_two_small_queries_and_no_write(
    client, feed_path, meeting, django_assert_num_queries
):
    """A 304 reads the link, then the validators (count and latest change of the meetings in
    the window, one aggregate joined through the calendar); it loads neither the calendar nor
    the body and writes nothing. (One query with the calendar, its annotations and the link
    was measured slower than these two.)"""
    first = client.get(feed_path)
    with django_assert_num_queries(2):
        again = client.get(feed_path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]


def test_a_feed_without_meetings_and_a_deleted_calendar(client, feed_path, calendar):
    """Without meetings in the window the validators come from the calendar; a link to a
    calendar deleted since answers 404."""
    first = client.get(feed_path)
    assert first.status_code == 200
    assert client.get(feed_path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    calendar.delete()
    assert client.get(feed_path).status_code == 404


def test_regenerating_the_link_kills_the_old_feed_url(client, feed_path, calendar, consultant):
    """After "regenerate", the old URL answers 404 and the new one works."""
    assert client.get(feed_path).status_code == 200
    new_path = links.feed_path(services.regenerate_feed_link(calendar, user=consultant))
    assert client.get(feed_path).status_code == 404
    assert client.get(new_path).status_code == 200
    assert client.get("/agenda/not-a-token.ics").status_code == 404


def test_feed_window_is_bounded(client, feed_path, engagement, consultant, settings):
    """Meetings far in the past or the future stay out of the feed."""
    inside = MeetingFactory(engagement=engagement, organiser=consultant)
    old = timezone.now() - timedelta(days=settings.CALENDAR_FEED_PAST_DAYS + 5)
    far = timezone.now() + timedelta(days=settings.CALENDAR_FEED_FUTURE_DAYS + 5)
    MeetingFactory(
        engagement=engagement,
        organiser=consultant,
        start=old,
        end=old + timedelta(hours=1),
        status=MeetingStatus.HELD,
    )
    MeetingFactory(
        engagement=engagement, organiser=consultant, start=far, end=far + timedelta(hours=1)
    )
    calendar = Calendar.from_ical(client.get(feed_path).content)
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [inside.uid]


def test_cancelled_meetings_stay_in_the_feed_as_cancelled(client, feed_path, meeting):
    """A cancelled meeting is kept with STATUS:CANCELLED so subscribed clients drop it."""
    services.cancel_meeting(meeting, by_organisation=True)
    [event] = Calendar.from_ical(client.get(feed_path).content).walk("VEVENT")
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 1


def test_organisation_downloads_its_meeting_as_ics(client, meeting):
    """The manage link offers a .ics of the meeting (PUBLISH, no addresses)."""
    raw = links.meeting_token(meeting)
    response = client.get(f"/rendez-vous/gerer/{raw}/rendez-vous.ics")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar.walk("VEVENT")[0]["UID"]) == meeting.uid
    assert b"mailto:" not in response.content
