"""Capability links to calendar features, for pages and e-mails (design.md §5).

Every call issues a fresh ≥256-bit token through `pipeline.tokens`; only its hash is stored.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from config.languages import clean_language
from pipeline import tokens

if TYPE_CHECKING:
    from calendar_sync.models import ConsultantCalendar, Meeting
    from pipeline.models import Engagement

BOOKING = "booking"
MEETING = "meeting"
FEED = "calendar_feed"


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _reverse(name: str, raw: str, language: str | None = None) -> str:
    # French is served without prefix; links in e-mails are French unless the e-mail is written
    # in another language (an English questionnaire's confirmation links to English pages).
    with translation.override(clean_language(language)):
        return reverse(name, args=[raw])


def booking_url(engagement: Engagement, *, language: str | None = None) -> str | None:
    """Absolute URL of the self-booking page for this engagement (a fresh capability link),
    in `language` (French by default)."""
    days = getattr(settings, "CALENDAR_BOOKING_LINK_DAYS", 60)
    raw = tokens.issue(BOOKING, engagement, expires_at=timezone.now() + timedelta(days=days))
    return absolute(_reverse("calendar_sync:book", raw, language))


def meeting_token(meeting: Meeting) -> str:
    """A link to see, move, cancel or download one meeting; it dies when the meeting ends."""
    return tokens.issue(MEETING, meeting, expires_at=meeting.end)


def manage_path(raw: str, *, language: str | None = None) -> str:
    return _reverse("calendar_sync:manage", raw, language)


def manage_url(raw: str, *, language: str | None = None) -> str:
    return absolute(manage_path(raw, language=language))


def manage_ics_url(raw: str, *, language: str | None = None) -> str:
    return absolute(_reverse("calendar_sync:manage_ics", raw, language))


def feed_path(raw: str) -> str:
    return reverse("calendar_feeds:feed", args=[raw])


def feed_url(raw: str) -> str:
    return absolute(feed_path(raw))


def new_feed_token(calendar: ConsultantCalendar) -> str:
    """Regenerate the consultant's feed link: every older link stops working at once."""
    tokens.revoke_all(FEED, calendar)
    return tokens.issue(FEED, calendar)
