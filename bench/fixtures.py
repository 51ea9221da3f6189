"""Capability links the bench needs, issued in-process once the data is loaded.

Links are stored hashed (pipeline.tokens): nobody can read a raw token back from the database,
so the bench issues its own, exactly as the e-mails do, for objects that `load_demo` and
`create_random_data` made (and one questionnaire walked in-process): a submission (results
page), an open engagement without a meeting whose consultant takes bookings (booking slots),
a bench consultant's calendar (ICS feed) and a published roadmap (page and PDF).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation


@dataclass
class Links:
    results: str | None = None
    booking: str | None = None
    feed: str | None = None
    roadmap_page: str | None = None
    roadmap_pdf: str | None = None
    feed_events: int = 0
    roadmap_items: int = 0


FEED_CONSULTANT = "bench-consultant-1"


def _french(name: str, *args) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return reverse(name, args=args)


def results_path() -> str | None:
    """A submission's results page; the first one is made by walking the questionnaire."""
    from audits import services
    from audits.models import AuditPage, AuditSubmission
    from bench import questionnaire_load

    def first():
        return (
            AuditSubmission.objects.filter(engagement__isnull=False, page__live=True)
            .select_related("page")
            .order_by("pk")
            .first()
        )

    submission = first()
    if submission is None:
        page = AuditPage.objects.live().order_by("path").first()
        if page is None:
            return None
        questionnaire_load.final_post_queries(page.url)
        submission = first()
    if submission is None:
        return None
    page = submission.page.specific
    raw = services.issue_results_link(submission)
    return page.url + page.reverse_subpage("results", args=[raw])


def booking_path() -> str | None:
    """An engagement that may still book, owned by a consultant with a calendar."""
    from calendar_sync import links
    from calendar_sync.models import ConsultantCalendar
    from pipeline import tokens
    from pipeline.models import Engagement
    from pipeline.stages import Stage

    bookable = ConsultantCalendar.objects.filter(accepts_bookings=True).values("consultant_id")
    engagement = (
        Engagement.objects.filter(stage__in=[Stage.NEW, Stage.QUALIFIED], owner_id__in=bookable)
        .annotate(meeting_count=Count("meetings"))
        .filter(meeting_count=0)
        .order_by("pk")
        .first()
    )
    if engagement is None:
        return None
    raw = tokens.issue(links.BOOKING, engagement, expires_at=timezone.now() + timedelta(days=1))
    return _french("calendar_sync:book", raw)


def feed_path() -> tuple[str | None, int]:
    """A bench consultant's feed, and the number of meetings it holds."""
    from calendar_sync import links
    from calendar_sync.models import ConsultantCalendar
    from calendar_sync.views import _feed_meetings, feed_window

    calendar = ConsultantCalendar.objects.filter(consultant__username=FEED_CONSULTANT).first()
    if calendar is None:
        return None, 0
    events = _feed_meetings(calendar.pk, *feed_window()).count()
    return links.feed_path(links.new_feed_token(calendar)), events


def roadmap_paths() -> tuple[str | None, str | None, int]:
    """The published roadmap with the most steps (the demo's are drafted from real answers)."""
    from pipeline.models import Roadmap
    from pipeline.roadmap import links

    roadmap = (
        Roadmap.objects.filter(version__gt=0)
        .annotate(item_count=Count("items"))
        .order_by("-item_count", "pk")
        .first()
    )
    if roadmap is None:
        return None, None, 0
    raw = links.new_token(roadmap)
    return links.page_path(raw), _french("roadmap:pdf", raw), roadmap.item_count


def issue() -> Links:
    feed, events = feed_path()
    page, pdf, items = roadmap_paths()
    return Links(
        results=results_path(),
        booking=booking_path(),
        feed=feed,
        feed_events=events,
        roadmap_page=page,
        roadmap_pdf=pdf,
        roadmap_items=items,
    )
