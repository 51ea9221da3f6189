"""Search engines and sharing: sitemap, robots.txt, feeds, OpenGraph, canonical, JSON-LD."""

import json
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup

pytestmark = pytest.mark.django_db

ARTICLE = "/articles/cloud-act-vos-donnees-en-europe-ne-sont-pas-a-l-abri/"
SITEMAP_NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def test_sitemap_lists_pages_of_both_languages_with_public_addresses(client, demo_site):
    """sitemap.xml holds the French tree, the English home and the questionnaire."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    locations = {
        loc.text
        for loc in ET.fromstring(response.content).findall(".//s:loc", SITEMAP_NS)  # noqa: S314
    }
    for path in ("/", "/collectivites/", "/articles/", ARTICLE, "/audit/", "/en/"):
        assert f"http://testserver{path}" in locations


def test_robots_txt_points_to_the_sitemap_and_hides_the_admin(client):
    """robots.txt is plain text."""
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Disallow: /admin/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body


def test_rss_and_atom_feeds_of_articles(client, demo_site):
    """Both feeds list the five demo articles, newest first, with absolute links."""
    rss = ET.fromstring(client.get("/articles/rss/").content)  # noqa: S314
    items = rss.findall("./channel/item")
    assert len(items) == 5
    assert items[0].findtext("title").startswith("Changer d'outils sans brusquer")
    assert items[0].findtext("link").startswith("http://testserver/articles/")
    assert rss.findtext("./channel/language") == "fr"
    atom = ET.fromstring(client.get("/articles/atom/").content)  # noqa: S314
    assert len(atom.findall("{http://www.w3.org/2005/Atom}entry")) == 5


def test_pages_announce_the_feeds(client, demo_site):
    """Every page links the RSS and Atom feeds in its head."""
    html = BeautifulSoup(client.get("/").content, "html.parser")
    types = {link["type"] for link in html.select('link[rel="alternate"][type]')}
    assert types == {"application/rss+xml", "application/atom+xml"}


def test_opengraph_twitter_and_canonical_of_an_article(client, demo_site):
    """Title, description, absolute image (1200×630) and canonical URL for sharing."""
    html = BeautifulSoup(client.get(ARTICLE).content, "html.parser")

    def meta(attr, name):
        return html.find("meta", attrs={attr: name})["content"]

    assert html.find("link", rel="canonical")["href"] == f"http://testserver{ARTICLE}"
    assert meta("property", "og:type") == "article"
    assert meta("property", "og:title").startswith("Cloud Act")
    assert meta("property", "og:url") == f"http://testserver{ARTICLE}"
    assert meta("property", "og:locale") == "fr_FR"
    assert meta("property", "og:image").startswith("http://testserver/media/")
    assert meta("property", "og:image:width") == "1200"
    assert meta("name", "twitter:card") == "summary_large_image"
    assert meta("name", "description").startswith("Un datacenter en France")


def test_structured_data_organization_and_article(client, demo_site):
    """JSON-LD: the organisation on every page, the article on articles."""
    html = BeautifulSoup(client.get(ARTICLE).content, "html.parser")
    graphs = {
        g["@type"]: g
        for g in (json.loads(s.string) for s in html.select('script[type="application/ld+json"]'))
    }
    assert graphs["Organization"]["email"] == "contact@passerelle.localhost"
    article = graphs["Article"]
    assert article["datePublished"] == "2026-10-02"
    assert article["author"]["name"] == "L'équipe LaSuite.coop"
    assert article["image"].startswith("http://testserver/media/")
    assert graphs["FAQPage"]["mainEntity"][0]["name"] == "L'audit est-il vraiment gratuit ?"


def test_pages_without_their_own_image_share_the_default_one(client, demo_site):
    """Legal pages fall back to the share image of the site settings."""
    html = BeautifulSoup(client.get("/mentions-legales/").content, "html.parser")
    assert html.find("meta", property="og:image")["content"].startswith("http://testserver/media/")
    assert html.find("meta", property="og:type")["content"] == "website"


def test_structured_data_cannot_break_out_of_its_script(client, demo_site):
    """A title with </script> is escaped inside JSON-LD."""
    from cms.models import ArticlePage

    article = ArticlePage.objects.get(slug="cloud-act-vos-donnees-en-europe-ne-sont-pas-a-l-abri")
    article.title = "</script><script>alert(1)</script>"
    article.save_revision().publish()
    content = client.get(ARTICLE).content.decode()
    assert "</script><script>alert(1)" not in content


def test_a_share_image_whose_file_is_gone_drops_the_tag_not_the_page(client, demo_site):
    """A database restored without its media: the page still answers, without og:image."""
    from cms.models import SiteSettings

    image = SiteSettings.objects.get().default_share_image
    image.renditions.all().delete()
    image.file.storage.delete(image.file.name)
    response = client.get("/mentions-legales/")
    assert response.status_code == 200
    assert BeautifulSoup(response.content, "html.parser").find("meta", property="og:image") is None
