"""Public pages are accessible and complete without JavaScript (checked on rendered HTML)."""

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.django_db

ARTICLE = "/articles/cloud-act-vos-donnees-en-europe-ne-sont-pas-a-l-abri/"
PUBLIC_PAGES = [
    "/",
    "/collectivites/",
    "/associations/",
    "/articles/",
    ARTICLE,
    "/articles/categorie/comprendre/",
    "/mentions-legales/",
    "/recherche/?q=cloud",
    "/en/",
]


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker):
    """Every public page of the demo, rendered once (data rolled back)."""
    from django.db import transaction
    from django.test import Client

    from audits import demo as audits_demo
    from cms import demo as cms_demo

    pages = {}
    with django_db_blocker.unblock(), transaction.atomic():
        audits_demo.load(cms_demo.load())
        client = Client()
        for url in PUBLIC_PAGES:
            response = client.get(url)
            pages[url] = (response.status_code, response.content)
        transaction.set_rollback(True)
    return pages


@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_page_basics(rendered, url):
    """One h1, a lang attribute, a skip link to the main landmark, alt on every image,
    a label for every form control, and no script needed to read or navigate."""
    status, content = rendered[url]
    assert status == 200
    html = BeautifulSoup(content, "html.parser")
    assert len(html.find_all("h1")) == 1
    assert html.html["lang"] == ("en" if url.startswith("/en/") else "fr")
    skip = html.select_one("a.skip-link")
    assert skip["href"] == "#contenu" and html.find("main", id="contenu") is not None
    for img in html.find_all("img"):
        assert img.has_attr("alt"), img
    for control in html.select("input:not([type=hidden]), select, textarea"):
        labelled = control.get("aria-label") or html.find("label", attrs={"for": control.get("id")})
        assert labelled, control
    # Scripts are progressive enhancement: only our deferred file, no inline behaviour.
    scripts = [s for s in html.find_all("script") if s.get("type") != "application/ld+json"]
    assert all(s.get("defer") is not None and s.get("src") for s in scripts), scripts
    assert html.find(attrs={"onclick": True}) is None
    main_nav = "Main navigation" if url.startswith("/en/") else "Navigation principale"
    assert html.find("nav", attrs={"aria-label": main_nav}) is not None


def test_focus_is_always_visible():
    """The design system draws a focus ring on every focusable element."""
    css = (Path(__file__).resolve().parents[2] / "static/css/passerelle.css").read_text()
    assert ":focus-visible { outline: none; box-shadow: var(--focus);" in css
    assert "outline: none;" not in css.replace(":focus-visible { outline: none;", "")


def test_article_page_shows_its_metadata(rendered):
    """Date, author, reading time, category, tags, lead image and other articles."""
    html = BeautifulSoup(rendered[ARTICLE][1], "html.parser")
    meta = html.select_one(".article__meta").get_text(" ", strip=True)
    assert "Par L'équipe LaSuite.coop" in meta and "2 octobre 2026" in meta
    assert "min de lecture" in meta
    assert html.select_one(".breadcrumb").get_text(" ", strip=True).endswith("Comprendre")
    assert [a.get_text() for a in html.select(".tags a")] == ["#cloud-act", "#rgpd", "#données"]
    assert html.select_one(".article__image picture source[type='image/avif']") is not None
    related = html.select("section[aria-labelledby=related-title] .article-card")
    assert 1 <= len(related) <= 3


def test_article_index_lists_the_five_demo_articles_newest_first(rendered):
    """The listing shows every published article, newest first, with category filters."""
    html = BeautifulSoup(rendered["/articles/"][1], "html.parser")
    titles = [a.get_text() for a in html.select(".article-card__title a")]
    assert len(titles) == 5
    assert titles[0].startswith("Changer d'outils sans brusquer")
    filters = [a.get_text() for a in html.select(".filters a")]
    assert filters == ["Tous les articles", "Accompagnement", "Comprendre", "Outils"]


def test_search_finds_articles_and_pages(rendered):
    """Wagtail search (database backend) returns matching articles in the current language."""
    html = BeautifulSoup(rendered["/recherche/?q=cloud"][1], "html.parser")
    titles = [a.get_text() for a in html.select(".search-results h2 a")]
    assert any("Cloud Act" in title for title in titles)
    assert html.find("label", attrs={"for": "search-q"}) is not None


def test_search_without_words_shows_only_the_form(client, demo_site):
    """An empty query is not an error."""
    response = client.get("/recherche/")
    assert response.status_code == 200
    assert "résultat" not in response.content.decode()


def test_unknown_category_is_a_404(client, demo_site):
    """A category that does not exist is a clean 404 page."""
    assert client.get("/articles/categorie/nimporte-quoi/").status_code == 404
