"""Every StreamField block renders through its own template, on a real published page."""

import json
import re

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from cms.blocks import ArticleStreamBlock, BodyStreamBlock
from cms.models import CampaignPage
from tests.cms.helpers import VIDEO_EMBED, VIDEO_URL, soup


@pytest.fixture
def html(rendered_campaign):
    assert rendered_campaign["status"] == 200
    return BeautifulSoup(rendered_campaign["content"], "html.parser")


@pytest.mark.django_db
def test_the_test_page_uses_every_block_of_the_campaign_stream(campaign):
    """The page under test holds one of each block type (so the tests below cover them all)."""
    used = {block.block_type for block in campaign["page"].body}
    assert used == set(BodyStreamBlock.base_blocks)
    assert set(ArticleStreamBlock.base_blocks) <= used


def test_hero_carries_the_h1_and_links_to_the_live_audit_page(html, rendered_campaign):
    """The opening hero is the page's only h1 and its button leads to the AuditPage."""
    hero = html.select_one("section.hero")
    assert hero.h1.get_text(strip=True) == "Des outils souverains pour vos agents"
    audit_url, landing = hero.select_one("a.button")["href"].split("?")
    assert audit_url == rendered_campaign["audit_url"] == "/audit/"
    assert re.fullmatch(r"depuis=\d+", landing)  # campaign attribution (audience app)
    assert hero.select_one(".hero__media picture img")["alt"] == "Deux personnes devant un écran"
    assert len(html.find_all("h1")) == 1


def test_text_block(html):
    """Rich text keeps its heading and formatting."""
    section = next(
        s for s in html.select("section.section") if s.find("h2", string="Pourquoi changer")
    )
    assert section.find("b").get_text() == "Cloud Act"


def test_image_block_offers_avif_and_webp_with_a_jpeg_fallback(html):
    """The image block is a <picture> with modern formats, sizes, alt text and caption."""
    figure = html.select_one("figure.media-figure")
    types = [source["type"] for source in figure.select("picture source")]
    assert types == ["image/avif", "image/webp"]
    img = figure.select_one("picture img")
    assert img["alt"] == "Deux personnes devant un écran"
    assert ".jpg" in img["src"] and "srcset" in img.attrs and img["loading"] == "lazy"
    assert figure.figcaption.get_text(" ", strip=True).startswith("Une réunion en visio")


def test_quote_block(html):
    """A testimonial is a figure with a blockquote and who said it."""
    quote = html.select_one("figure.quote")
    assert quote.blockquote.get_text(strip=True) == "Tout le monde a suivi."
    assert "Sophie Bernard" in quote.figcaption.get_text()
    assert "Mairie de Saint-Aubin" in quote.figcaption.get_text()
    assert quote.select_one("img.quote__photo")["alt"] == ""  # decorative, the name is text


def test_key_figures_block(html):
    """Figures are a list with value, caption and source."""
    figure = html.select_one("ul.figures li.figure")
    assert figure.select_one(".figure__value").get_text() == "60 %"
    assert figure.select_one(".figure__source").get_text() == "ANCT"


def test_faq_block_is_an_accordion_without_javascript_and_structured_data(html):
    """Each question is a <details>/<summary>; the page declares a FAQPage in JSON-LD."""
    item = html.select_one(".faq details.faq__item")
    assert item.summary.get_text(strip=True) == "L'audit est-il gratuit ?"
    assert "Oui, sans engagement." in item.get_text()
    graphs = [json.loads(s.string) for s in html.select('script[type="application/ld+json"]')]
    faq = next(g for g in graphs if g["@type"] == "FAQPage")
    assert faq["mainEntity"][0]["name"] == "L'audit est-il gratuit ?"
    assert faq["mainEntity"][0]["acceptedAnswer"]["text"] == "Oui, sans engagement."


def test_steps_block(html):
    """Steps are an ordered list under their anchor."""
    steps = html.select_one("section#comment ol.steps")
    assert [h3.get_text() for h3 in steps.select("h3")] == [
        "Questionnaire",
        "Rendez-vous",
        "Feuille de route",
    ]


