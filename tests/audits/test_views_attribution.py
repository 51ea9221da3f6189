"""Campaign attribution through the questionnaire: the landing URL's UTM parameters and the
campaign page end up on the submission, the engagement and the reports by source."""

import csv
import io
import re
from html import unescape

import pytest
from django.test import Client
from wagtail.models import Page

from audits.models import AuditSubmission
from pipeline.models import Engagement
from tests.audience.conftest import VISITOR_AGENT
from tests.audits.helpers import post_step, submit_questionnaire, valid_answers

pytestmark = pytest.mark.django_db

LANDING = (
    "/collectivites/?utm_source=Lettre-Info&utm_medium=email"
    "&utm_campaign=printemps-2027&utm_content=bandeau"
)


def audit_links(response) -> list[str]:
    html = response.content.decode()
    return [unescape(href) for href in re.findall(r'href="(/audit/[^"]*)"', html)]


def test_utm_parameters_of_the_landing_url_reach_the_engagement_and_the_report(
    demo_site, consultant
):
    """Landing on a campaign page with UTM parameters, then "start the audit": the submission
    and the engagement carry them with the page, and the report counts them by source."""
    visitor = Client(HTTP_USER_AGENT=VISITOR_AGENT)
    campaign = Page.objects.get(slug="collectivites")
    landing = visitor.get(LANDING)
    assert landing.status_code == 200 and not landing.cookies
    links = audit_links(landing)
    assert links, "the campaign page links to the questionnaire"
    start = links[0]
    assert start == (
        f"/audit/?depuis={campaign.pk}&utm_source=lettre-info&utm_medium=email"
        "&utm_campaign=printemps-2027&utm_content=bandeau"
    )
    assert all(link == start for link in links)  # hero, call to action, header, footer

    assert submit_questionnaire(visitor, url=start).status_code == 303

    submission = AuditSubmission.objects.get()
    engagement = Engagement.objects.get()
    for record in (submission, engagement):
        assert record.landing_page_id == campaign.pk
        assert (record.utm_source, record.utm_medium) == ("lettre-info", "email")
        assert (record.utm_campaign, record.utm_content, record.utm_term) == (
            "printemps-2027", "bandeau", "",
        )  # fmt: skip

    admin = Client()
    admin.force_login(consultant)
    report = admin.get("/admin/pipeline/reports/?preset=30")
    assert report.status_code == 200
    by_source = {row.label: row for row in report.context["report"].by_source}
    assert (by_source["lettre-info"].submissions, by_source["lettre-info"].engagements) == (1, 1)
    by_page = {row.label: row for row in report.context["report"].by_landing_page}
    assert by_page[campaign.title].engagements == 1
    html = report.content.decode()
    assert "Par source" in html and "lettre-info" in html and "Par page de campagne" in html

    exported = admin.get("/admin/pipeline/reports/?preset=30&export=csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    section = next(i for i, row in enumerate(rows) if row and row[0] == "Par source")
    assert ["", "lettre-info", "1", "1", "0", "0", "0", "0", "0 %"] in rows[section:]

    engagement_page = admin.get(f"/admin/pipeline/engagements/inspect/{engagement.pk}/")
    assert "Provenance" in engagement_page.content.decode()
    assert "printemps-2027" in engagement_page.content.decode()


def test_cached_pages_link_with_the_page_only_and_odd_parameters_are_dropped(demo_site):
    """Without query string the (cached) page links with its own id only; a landing URL
    with odd values keeps none of them, and the questionnaire works all the same."""
    visitor = Client(HTTP_USER_AGENT=VISITOR_AGENT)
    campaign = Page.objects.get(slug="associations")
    visitor.get("/associations/")
    cached = visitor.get("/associations/")
    assert cached["X-Page-Cache"] == "hit"
    assert set(audit_links(cached)) == {f"/audit/?depuis={campaign.pk}"}

    odd = visitor.get(
        "/associations/?utm_source=%3Cscript%3E&utm_medium=jeanne%40exemple.fr&depuis=abc"
    )
    assert set(audit_links(odd)) == {f"/audit/?depuis={campaign.pk}"}

    url = "/audit/?utm_source=%3Cb%3Ex%3C%2Fb%3E&utm_campaign=" + "x" * 300 + "&depuis=999999"
    assert submit_questionnaire(visitor, url=url).status_code == 303
    engagement = Engagement.objects.get()
    assert engagement.utm_source == engagement.utm_campaign == ""
    assert engagement.landing_page is None  # no page 999999


def test_a_resume_link_keeps_the_attribution(demo_site):
    """Saving for later and coming back through the e-mailed link (another browser, no
    cookie): the engagement is still credited to the campaign."""
    first = Client(HTTP_USER_AGENT=VISITOR_AGENT)
    answers = valid_answers()
    response = first.get("/audit/?utm_source=mastodon&utm_medium=social")
    response = post_step(first, response, answers)
    saved = post_step(first, response, answers, action="save")
    resume_url = saved.context["resume_url"].removeprefix("http://testserver")

    later = Client(HTTP_USER_AGENT=VISITOR_AGENT)
    response = later.get(resume_url)
    assert response.context["step_number"] == 2
    for index in range(2, 6):
        response = post_step(later, response, answers, action="submit" if index == 5 else "next")
    assert response.status_code == 303
    engagement = Engagement.objects.get()
    assert (engagement.utm_source, engagement.utm_medium) == ("mastodon", "social")


def test_the_engagement_keeps_the_campaign_that_brought_it(demo_site):
    """A second questionnaire from the same organisation, from another source, is counted as a
    submission of that source; the open engagement stays credited to the first one."""
    visitor = Client(HTTP_USER_AGENT=VISITOR_AGENT)
    assert submit_questionnaire(visitor, url="/audit/?utm_source=salon").status_code == 303
    assert submit_questionnaire(visitor, url="/audit/?utm_source=linkedin").status_code == 303
    engagement = Engagement.objects.get()
    assert engagement.utm_source == "salon"
    assert sorted(AuditSubmission.objects.values_list("utm_source", flat=True)) == [
        "linkedin",
        "salon",
    ]
