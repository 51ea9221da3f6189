"""Who counts as audience: people browsing anonymously, not robots, not staff.

The user agent is read once, here, and never stored. Robots are recognised simply: real
browsers announce themselves as "Mozilla/…" and crawlers, link previewers, monitors and
command-line clients mostly say what they are. Signed-in staff (editors checking a page,
consultants trying the questionnaire) and previews are not audience either.
"""

from __future__ import annotations

from django.conf import settings

ROBOT_MARKERS = (
    "bot",
    "crawl",
    "spider",
    "slurp",
    "scrape",
    "fetch",
    "preview",
    "monitor",
    "check",
    "curl",
    "wget",
    "python",
    "java/",
    "go-http",
    "okhttp",
    "axios",
    "headless",
    "lighthouse",
    "pingdom",
    "uptime",
    "feed",
    "externalhit",
    "phantomjs",
    "selenium",
)


def looks_like_a_robot(user_agent: str) -> bool:
    agent = (user_agent or "").lower()
    if not agent.startswith("mozilla/"):
        return True
    return any(marker in agent for marker in ROBOT_MARKERS)


def is_prefetch(request) -> bool:
    """Browsers fetching a page the person may never look at."""
    purpose = request.headers.get("Sec-Purpose", "") + request.headers.get("Purpose", "")
    return "prefetch" in purpose.lower()


def is_signed_in(request) -> bool:
    # No session cookie, no session lookup: anonymous visitors cost no query here.
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def is_audience(request) -> bool:
    """A person browsing the public site: not a robot, a prefetch, a preview or staff."""
    if getattr(request, "is_preview", False) or is_prefetch(request):
        return False
    if looks_like_a_robot(request.headers.get("User-Agent", "")):
        return False
    return not is_signed_in(request)
