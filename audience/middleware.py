"""Counts page views, including pages served from the page cache.

Placed just before ``cms.cache.PageCacheMiddleware``: a cached page never reaches Wagtail, but
the cache remembers which page it holds (``request.served_page_id``, set for rendered pages
by the ``before_serve_page`` hook in audience/wagtail_hooks.py) and gives it back on a hit.
A counted view adds one to an in-memory total (audience/services.py), written every few
seconds: no query on the visitor's request. Robots, staff, previews, HEAD requests and errors
are not counted.
"""

from __future__ import annotations

from audience import services, visitors
from cms.cache import SERVED_PAGE_ATTRIBUTE


class AudienceMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        page_id = getattr(request, SERVED_PAGE_ATTRIBUTE, None)
        if (
            page_id
            and request.method == "GET"
            and response.status_code == 200
            and visitors.is_audience(request)
        ):
            services.record_page_view(page_id)
        return response
