"""French at the root, English under /en/: switcher, hreflang, and the audit page stays French."""

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from wagtail.models import Locale

from cms.models import HomePage, StandardPage

pytestmark = pytest.mark.django_db


def test_french_unprefixed_english_under_en(client, demo_site):
    """/ is the French home, /en/ its English translation; /audit/ stays the questionnaire."""
    french = BeautifulSoup(client.get("/").content, "html.parser")
    english = BeautifulSoup(client.get("/en/").content, "html.parser")
    assert french.html["lang"] == "fr" and english.html["lang"] == "en"
    assert english.h1.get_text() == "Take back control of your digital tools"
    audit = client.get("/audit/")
    assert audit.status_code == 200 and 'lang="fr"' in audit.content.decode()


def test_english_buttons_fall_back_to_the_french_questionnaire(client, demo_site):
    """Without an English questionnaire, English call-to-action buttons lead to /audit/."""
    html = BeautifulSoup(client.get("/en/").content, "html.parser")
    assert html.select_one(".hero a.button")["href"].split("?")[0] == "/audit/"


def test_language_switcher_and_hreflang(client, demo_site):
    """The home page links its translation, and declares it to search engines."""
    html = BeautifulSoup(client.get("/").content, "html.parser")
    switch = html.select_one("nav.lang-switch a")
    assert switch["href"] == "/en/" and switch["hreflang"] == "en"
    alternates = {
        link["hreflang"]: link["href"] for link in html.select('link[rel="alternate"][hreflang]')
    }
    assert alternates == {
        "fr": "http://testserver/",
        "en": "http://testserver/en/",
        "x-default": "http://testserver/",
    }


def test_untranslated_page_switches_to_the_english_home(client, demo_site):
    """A French-only page offers the English home page rather than a dead link."""
    html = BeautifulSoup(client.get("/mentions-legales/").content, "html.parser")
    assert html.select_one("nav.lang-switch a")["href"] == "/en/"
    assert html.select('link[rel="alternate"][hreflang]') == []


def test_marketing_translates_a_page_with_simple_translation(client, demo_site, marketing_user):
    """The translation tool copies a French page into the English tree, as a draft."""
    client.force_login(marketing_user)
    legal = StandardPage.objects.get(slug="mentions-legales")
    english = Locale.objects.get(language_code="en")
    response = client.post(
        reverse("simple_translation:submit_page_translation", args=(legal.pk,)),
        {"locales": [english.pk]},
    )
    assert response.status_code == 302
    translated = legal.get_translation(english)
    assert not translated.live
    assert translated.get_parent().specific == HomePage.objects.get(locale=english)


def test_demo_is_idempotent_with_locales(demo_site):
    """Loading the demo again adds no page in either language."""
    from wagtail.models import Page

    from audits import demo as audits_demo
    from cms import demo as cms_demo

    count = Page.objects.count()
    audits_demo.load(cms_demo.load())
    assert Page.objects.count() == count
    assert HomePage.objects.filter(locale__language_code="en").count() == 1
