"""What retires the page cache: anything that changes what a public page shows."""

from __future__ import annotations

from django.apps import apps
from django.db.models.signals import post_delete, post_save
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms.cache import invalidate_pages

# Models whose rows appear on public pages (menus, footer, settings, catalogue, images).
CONTENT_MODELS = (
    "cms.NavigationMenu",
    "cms.NavigationMenuItem",
    "cms.ArticleCategory",
    "cms.Author",
    "cms.SiteSettings",
    "cms.SocialLink",
    "images.PasserelleImage",
    "audits.Tool",
    "audits.Usage",
    "audits.Alternative",
    "audits.AlternativeTarget",
    "wagtailcore.Site",
    "wagtailcore.Locale",
)


def _page_deleted(sender, instance, **kwargs):
    from wagtail.models import Page

    if isinstance(instance, Page) and instance.live:
        invalidate_pages()


def connect() -> None:
    page_published.connect(invalidate_pages, dispatch_uid="cms_cache_published")
    page_unpublished.connect(invalidate_pages, dispatch_uid="cms_cache_unpublished")
    post_page_move.connect(invalidate_pages, dispatch_uid="cms_cache_moved")
    post_delete.connect(_page_deleted, dispatch_uid="cms_cache_page_deleted")
    for label in CONTENT_MODELS:
        model = apps.get_model(label)
        post_save.connect(invalidate_pages, sender=model, dispatch_uid=f"cms_cache_save_{label}")
        post_delete.connect(
            invalidate_pages, sender=model, dispatch_uid=f"cms_cache_delete_{label}"
        )
