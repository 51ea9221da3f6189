"""Head tags for search engines and sharing: canonical, hreflang, OpenGraph, Twitter cards,
feeds and JSON-LD structured data (Organization, Article, FAQPage)."""

from __future__ import annotations

import json
import logging

from django import template
from django.conf import settings
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language

from cms.templatetags.navigation import _memo, site_root

logger = logging.getLogger(__name__)

register = template.Library()

OG_LOCALES = {"fr": "fr_FR", "en": "en_GB"}
SHARE_SPEC = "fill-1200x630|format-jpeg|jpegquality-80"
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


def absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return f"{settings.SITE_URL}{url}"


def site_settings(context):
    from cms.models import SiteSettings

    def compute():
        request = context.get("request")
        if request is None:
            return None
        return SiteSettings.for_request(request)

    return _memo(context, "site_settings", compute)


@register.inclusion_tag("includes/seo.html", takes_context=True)
def seo_head(context):
    request = context.get("request")
    page = context.get("page")
    language = get_language()
    settings_obj = site_settings(context)
    organisation = settings_obj.organisation_name if settings_obj else "Passerelle"

    description = ""
    title = context.get("seo_page_title") or ""
    image = None
    og_type = "website"
    canonical = absolute(request.path) if request else ""
    alternates = []
    if page is not None:
        specific = page.specific_deferred if hasattr(page, "specific_deferred") else page
        title = title or specific.seo_title or specific.title
        description = (
            specific.get_meta_description()
            if hasattr(specific, "get_meta_description")
            else specific.search_description
        )
        image = specific.get_share_image() if hasattr(specific, "get_share_image") else None
        og_type = getattr(specific, "og_type", "website")
        if request is not None and request.path == page.url:
            canonical = absolute(page.url)
            alternates = _alternates(page)
    if image is None and settings_obj is not None:
        image = settings_obj.default_share_image
    image_url = _share_image_url(image)
    if not image_url:
        image = None

    return {
        "request": request,
        "title": title,
        "description": Truncator(strip_tags(description or "")).chars(300),
        "canonical": canonical,
        "alternates": alternates,
        "og_type": og_type,
        "og_locale": OG_LOCALES.get(language, language),
        "site_name": organisation,
        "image_url": image_url,
        "image_alt": image.default_alt_text if image else "",
        "feeds": _feeds(context),
        "json_ld": _json_ld(context, page, settings_obj, image_url),
    }


def _share_image_url(image) -> str:
    """A missing original file (restored database without its media) drops the share image
    instead of failing the page, as Wagtail's own {% image %} tag does."""
    from wagtail.images.models import SourceImageIOError

    if image is None:
        return ""
    try:
        return absolute(image.get_rendition(SHARE_SPEC).url)
    except SourceImageIOError:
        logger.warning("Share image %s has no original file", image.pk)
        return ""


def _alternates(page) -> list[dict]:
    from wagtail.models import Page

    translations = list(
        Page.objects.filter(translation_key=page.translation_key)
        .live()
        .public()
        .select_related("locale")
    )
    if len(translations) < 2:
        return []
    links = [
        {"hreflang": other.locale.language_code, "href": absolute(other.url)}
        for other in translations
    ]
    default = next((link for link in links if link["hreflang"] == settings.LANGUAGE_CODE), links[0])
    links.append({"hreflang": "x-default", "href": default["href"]})
    return links


def _feeds(context) -> list[dict]:
    from cms.models import ArticleIndexPage

    def compute():
        root = site_root(context)
        if root is None:
            return []
        index = (
            ArticleIndexPage.objects.live().public().descendant_of(root).order_by("path").first()
        )
        if index is None:
            return []
        return [
            {
                "type": "application/rss+xml",
                "title": f"{index.title} (RSS)",
                "url": index.url + "rss/",
            },
            {
                "type": "application/atom+xml",
                "title": f"{index.title} (Atom)",
                "url": index.url + "atom/",
            },
        ]

    return _memo(context, "feeds", compute)


def _organization(settings_obj) -> dict:
    data = {
        "@type": "Organization",
        "@id": f"{settings.SITE_URL}/#organisation",
        "name": settings_obj.organisation_name if settings_obj else "Passerelle",
        "url": f"{settings.SITE_URL}/",
        "logo": absolute("/static/img/logo.svg"),
    }
    if settings_obj is not None:
        if settings_obj.contact_email:
            data["email"] = settings_obj.contact_email
        links = [link.url for link in settings_obj.social_links.all()]
        if links:
            data["sameAs"] = links
    return data


def _json_ld(context, page, settings_obj, image_url) -> list[str]:
    graphs = [{"@context": "https://schema.org", **_organization(settings_obj)}]
    if page is not None:
        specific = page.specific_deferred if hasattr(page, "specific_deferred") else page
        if getattr(specific, "og_type", "") == "article":
            article = {
                "@context": "https://schema.org",
                "@type": "Article",
                "headline": specific.title,
                "description": specific.get_meta_description(),
                "datePublished": specific.date.isoformat(),
                "inLanguage": specific.locale.language_code,
                "mainEntityOfPage": absolute(specific.url),
                "publisher": {"@id": f"{settings.SITE_URL}/#organisation"},
            }
            if specific.last_published_at:
                article["dateModified"] = specific.last_published_at.isoformat()
            if specific.author:
                article["author"] = {"@type": "Person", "name": specific.author.name}
            if image_url:
                article["image"] = image_url
            graphs.append(article)
        faq = specific.faq_items() if hasattr(specific, "faq_items") else []
        if faq:
            graphs.append(
                {
                    "@context": "https://schema.org",
                    "@type": "FAQPage",
                    "mainEntity": [
                        {
                            "@type": "Question",
                            "name": item["question"],
                            "acceptedAnswer": {
                                "@type": "Answer",
                                "text": strip_tags(str(item["answer"])).strip(),
                            },
                        }
                        for item in faq
                    ],
                }
            )
    return [
        mark_safe(json.dumps(graph, ensure_ascii=False).translate(_JSON_ESCAPES))  # noqa: S308
        for graph in graphs
    ]
