"""Audience counters: page views (cache hits included) and questionnaire screens are counted
per day, and nothing about the visitor is kept: no address, no user agent, no cookie."""

import pytest
from django.core import serializers
from django.db import DatabaseError
from django.utils import timezone
from wagtail.models import Page

from audience.models import PageViewCount, QuestionnaireStepCount
from tests.audience.conftest import VISITOR_AGENT, VISITOR_IP
from tests.audits.helpers import post_step, submit_questionnaire, valid_answers

pytestmark = pytest.mark.django_db


def views_of(page) -> int:
    row = PageViewCount.objects.filter(page=page, day=timezone.localdate()).first()
    return row.views if row else 0


def screens_sent(page) -> dict[int, int]:
    return dict(QuestionnaireStepCount.objects.filter(page=page).values_list("step", "count"))


def counter_tables_text() -> str:
    return serializers.serialize(
        "json", [*PageViewCount.objects.all(), *QuestionnaireStepCount.objects.all()]
    )


def assert_nothing_about_the_visitor_is_stored():
    stored = counter_tables_text()
    assert VISITOR_IP not in stored
    assert "SondeAudience" not in stored and VISITOR_AGENT not in stored
    columns = {f.name for f in PageViewCount._meta.get_fields()}
    assert columns == {"id", "page", "day", "views"}
    columns = {f.name for f in QuestionnaireStepCount._meta.get_fields()}
    assert columns == {"id", "page", "day", "step", "count"}


def test_views_are_counted_from_the_cache_too_without_cookie_ip_or_user_agent(visitor, demo_site):
    """A rendered view and a cache hit both count; no response sets a cookie, and the
    counter tables hold neither the visitor's address nor their user agent."""
    campaign = Page.objects.get(slug="collectivites")
    first = visitor.get("/collectivites/")
    second = visitor.get("/collectivites/")
    home = visitor.get("/")
    assert (first["X-Page-Cache"], second["X-Page-Cache"]) == ("miss", "hit")
    assert views_of(campaign) == 2
    assert views_of(demo_site["home"]) == 1
    for response in (first, second, home):
        assert response.status_code == 200
        assert not response.cookies and not response.has_header("Set-Cookie")
    assert not visitor.cookies
    assert_nothing_about_the_visitor_is_stored()


def test_a_counted_cache_hit_costs_no_query_and_is_written_at_the_flush(
    visitor, demo_site, settings, django_assert_num_queries
):
    """Measured: with counts kept in memory (the default), a counted cache hit costs the
    page cache's single query and nothing more; the flush writes them, added up."""
    from audience.services import BUFFER

    settings.AUDIENCE_FLUSH_SECONDS = 3600
    visitor.get("/collectivites/")
    for _ in range(3):
        with django_assert_num_queries(1):
            assert visitor.get("/collectivites/")["X-Page-Cache"] == "hit"
    campaign = Page.objects.get(slug="collectivites")
    assert views_of(campaign) == 0 and BUFFER.pending() == 4
    assert BUFFER.flush() == 4  # the day's row is created, then…
    assert views_of(campaign) == 4
    visitor.get("/collectivites/")
    with django_assert_num_queries(1):  # …later flushes are one UPDATE per page and day
        assert BUFFER.flush() == 1
    assert views_of(campaign) == 5


def test_counts_that_cannot_be_written_wait_for_the_next_flush(
    visitor, demo_site, settings, monkeypatch
):
    """A database error at the flush keeps the counts in memory; the next flush writes them."""
    from audience import services

    settings.AUDIENCE_FLUSH_SECONDS = 3600
    visitor.get("/collectivites/")
    visitor.get("/collectivites/")
    real = services._increment

    def broken(*args, **kwargs):
        raise DatabaseError("database restarting")

    monkeypatch.setattr(services, "_increment", broken)
    assert services.BUFFER.flush() == 0 and services.BUFFER.pending() == 2
    monkeypatch.setattr(services, "_increment", real)
    assert services.BUFFER.flush() == 2
    assert views_of(Page.objects.get(slug="collectivites")) == 2


ROBOTS = [
    "",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "curl/8.5.0",
    "python-requests/2.32",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/126.0 Safari/537.36",
    "facebookexternalhit/1.1",
]


def test_robots_are_not_counted(client, demo_site):
    """No browser signature, or a robot's, and the view is not counted."""
    for user_agent in ROBOTS:
        assert client.get("/collectivites/", HTTP_USER_AGENT=user_agent).status_code == 200
    assert not PageViewCount.objects.exists()
    client.get("/collectivites/", HTTP_USER_AGENT=VISITOR_AGENT)
    assert PageViewCount.objects.get().views == 1  # the same page, for a person


def test_staff_previews_prefetches_head_and_errors_are_not_counted(visitor, demo_site, superuser):
    """Prefetches, HEAD requests, missing pages, signed-in staff and previews count nothing."""
    visitor.get("/collectivites/", HTTP_SEC_PURPOSE="prefetch")
    visitor.head("/collectivites/")
    assert visitor.get("/nulle-part/").status_code == 404
    assert not PageViewCount.objects.exists()

    visitor.force_login(superuser)
    assert visitor.get("/collectivites/").status_code == 200
    campaign = Page.objects.get(slug="collectivites")
    assert visitor.get(f"/admin/pages/{campaign.pk}/view_draft/").status_code == 200
    assert not PageViewCount.objects.exists()


def test_questionnaire_screens_count_once_each_and_personal_pages_not_at_all(visitor, demo_site):
    """Opening the questionnaire is a view; each screen counts once when first sent (going
    back and forth does not add any); the results page, personal, is not a view."""
    page = demo_site["audit_page"]
    answers = valid_answers()
    response = visitor.get("/audit/")
    response = post_step(visitor, response, answers)  # screen 1 sent: started
    response = post_step(visitor, response, answers)  # screen 2 sent
    response = post_step(visitor, response, answers, action="back")
    assert response.context["step_number"] == 2
    response = post_step(visitor, response, answers)  # screen 2 again: not counted again
    assert response.context["step_number"] == 3
    response = post_step(visitor, response, answers)
    response = post_step(visitor, response, answers)
    final = post_step(visitor, response, answers, action="submit")
    assert final.status_code == 303
    results = visitor.get(final["Location"])
    assert results.status_code == 200

    assert views_of(page) == 1
    assert screens_sent(page) == {1: 1, 2: 1, 3: 1, 4: 1, 5: 1}
    # The only cookie is Django's CSRF cookie, which the form needs (strictly necessary, no
    # consent required); counting adds none.
    assert set(visitor.cookies) <= {"csrftoken"}
    assert_nothing_about_the_visitor_is_stored()


def test_robots_and_staff_filling_the_questionnaire_are_not_counted(client, demo_site, consultant):
    """A script without a browser signature, or a signed-in consultant trying the
    questionnaire, leaves the questionnaire counters alone."""
    assert submit_questionnaire(client).status_code == 303
    client.force_login(consultant)
    answers = valid_answers(email="autre@amis-du-velo.fr", organisation_name="Autre")
    assert submit_questionnaire(client, answers).status_code == 303
    assert not QuestionnaireStepCount.objects.exists()
    assert not PageViewCount.objects.exists()


def test_a_counter_that_cannot_be_written_never_breaks_the_page(visitor, demo_site, monkeypatch):
    """The database refusing the counter's write: the visitor still gets the page."""

    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr("audience.services._increment", broken)
    assert visitor.get("/collectivites/").status_code == 200
    assert submit_questionnaire(visitor).status_code == 303