def test_call_to_action_links_to_the_live_audit_page(html, rendered_campaign):
    """Without a chosen page, the CTA goes to the live questionnaire, never a fixed URL."""
    band = html.select_one(".cta-band")
    assert band.h2.get_text() == "Faites le point"
    # (with the page it starts from, for campaign attribution)
    assert band.select_one("a.button")["href"].split("?")[0] == rendered_campaign["audit_url"]


@pytest.mark.django_db
def test_call_to_action_follows_the_audit_page_when_it_moves(client, campaign):
    """Renaming the questionnaire's slug changes every button's link."""
    audit = campaign["audit_page"]
    audit.slug = "questionnaire"
    audit.save_revision().publish()
    html = soup(client.get(campaign["page"].url))
    assert html.select_one(".cta-band a.button")["href"] == (
        f"/questionnaire/?depuis={campaign['page'].pk}"
    )


def test_partner_logos_block(html):
    """Logos carry the partner's name as alt text and link to its site."""
    item = html.select_one("ul.logos li")
    assert item.a["href"] == "https://lasuite.coop/"
    assert item.img["alt"] == "LaSuite.coop"


def test_tool_comparison_shows_the_catalogue_data(html):
    """Proprietary tool → sovereign alternatives, with country, Cloud Act and La Suite."""
    row = html.select_one(".comparison__row")
    assert row.select_one(".comparison__usage").get_text() == "Réunions en visio"
    source = row.select_one(".comparison__from").get_text(" ", strip=True)
    assert "Zoom" in source and "US" in source and "Exposé au Cloud Act" in source
    targets = [li.get_text(" ", strip=True) for li in row.select(".comparison__to li")]
    assert targets[0].startswith("Visio") and "FR" in targets[0]
    assert "La Suite numérique" in targets[0] and "Libre" in targets[0]
    assert "Hors Cloud Act" in targets[0]
    assert targets[1].startswith("Jitsi Meet")
    assert row.select_one(".comparison__note").get_text() == "Meilleur gain rapide : rien à migrer."


@pytest.mark.django_db
def test_tool_comparison_follows_catalogue_edits(client, campaign):
    """A tool renamed in the catalogue is renamed on the page (the cache is retired too)."""
    client.get(campaign["page"].url)
    visio = campaign["catalogue"]["visio"]
    visio.name = "Visio (La Suite Meet)"
    visio.save()
    html = soup(client.get(campaign["page"].url))
    assert "Visio (La Suite Meet)" in html.select_one(".comparison__to").get_text()


def test_video_is_a_plain_link_until_clicked(html):
    """No iframe and no third-party request in the HTML: a link works without JavaScript,
    and the privacy-friendly embed address waits in a data attribute."""
    frame = html.select_one(".video__frame")
    assert frame["data-video-embed"] == VIDEO_EMBED
    assert frame.select_one("a.video__link")["href"] == VIDEO_URL
    assert "YouTube" in frame.get_text()
    assert html.find("iframe") is None
    assert "Bonjour à toutes et à tous." in html.select_one(".video__transcript").get_text()


def test_latest_articles_block_lists_published_articles_of_the_category(html, rendered_campaign):
    """The newest live articles of the chosen category, with a link to all articles."""
    titles = [a.get_text() for a in html.select(".article-grid .article-card__title a")]
    assert titles[0] == "Un article de test"
    assert len(titles) <= 3
    assert html.find("a", class_="more-link")["href"] == rendered_campaign["index_url"]


@pytest.mark.django_db
def test_every_block_has_a_preview_in_the_editor(client, marketing_user, campaign):
    """The block chooser shows a rendered preview of each block (Wagtail block previews)."""
    client.force_login(marketing_user)
    stream_block = CampaignPage._meta.get_field("body").stream_block
    for name, block in stream_block.child_blocks.items():
        assert block.is_previewable, name
        assert block.get_description(), name
        response = client.get(
            reverse("wagtailadmin_block_preview"), {"id": block.definition_prefix}
        )
        assert response.status_code == 200, name
        assert "passerelle.css" in response.content.decode(), name
