"""The calendar's placeholders for consultants' e-mails (see pipeline/placeholders.py).

``{lien_rendez_vous}`` issues a fresh booking link only when the message is really sent (a
preview shows a stand-in and creates no token); ``{date_rendez_vous}`` and ``{compte_rendu}``
read the meeting the message is about (``data["meeting_id"]``), or else the latest one.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from calendar_sync import links
from calendar_sync.models import Meeting, MeetingStatus
from pipeline.placeholders import PlaceholderContext, register_placeholder


def _meeting(context: PlaceholderContext, *, held: bool = False) -> Meeting | None:
    if "meeting" not in context.cache:
        meetings = context.engagement.meetings.exclude(status=MeetingStatus.CANCELLED)
        meeting = None
        meeting_id = context.data.get("meeting_id")
        if isinstance(meeting_id, int):
            meeting = meetings.filter(pk=meeting_id).first()
        if meeting is None:
            upcoming = meetings.filter(
                status=MeetingStatus.SCHEDULED, end__gt=timezone.now()
            ).order_by("start")
            meeting = upcoming.first() or meetings.order_by("-start").first()
        context.cache["meeting"] = meeting
    meeting = context.cache["meeting"]
    if held and (meeting is None or meeting.status != MeetingStatus.HELD):
        return (
            context.engagement.meetings.filter(status=MeetingStatus.HELD).order_by("-start").first()
        )
    return meeting


def booking_link(context: PlaceholderContext) -> str:
    if context.preview:
        return _("[lien personnel de réservation, créé à l'envoi]")
    # The message is rendered in its own language: the link opens the page in that language.
    return links.booking_url(context.engagement, language=get_language()) or ""


def meeting_date(context: PlaceholderContext) -> str:
    meeting = _meeting(context)
    if meeting is None:
        return ""
    local = timezone.localtime(meeting.start, meeting.organisation_zone)
    return _("%(day)s à %(time)s") % {
        "day": date_format(local, "l j F Y"),
        "time": date_format(local, "TIME_FORMAT"),
    }


def meeting_notes(context: PlaceholderContext) -> str:
    meeting = _meeting(context, held=True)
    return meeting.notes if meeting is not None else ""


def register() -> None:
    register_placeholder(
        "lien_rendez_vous",
        gettext_lazy("lien personnel pour choisir un créneau"),
        booking_link,
        order=40,
    )
    register_placeholder(
        "date_rendez_vous",
        gettext_lazy("date et heure du rendez-vous"),
        meeting_date,
        order=41,
    )
    register_placeholder(
        "compte_rendu",
        gettext_lazy("compte rendu du rendez-vous tenu"),
        meeting_notes,
        order=50,
    )
