"""Builders for campaign-site tests: images, a small catalogue, a page with every block."""

from __future__ import annotations

import io
from datetime import date

from bs4 import BeautifulSoup
from django.core.files.images import ImageFile
from PIL import Image
from wagtail.images import get_image_model
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from audits.models import Alternative, AlternativeTarget, Phase, Tool, Usage
from cms.models import ArticleCategory, ArticlePage, CampaignPage

VIDEO_URL = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
VIDEO_EMBED = "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"


def make_image(title="Photo de test", alt="Deux personnes devant un écran", size=(320, 200)):
    # Small on purpose: renditions are never upscaled, so AVIF encoding stays quick.
    buffer = io.BytesIO()
    Image.new("RGB", size, (31, 58, 147)).save(buffer, "PNG")
    image = get_image_model()(
        title=title, description=alt, file=ImageFile(buffer, name=f"{title}.png")
    )
    image.save()
    return image


def make_catalogue() -> dict:
    """Zoom (US, Cloud Act) → Visio (La Suite, FR, libre), Jitsi Meet — instead of the catalogue
    imported for the session (rolled back with the test)."""
    for model in (Alternative, Tool, Usage, Phase):
        model.objects.all().delete()
    phase = Phase.objects.create(number=1, title="Gains rapides")
    usage = Usage.objects.create(slug="visio", label="Réunions en visio", default_phase=phase)
    zoom = Tool.objects.create(
        slug="zoom",
        name="Zoom",
        vendor="Zoom Video Communications",
        vendor_country="US",
        cloud_act=True,
        open_source=False,
    )
    visio = Tool.objects.create(
        slug="visio",
        name="Visio",
        vendor="DINUM",
        vendor_country="FR",
        cloud_act=False,
        open_source=True,
        la_suite=True,
    )
    jitsi = Tool.objects.create(
        slug="jitsi", name="Jitsi Meet", vendor="8x8", vendor_country="US", cloud_act=False
    )
    for tool in (zoom, visio, jitsi):
        tool.usages.add(usage)
    alternative = Alternative.objects.create(
        from_tool=zoom, usage=usage, note="Meilleur gain rapide : rien à migrer."
    )
    AlternativeTarget.objects.create(alternative=alternative, tool=visio, sort_order=0)
    AlternativeTarget.objects.create(alternative=alternative, tool=jitsi, sort_order=1)
    return {"usage": usage, "alternative": alternative, "zoom": zoom, "visio": visio}


def make_article(index, title="Le Cloud Act expliqué", day=1, image=None, category=None):
    article = ArticlePage(
        title=title,
        date=date(2026, 11, day),
        intro=f"Chapeau de « {title} ».",
        lead_image=image,
        category=category,
        body=[
            {
                "type": "text",
                "value": {"title": "Intertitre", "text": "<p>Un paragraphe d'article.</p>"},
            }
        ],
    )
    index.add_child(instance=article)
    article.save_revision().publish()
    return article


def every_block(image, catalogue, category) -> list[dict]:
    """One of each block of the campaign StreamField, in stream data form."""
    return [
        {
            "type": "hero",
            "value": {
                "kicker": "Pour les collectivités",
                "title": "Des outils souverains pour vos agents",
                "lead": "Un audit gratuit en trois minutes.",
                "cta_label": "Commencer l'audit gratuit",
                "cta_page": None,
                "secondary_label": "Comment ça marche ?",
                "secondary_anchor": "comment",
                "image": image.pk,
            },
        },
        {
            "type": "text",
            "value": {"title": "Pourquoi changer", "text": "<p>Le <b>Cloud Act</b> expose.</p>"},
        },
        {
            "type": "image",
            "value": {"image": image.pk, "caption": "Une réunion en visio", "layout": "wide"},
        },
        {
            "type": "quote",
            "value": {
                "quote": "Tout le monde a suivi.",
                "name": "Sophie Bernard",
                "role": "Secrétaire générale",
                "organisation": "Mairie de Saint-Aubin",
                "photo": image.pk,
            },
        },
        {
            "type": "key_figures",
            "value": {
                "title": "En chiffres",
                "figures": [{"figure": "60 %", "caption": "des collectivités", "source": "ANCT"}],
            },
        },
        {
            "type": "faq",
            "value": {
                "title": "Questions fréquentes",
                "items": [
                    {
                        "question": "L'audit est-il gratuit ?",
                        "answer": "<p>Oui, sans engagement.</p>",
                    }
                ],
            },
        },
        {
            "type": "steps",
            "value": {
                "anchor": "comment",
                "title": "Trois étapes",
                "steps": [
                    {"title": "Questionnaire", "text": "Cochez.", "duration": "3 min"},
                    {"title": "Rendez-vous", "text": "Parlons-en.", "duration": "45 min"},
                    {"title": "Feuille de route", "text": "À votre rythme.", "duration": ""},
                ],
            },
        },
        {
            "type": "call_to_action",
            "value": {
                "title": "Faites le point",
                "text": "Gratuit.",
                "label": "Faire l'audit",
                "page": None,
            },
        },
        {
            "type": "partner_logos",
            "value": {
                "title": "Partenaires",
                "logos": [
                    {"name": "LaSuite.coop", "logo": image.pk, "url": "https://lasuite.coop/"}
                ],
            },
        },
        {
            "type": "tool_comparison",
            "value": {
                "title": "Vos outils, version souveraine",
                "intro": "Tiré du catalogue.",
                "usages": [],
                "alternatives": [catalogue["alternative"].pk],
            },
        },
        {
            "type": "video",
            "value": {
                "url": VIDEO_URL,
                "title": "La Suite numérique en deux minutes",
                "poster": image.pk,
                "transcript": "<p>Bonjour à toutes et à tous.</p>",
            },
        },
        {
            "type": "latest_articles",
            "value": {"title": "Nos derniers articles", "count": 3, "category": category.pk},
        },
    ]


