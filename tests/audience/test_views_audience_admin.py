"""The audience page in the Wagtail admin: aggregates for marketing and consultants, by day,
per page and per questionnaire screen, with a CSV export."""

import csv
import datetime
import io

import pytest
from django.test import Client
from django.utils import timezone
from wagtail.models import Page

from audience import services
from audience.models import PageViewCount
from pipeline.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/admin/audience/"


@pytest.fixture
def counted(demo_site):
    """Three days of views and a questionnaire funnel: 10 opened, 6 started, 3 completed."""
    today = timezone.localdate()
    campaign = Page.objects.get(slug="collectivites")
    audit = demo_site["audit_page"]
    for offset, views in ((0, 4), (1, 7), (2, 1)):
        for _ in range(views):
            services.record_page_view(campaign.pk, day=today - datetime.timedelta(days=offset))
    for _ in range(10):
        services.record_page_view(audit.pk, day=today)
    for step, count in ((1, 6), (2, 5), (3, 5), (4, 4), (5, 3)):
        for _ in range(count):
            services.record_questionnaire_step(audit.pk, step, day=today)
    services.record_page_view(campaign.pk, day=today - datetime.timedelta(days=40))
    return {"campaign": campaign, "audit": audit}


@pytest.mark.parametrize("who", ["marketing_user", "consultant"])
def test_marketing_and_consultants_see_views_per_page_day_and_screen(request, client, counted, who):
    """Page views per page over the period, the day's figures and the drop-off per screen."""
    client.force_login(request.getfixturevalue(who))
    response = client.get(URL)
    assert response.status_code == 200
    figures = response.context["figures"]
    assert figures.total_views == 12 + 10  # the view 40 days ago is outside the 30 days
    pages = {row.title: row.views for row in figures.pages}
    assert pages[counted["campaign"].title] == 12
    funnel = figures.funnel
    assert (funnel.opened, funnel.started, funnel.completed) == (10, 6, 3)
    assert [step.dropped for step in funnel.steps] == [4, 1, 0, 1, 1]
    today = figures.active_days[0]
    assert (today.views, today.opened, today.started, today.completed) == (14, 10, 6, 3)
    html = response.content.decode()
    assert "<svg" in html and "Parcours du questionnaire" in html
    assert "4 abandons à cet écran (40 %)" in html
    assert 'src="http' not in html and 'stylesheet" href="http' not in html  # all local
    assert "/admin/audience/" in client.get("/admin/").content.decode()  # in the menu


def test_one_page_by_day_and_a_longer_period(client, marketing_user, counted):
    """Choosing a page narrows the daily figures to it; 90 days reaches the older view."""
    client.force_login(marketing_user)
    campaign = counted["campaign"]
    response = client.get(URL, {"page": campaign.pk, "jours": 90})
    figures = response.context["figures"]
    assert figures.selected_page.page_id == campaign.pk
    assert figures.total_views == 23
    assert [row.views for row in figures.active_days][:3] == [4, 7, 1]
    assert sum(bar.value for bar in figures.chart.bars) == 13


def test_bad_parameters_fall_back_to_the_defaults(client, marketing_user, counted):
    """Unknown period, page or questionnaire: the default view, never an error."""
    client.force_login(marketing_user)
    response = client.get(URL, {"jours": "abc", "page": "x'--", "questionnaire": "-1"})
    assert response.status_code == 200
    assert response.context["days"] == 30
    assert response.context["figures"].selected_page is None


def test_csv_export_lists_the_daily_counters(client, marketing_user, counted):
    """One row per page and day, then one per day of the questionnaire's screens."""
    client.force_login(marketing_user)
    response = client.get(URL, {"export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    today = timezone.localdate().isoformat()
    assert [today, counted["campaign"].title, "fr", "4"] in rows
    header = next(row for row in rows if row and row[1:2] == ["Questionnaire"])
    assert header[2:] == ["Affiché"] + [f"Écran {n} envoyé" for n in range(1, 6)]
    assert [today, counted["audit"].title, "10", "6", "5", "5", "4", "3"] in rows


def test_people_without_the_statistics_permission_are_turned_away(client, counted):
    """Admin access alone is not enough; the menu item is hidden too."""
    from django.contrib.auth.models import Permission

    user = UserFactory(username="redacteur")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    assert client.get(URL).status_code in (302, 403)
    assert "/admin/audience/" not in client.get("/admin/").content.decode()


def test_questionnaire_statistics_show_the_funnel_too(client, marketing_user, counted):
    """The existing questionnaire statistics page gains the screens' drop-off and a link."""
    client.force_login(marketing_user)
    html = client.get("/admin/questionnaire/statistiques/").content.decode()
    assert "Questionnaire affiché" in html and "abandons à cet écran" in html
    assert "/admin/audience/?jours=30" in html


def test_anonymous_visitors_get_the_login_page(counted):
    """The figures are for staff only."""
    response = Client().get(URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert PageViewCount.objects.exists()
