"""Rendered pages are cached for anonymous visitors; publishing retires them at once, and a
page view costs a fixed number of queries whatever the content."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.models import CampaignPage
from tests.cms.helpers import make_article

pytestmark = pytest.mark.django_db


def test_second_view_comes_from_the_cache_with_one_query(
    client, campaign, django_assert_num_queries
):
    """The first anonymous view renders (miss); the next costs one query (the version)."""
    url = campaign["page"].url
    first = client.get(url)
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(1):
        second = client.get(url)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content


def test_cold_render_costs_a_fixed_number_of_queries(client, campaign):
    """More articles and more catalogue rows do not add queries to a page view."""
    url = campaign["page"].url
    client.get(url)  # renditions are generated once, outside the measure
    with CaptureQueriesContext(connection) as before:
        client.get(url, {"nocache": 1})
    index = campaign["index"]
    for day in (2, 3, 4):
        make_article(
            index, title=f"Encore un article {day}", day=day, category=campaign["category"]
        )
    client.get(url, {"nocache": 1})
    with CaptureQueriesContext(connection) as after:
        client.get(url, {"nocache": 1})
    assert len(after) == len(before), [q["sql"] for q in after.captured_queries]
    print(f"cold render: {len(before)} queries")
    assert len(before) <= 60


def test_publishing_invalidates_the_cached_page(client, campaign):
    """A new revision published (as the admin or the workflow does) shows at once."""
    page = CampaignPage.objects.get(pk=campaign["page"].pk)
    client.get(page.url)
    assert client.get(page.url)["X-Page-Cache"] == "hit"
    page.title = "Collectivités territoriales"
    page.body[1].value["title"] = "Un nouvel intertitre"
    page.save_revision().publish()
    response = client.get(page.url)
    assert response["X-Page-Cache"] == "miss"
    assert "Un nouvel intertitre" in response.content.decode()


def test_publishing_another_page_refreshes_the_latest_articles(client, campaign):
    """A new article appears in the latest-articles block of cached pages."""
    url = campaign["page"].url
    client.get(url)
    make_article(
        campaign["index"], title="Tout frais publié", day=30, category=campaign["category"]
    )
    assert "Tout frais publié" in client.get(url).content.decode()


def test_unpublishing_removes_the_page(client, campaign):
    """An unpublished page is no longer served from the cache."""
    page = campaign["page"]
    client.get(page.url)
    page.unpublish()
    assert client.get(page.url).status_code == 404


def test_signed_in_editors_and_query_strings_bypass_the_cache(client, campaign, superuser):
    """Editors see the live render (with the userbar); query strings are never cached."""
    url = campaign["page"].url
    client.get(url)
    assert "X-Page-Cache" not in client.get(url, {"utm_source": "x"})
    client.force_login(superuser)
    assert "X-Page-Cache" not in client.get(url)


def test_forms_are_never_cached(client, demo_site):
    """The questionnaire (a form with a CSRF token) is rendered for every visitor."""
    client.get("/audit/")
    assert "X-Page-Cache" not in client.get("/audit/")


@pytest.mark.parametrize("route", ["", "rss/", "categorie/comprendre/"])
def test_article_list_and_its_feeds_are_cached_and_refreshed_by_a_new_article(
    client, campaign, django_assert_num_queries, route
):
    """The article list (a routable page) is cached like the other pages, its category pages
    and feeds too, and a newly published article shows at once."""
    url = campaign["index"].url + route
    assert client.get(url)["X-Page-Cache"] == "miss"
    with django_assert_num_queries(1):
        assert client.get(url)["X-Page-Cache"] == "hit"
    make_article(
        campaign["index"], title="Article tout juste publié", day=29, category=campaign["category"]
    )
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "Article tout juste publié" in response.content.decode()


def test_requests_wagtail_does_not_serve_skip_the_cache_lookup(client, campaign):
    """Only requests routed to Wagtail's page view read the content version: robots.txt, the
    health check or an ICS feed never pay for the page cache."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/robots.txt").status_code == 200
    assert not [q for q in captured if "cms_contentversion" in q["sql"]]
    with CaptureQueriesContext(connection) as captured:
        assert client.get(campaign["page"].url)["X-Page-Cache"] in {"hit", "miss"}
    assert [q for q in captured if "cms_contentversion" in q["sql"]]


def test_content_version_is_created_read_in_one_query_and_bumped(django_assert_num_queries):
    """The version exists once read, costs one query to read, and each bump changes it."""
    from cms.models import ContentVersion

    ContentVersion.objects.all().delete()
    first = ContentVersion.current()
    with django_assert_num_queries(1):
        assert ContentVersion.current() == first
    ContentVersion.bump()
    assert ContentVersion.current() == first + 1
    assert ContentVersion.objects.count() == 1
