"""Site navigation: menus, footer, language switcher and the audit page, in the current
language. Results are memoised on the request: header, footer and blocks ask several times."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils.translation import get_language
from wagtail.models import Locale, Page, Site

register = template.Library()


def _memo(context, key, compute):
    request = context.get("request")
    if request is None:
        return compute()
    store = request.__dict__.setdefault("_cms_navigation", {})
    if key not in store:
        store[key] = compute()
    return store[key]


def active_locale(context) -> Locale | None:
    def compute():
        try:
            return Locale.get_active()
        except Locale.DoesNotExist:
            return None

    return _memo(context, "locale", compute)


def site_root(context) -> Page | None:
    """The home page of the current site, in the current language when translated."""

    def compute():
        request = context.get("request")
        site = Site.find_for_request(request) if request else None
        if site is None:
            return None
        root = site.root_page
        locale = active_locale(context)
        if locale is not None and root.locale_id != locale.pk:
            root = (
                Page.objects.filter(translation_key=root.translation_key, locale=locale)
                .live()
                .first()
                or root
            )
        return root

    return _memo(context, "root", compute)


@register.simple_tag(takes_context=True)
def home_page(context):
    return site_root(context)


@register.simple_tag(takes_context=True)
def main_menu_items(context) -> list[dict]:
    """The editable main menu, or the root's children shown in menus when there is none."""
    from cms.models import MenuPlacement

    return _memo(context, "main_menu", lambda: _menu_items(context, MenuPlacement.MAIN))


@register.simple_tag(takes_context=True)
def footer_menu(context) -> dict | None:
    from cms.models import MenuPlacement, NavigationMenu

    def compute():
        menu = NavigationMenu.for_placement(MenuPlacement.FOOTER)
        if menu is None:
            return None
        return {"title": menu.title, "items": _items_of(context, menu)}

    return _memo(context, "footer_menu", compute)


def _menu_items(context, placement) -> list[dict]:
    from cms.models import NavigationMenu

    menu = NavigationMenu.for_placement(placement)
    if menu is not None:
        return _items_of(context, menu)
    root = site_root(context)
    if root is None:
        return []
    current = context.get("page")
    return [
        {
            "label": page.title,
            "url": page.url,
            "current": bool(current and current.pk == page.pk),
        }
        for page in root.get_children().live().public().in_menu()
    ]


def _items_of(context, menu) -> list[dict]:
    locale = active_locale(context)
    current = context.get("page")
    fallback = locale is not None and menu.locale_id != locale.pk
    items = []
    for item in menu.items.select_related("page").order_by("sort_order"):
        if item.page_id:
            page = item.page
            if locale is not None and page.locale_id != locale.pk:
                translated = page.get_translation_or_none(locale)
                if translated is None and fallback:
                    continue  # Another language's menu: only pages translated here.
                page = translated or page
            if not page.live:
                continue
            items.append(
                {
                    "label": item.label or page.title,
                    "url": page.url,
                    "current": bool(current and current.pk == page.pk),
                }
            )
        else:
            items.append({"label": item.label, "url": item.url, "current": False})
    return items


@register.simple_tag(takes_context=True)
def footer_pages(context):
    from cms.models import StandardPage

    def compute():
        root = site_root(context)
        if root is None:
            return []
        return list(
            StandardPage.objects.live().public().descendant_of(root).filter(show_in_footer=True)
        )

    return _memo(context, "footer_pages", compute)


@register.simple_tag(takes_context=True)
def audit_page(context):
    """The live questionnaire every "start the audit" button leads to: in the current
    language when it is translated, else the French one (never a hard-coded /audit/)."""
    from audits.models import AuditPage

    def compute():
        pages = AuditPage.objects.live().public().order_by("path")
        locale = active_locale(context)
        page = pages.filter(locale=locale).first() if locale is not None else None
        return page or pages.filter(locale__language_code=settings.LANGUAGE_CODE).first()

    return _memo(context, "audit_page", compute)


@register.simple_tag(takes_context=True)
def language_links(context) -> list[dict]:
    """One link per language: the translation of this page if it is live, else that
    language's home page."""
    from wagtail.coreutils import get_content_languages

    def compute():
        current_code = get_language()
        page = context.get("page")
        translations = {}
        if page is not None and getattr(page, "translation_key", None):
            for translated in (
                Page.objects.filter(translation_key=page.translation_key)
                .live()
                .public()
                .select_related("locale")
            ):
                translations[translated.locale.language_code] = translated
        homes = {}
        request = context.get("request")
        site = Site.find_for_request(request) if request else None
        if site is not None:
            for home in (
                Page.objects.filter(translation_key=site.root_page.translation_key)
                .live()
                .select_related("locale")
            ):
                homes[home.locale.language_code] = home
        links = []
        for code, name in get_content_languages().items():
            target = translations.get(code) or homes.get(code)
            if target is None:
                continue
            links.append(
                {
                    "code": code,
                    "name": name,
                    "url": target.url,
                    "current": code == current_code,
                    "is_translation": code in translations,
                }
            )
        return links

    return _memo(context, "language_links", compute)
