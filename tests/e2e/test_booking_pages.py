"""Booking pages in a real browser: screenshots at phone and desktop widths, keyboard booking."""

import pytest
from django.core import mail

from calendar_sync import links
from calendar_sync.factories import ConsultantCalendarFactory
from calendar_sync.models import Meeting
from pipeline.factories import (
    ConsultantFactory,
    ContactFactory,
    EngagementFactory,
    OrganisationFactory,
)
from pipeline.stages import Stage

pytestmark = pytest.mark.django_db(transaction=True)

WEEKDAYS = {str(d): [["09:00", "12:30"], ["14:00", "17:30"]] for d in range(5)}


@pytest.fixture
def booking_link(demo_site):
    consultant = ConsultantFactory(
        username="camille",
        first_name="Camille",
        last_name="Durand",
        email="camille@passerelle.test",
    )
    ConsultantCalendarFactory(
        consultant=consultant, working_hours=WEEKDAYS, meeting_minutes=60, slot_step_minutes=30,
        minimum_notice_hours=24, horizon_days=30, buffer_after_minutes=15,
    )  # fmt: skip

    def make(time_zone="Europe/Paris", name="Association Les Jardins Partagés"):
        organisation = OrganisationFactory(name=name, time_zone=time_zone)
        ContactFactory(
            organisation=organisation, name="Karim Haddad", email=f"karim@{organisation.domain}"
        )
        engagement = EngagementFactory(
            organisation=organisation, owner=consultant, stage=Stage.QUALIFIED
        )
        return links.booking_url(engagement).split("testserver", 1)[-1]

    return make


@pytest.mark.parametrize("width", [375, 1280])
def test_booking_page_at_phone_and_desktop_widths(
    live_server, booking_link, page_at, screenshot, width
):
    """One h1, no horizontal scroll, slots grouped by day; screenshots kept."""
    page = page_at(width)
    page.goto(live_server.url + booking_link())
    assert page.locator("h1").count() == 1
    assert page.locator(".slot-day").count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"booking-{width}")


def test_reunion_booking_page_shows_local_time(live_server, booking_link, page_at, screenshot):
    """An organisation in La Réunion sees its own time zone named on the page."""
    page = page_at(1280)
    page.goto(live_server.url + booking_link("Indian/Reunion", "Mairie de Saint-Pierre"))
    assert "heure de La Réunion" in page.content()
    screenshot(page, "booking-reunion-1280")


@pytest.mark.parametrize("width", [375, 1280])
def test_visitor_books_with_the_keyboard_and_sees_the_confirmation(
    live_server, booking_link, page_at, screenshot, width
):
    """Tab to a slot, pick it with the arrow keys' radio group, submit: booked, invite sent."""
    page = page_at(width)
    page.goto(live_server.url + booking_link())
    first = page.locator(".slot-input").first
    first.focus()
    page.keyboard.press("Space")
    page.get_by_label("Ce dont vous aimeriez parler (facultatif)").fill(
        "Nos boîtes mail et l'agenda partagé"
    )
    page.get_by_role("button", name="Confirmer le rendez-vous").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("text=C'est réservé")
    assert page.locator("h1").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"booking-confirmed-{width}")
    assert Meeting.objects.count() == 1
    assert any("karim@" in m.to[0] for m in mail.outbox)

    page.get_by_role("link", name="Déplacer").click()
    page.wait_for_selector("text=Choisissez un nouveau créneau")
    screenshot(page, f"booking-reschedule-{width}")
    page.go_back()
    page.get_by_role("link", name="Annuler").click()
    page.wait_for_selector("text=Annuler ce rendez-vous ?")
    screenshot(page, f"booking-cancel-{width}")


def test_consultant_calendar_screens_in_the_admin(live_server, demo_site, page_at, screenshot):
    """The consultant's meeting page and calendar settings render in the Wagtail admin."""
    from calendar_sync.factories import MeetingFactory
    from calendar_sync.models import MeetingAttendee

    consultant = ConsultantFactory(username="camille", first_name="Camille", last_name="Durand")
    organisation = OrganisationFactory(name="Mairie de Saint-Pierre", time_zone="Indian/Reunion")
    engagement = EngagementFactory(
        organisation=organisation, owner=consultant, stage=Stage.MEETING_SCHEDULED
    )
    meeting = MeetingFactory(
        engagement=engagement, organiser=consultant, agenda="Messagerie\nAgendas"
    )
    MeetingAttendee.objects.create(
        meeting=meeting, name="Marie Hoarau", email="marie@saintpierre.re"
    )
    page = page_at(1280)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("input[name=username]", "camille")
    page.fill("input[name=password]", "passerelle-demo")
    page.keyboard.press("Enter")
    page.wait_for_url("**/admin/")
    page.goto(f"{live_server.url}/admin/calendar/meetings/{meeting.pk}/")
    assert "Marie Hoarau" in page.content()
    screenshot(page, "admin-meeting-1280")
    page.goto(f"{live_server.url}/admin/calendar/settings/")
    assert page.locator("input[name=hours_0]").count() == 1
    screenshot(page, "admin-calendar-settings-1280")
