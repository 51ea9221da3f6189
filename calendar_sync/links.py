"""Links other apps put in pages and e-mails to reach calendar features.

Stub until the calendar issue lands: returns None, and callers show a fallback text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.models import Engagement


def booking_url(engagement: Engagement) -> str | None:
    """Absolute URL of the self-booking page for this engagement (a fresh capability link)."""
    return None