def publish_campaign_page(home, image, catalogue, category, slug="collectivites"):
    page = CampaignPage(
        title="Collectivités",
        slug=slug,
        audience="collectivites",
        search_description="Audit gratuit pour les collectivités.",
        body=every_block(image, catalogue, category),
    )
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def every_block_form_data(image, catalogue, category) -> dict:
    """The same blocks as the editor's form posts them (StreamField form data)."""

    def listblock(items):
        data = {
            str(i): {"value": item, "deleted": "", "order": str(i), "id": ""}
            for i, item in enumerate(items)
        }
        data["count"] = str(len(items))
        return data

    return streamfield(
        [
            (
                "hero",
                {
                    "kicker": "Pour les collectivités",
                    "title": "Des outils souverains pour vos agents",
                    "lead": "Un audit gratuit en trois minutes.",
                    "cta_label": "Commencer l'audit gratuit",
                    "cta_page": "",
                    "secondary_label": "",
                    "secondary_anchor": "",
                    "image": str(image.pk),
                },
            ),
            (
                "text",
                {"title": "Pourquoi changer", "text": rich_text("<p>Le Cloud Act expose.</p>")},
            ),
            (
                "image",
                {"image": str(image.pk), "caption": "Une réunion en visio", "layout": "text"},
            ),
            (
                "quote",
                {
                    "quote": "Tout le monde a suivi.",
                    "name": "Sophie Bernard",
                    "role": "",
                    "organisation": "",
                    "photo": "",
                },
            ),
            (
                "key_figures",
                {
                    "title": "En chiffres",
                    "figures": listblock(
                        [{"figure": "60 %", "caption": "des collectivités", "source": ""}]
                    ),
                },
            ),
            (
                "faq",
                {
                    "title": "Questions fréquentes",
                    "items": listblock(
                        [
                            {
                                "question": "L'audit est-il gratuit ?",
                                "answer": rich_text("<p>Oui.</p>"),
                            }
                        ]
                    ),
                },
            ),
            (
                "steps",
                {
                    "anchor": "comment",
                    "title": "Trois étapes",
                    "steps": listblock(
                        [
                            {"title": "Questionnaire", "text": "Cochez.", "duration": ""},
                            {"title": "Rendez-vous", "text": "Parlons-en.", "duration": ""},
                        ]
                    ),
                },
            ),
            (
                "call_to_action",
                {"title": "Faites le point", "text": "", "label": "Faire l'audit", "page": ""},
            ),
            (
                "partner_logos",
                {
                    "title": "Partenaires",
                    "logos": listblock(
                        [{"name": "LaSuite.coop", "logo": str(image.pk), "url": ""}]
                    ),
                },
            ),
            (
                "tool_comparison",
                {
                    "title": "Vos outils, version souveraine",
                    "intro": "",
                    "usages": listblock([str(catalogue["usage"].pk)]),
                    "alternatives": listblock([]),
                },
            ),
            (
                "video",
                {
                    "url": VIDEO_URL,
                    "title": "La Suite en vidéo",
                    "poster": "",
                    "transcript": rich_text(""),
                },
            ),
            (
                "latest_articles",
                {"title": "Nos derniers articles", "count": "3", "category": str(category.pk)},
            ),
        ]
    )


def campaign_form_data(image, catalogue, category, title="Tiers-lieux", slug="tiers-lieux"):
    return nested_form_data(
        {
            "title": title,
            "slug": slug,
            "audience": "associations",
            "intro": "",
            "body": every_block_form_data(image, catalogue, category),
            "seo_title": "",
            "search_description": "",
            "share_image": "",
            "go_live_at": "",
            "expire_at": "",
        }
    )


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def category(locale=None) -> ArticleCategory:
    from wagtail.models import Locale

    return ArticleCategory.objects.create(
        name="Comprendre", slug="comprendre", locale=locale or Locale.get_default()
    )
