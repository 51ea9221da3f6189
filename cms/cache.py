"""Whole-page cache for anonymous visitors of the campaign site.

Rendering a campaign page means a StreamField of a dozen blocks, menus, settings, catalogue
rows and image renditions: a few dozen queries and most of the request time. Pages are the
same for every anonymous visitor, so the rendered response is kept in Django's cache.

The key holds `ContentVersion`, one number bumped in the same transaction as anything that can
change a public page (publish, unpublish, move, delete, menus, settings, catalogue, images).
A hit costs one tiny query (that number) and no rendering; it stays correct with several
processes and a per-process cache, since they all read the same number.

Only responses a page type marked as cacheable (`CachedPageMixin`), for GET/HEAD without query
string, by a visitor who is not signed in, with status 200 and no cookie set, are stored; only
requests routed to Wagtail's page view look the cache up.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language

SESSION_COOKIE = settings.SESSION_COOKIE_NAME
HIT_HEADER = "X-Page-Cache"
WAGTAIL_SERVE = "wagtail_serve"  # the URL name of Wagtail's page view (wagtail/urls.py)
# The Wagtail page a response shows (set by audience's before_serve_page hook). Kept with the
# cached response and given back on a hit, so page views are counted for cached pages too.
SERVED_PAGE_ATTRIBUTE = "served_page_id"


def _eligible_request(request) -> bool:
    if request.method not in ("GET", "HEAD") or request.META.get("QUERY_STRING"):
        return False
    if request.path.startswith(("/admin/", "/documents/", "/static/", "/media/")):
        return False
    # Editors see the userbar and their own previews.
    return not (SESSION_COOKIE in request.COOKIES and request.user.is_authenticated)


def _cache_key(request, version: int) -> str:
    raw = f"{request.get_host()}|{request.path}|{get_language()}"
    return f"cms:page:{version}:{hashlib.sha256(raw.encode()).hexdigest()}"


class PageCacheMiddleware:
    """Looks up the cache once Django knows the request goes to Wagtail's page view
    (`process_view`): other requests (ICS feeds, booking and roadmap pages, the admin, health
    checks) never pay for the version query. Stores eligible renders on the way back."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, "_cms_cache_key", None)
        if (
            key is not None
            and not getattr(request, "_cms_cache_hit", False)
            and getattr(response, "cms_cacheable", False)
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
        ):
            headers = [(name, value) for name, value in response.items() if name != HIT_HEADER]
            page_id = getattr(request, SERVED_PAGE_ATTRIBUTE, None)
            cache.set(
                key,
                (response.status_code, headers, response.content, page_id),
                settings.CMS_PAGE_CACHE_SECONDS,
            )
            response[HIT_HEADER] = "miss"
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        if match is None or match.url_name != WAGTAIL_SERVE or not _eligible_request(request):
            return None

        from cms.models import ContentVersion

        key = _cache_key(request, ContentVersion.current())
        request._cms_cache_key = key
        cached = cache.get(key)
        if cached is None:
            return None
        status, headers, content, *rest = cached
        if rest and rest[0]:
            setattr(request, SERVED_PAGE_ATTRIBUTE, rest[0])
        response = HttpResponse(content, status=status)
        for name, value in headers:
            response[name] = value
        response[HIT_HEADER] = "hit"
        request._cms_cache_hit = True
        return response


def invalidate_pages(**kwargs) -> None:
    """Signal receiver: published content changed, every cached page is out of date."""
    from cms.models import ContentVersion

    ContentVersion.bump()
