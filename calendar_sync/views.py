"""Public pages reached through capability links: self-booking, see/move/cancel a meeting,
download it, and the consultants' ICS feeds. They work without JavaScript."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from calendar_sync import availability, ical, links, services
from calendar_sync.forms import BookingForm, CancelForm, RescheduleSlotForm, ResendForm
from calendar_sync.models import ConsultantCalendar, Meeting, MeetingAttendee, MeetingStatus
from calendar_sync.zones import zone_label
from pipeline import tokens
from pipeline.models import Engagement

DAYS_PER_PAGE = 5


def _private(response: HttpResponse) -> HttpResponse:
    """Capability pages: never indexed, never cached by a proxy, and the URL (a secret) is never
    sent as Referer to another site. "same-origin" rather than "no-referrer": the latter makes
    browsers send `Origin: null` with our own forms, which CSRF protection rightly refuses."""
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    response.setdefault("Cache-Control", "private, no-store")
    return response


def _invalid_link(request, status: int = 404) -> HttpResponse:
    return _private(
        render(request, "calendar_sync/link_invalid.html", {"form": ResendForm()}, status=status)
    )


@never_cache
@require_http_methods(["GET", "POST"])
def resend(request):
    """ "Send me my link again": the same answer whether the address is known or not."""
    form = ResendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.resend_links(form.cleaned_data["email"])
        return _private(render(request, "calendar_sync/link_sent.html"))
    status = 400 if request.method == "POST" else 200
    return _private(
        render(request, "calendar_sync/link_invalid.html", {"form": form}, status=status)
    )


def _display_zone(request, engagement: Engagement) -> tuple[ZoneInfo, ZoneInfo | None]:
    """The organisation's zone, and Paris as the alternative when it differs."""
    try:
        own = ZoneInfo(engagement.organisation.time_zone or settings.TIME_ZONE)
    except (KeyError, ValueError):
        own = ZoneInfo(settings.TIME_ZONE)
    paris = ZoneInfo(settings.TIME_ZONE)
    if own == paris:
        return own, None
    if request.GET.get("fuseau") == "paris":
        return paris, own
    return own, paris


def _slot_page(request, slots, zone) -> dict:
    """Days with free slots, a few days per page (?depuis=AAAA-MM-JJ)."""
    days = availability.group_by_day(slots, zone)
    since = None
    try:
        since = date.fromisoformat(request.GET.get("depuis", ""))
    except ValueError:
        since = None
    if since:
        days = [d for d in days if d.day >= since]
    page, rest = days[:DAYS_PER_PAGE], days[DAYS_PER_PAGE:]
    earlier = None
    if since:
        all_days = availability.group_by_day(slots, zone)
        before = [d for d in all_days if d.day < since]
        earlier = before[-DAYS_PER_PAGE].day.isoformat() if len(before) >= DAYS_PER_PAGE else ""
    return {
        "days": page,
        "next_since": rest[0].day.isoformat() if rest else None,
        "previous_since": earlier,
        "has_slots": bool(slots),
    }


def _zone_context(request, zone, other) -> dict:
    return {
        "zone": zone,
        "zone_name": str(zone),
        "zone_label": zone_label(zone),
        "other_zone_label": zone_label(other) if other else "",
        "other_zone_is_paris": bool(other) and str(other) == settings.TIME_ZONE,
        "zone_param": "paris" if request.GET.get("fuseau") == "paris" else "",
    }


@never_cache
@require_http_methods(["GET", "POST"])
def book(request, token: str):
    engagement = tokens.resolve(links.BOOKING, token, Engagement)
    if engagement is None:
        return _invalid_link(request)
    if not engagement.is_open:
        return _private(
            render(request, "calendar_sync/booking_closed.html", {"engagement": engagement})
        )
    existing = services.upcoming_meeting(engagement)
    if existing is not None:
        return _private(
            render(
                request,
                "calendar_sync/booking_exists.html",
                _meeting_context(request, existing),
            )
        )
    zone, other = _display_zone(request, engagement)
    calendars = availability.booking_calendars(engagement)
    form = BookingForm(request.POST or None)
    error = ""
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            result = services.book_slot(
                engagement,
                form.cleaned_data["slot"],
                kind=form.cleaned_data["kind"],
                agenda=form.cleaned_data["agenda"],
                phone=form.cleaned_data["phone"],
            )
        except services.SlotUnavailable as exc:
            error, status = str(exc), 409
        except services.AlreadyBooked:
            return redirect(request.path)
        except (services.BookingError, ValidationError) as exc:
            error, status = _message(exc), 400
        else:
            return redirect(
                f"{links.manage_path(result.manage_token, language=get_language())}?reserve=1"
            )
    elif request.method == "POST":
        status = 400
    slots = availability.merged_free_slots(calendars)
    consultant = calendars[0].consultant if len(calendars) == 1 else None
    context = {
        "engagement": engagement,
        "organisation": engagement.organisation,
        "form": form,
        "error": error,
        "consultant": consultant,
        "duration": calendars[0].meeting_minutes if calendars else 60,
        "selected": request.POST.get("slot", ""),
        **_zone_context(request, zone, other),
        **_slot_page(request, slots, zone),
    }
    return _private(render(request, "calendar_sync/book.html", context, status=status))


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def _meeting_from(token: str) -> Meeting | None:
    meeting = tokens.resolve(links.MEETING, token, Meeting)
    if meeting is None or meeting.status != MeetingStatus.SCHEDULED:
        return None
    return meeting


def _meeting_context(request, meeting: Meeting, **extra) -> dict:
    zone, other = _display_zone(request, meeting.engagement)
    return {
        "meeting": meeting,
        "organisation": meeting.engagement.organisation,
        "consultant": meeting.organiser,
        "local_start": timezone.localtime(meeting.start, zone),
        "local_end": timezone.localtime(meeting.end, zone),
        "duration": int((meeting.end - meeting.start).total_seconds() // 60),
        **_zone_context(request, zone, other),
        **extra,
    }


@never_cache
@require_GET
def manage(request, token: str):
    meeting = _meeting_from(token)
    if meeting is None:
        return _invalid_link(request)
    context = _meeting_context(
        request, meeting, token=token, just_booked=request.GET.get("reserve") == "1",
        just_moved=request.GET.get("deplace") == "1",
    )  # fmt: skip
    return _private(render(request, "calendar_sync/manage.html", context))


@never_cache
@require_http_methods(["GET", "POST"])
def reschedule(request, token: str):
    meeting = _meeting_from(token)
    if meeting is None:
        return _invalid_link(request)
    form = RescheduleSlotForm(request.POST or None)
    error, status = "", 200
    if request.method == "POST" and form.is_valid():
        try:
            result = services.reschedule_meeting(
                meeting, form.cleaned_data["slot"], by_organisation=True
            )
        except services.SlotUnavailable as exc:
            error, status = str(exc), 409
        except (services.BookingError, ValidationError) as exc:
            error, status = _message(exc), 400
        else:
            return redirect(
                f"{links.manage_path(result.manage_token, language=get_language())}?deplace=1"
            )
    elif request.method == "POST":
        status = 400
    calendar = ConsultantCalendar.objects.filter(consultant_id=meeting.organiser_id).first()
    slots = availability.free_slots(calendar, exclude_meeting=meeting) if calendar else []
    context = _meeting_context(request, meeting, token=token, form=form, error=error)
    context.update(_slot_page(request, slots, context["zone"]))
    context["selected"] = request.POST.get("slot", "")
    return _private(render(request, "calendar_sync/reschedule.html", context, status=status))


@never_cache
@require_http_methods(["GET", "POST"])
def cancel(request, token: str):
    meeting = _meeting_from(token)
    if meeting is None:
        return _invalid_link(request)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.cancel_meeting(
                meeting, reason=form.cleaned_data["reason"], by_organisation=True
            )
        except (services.BookingError, ValidationError) as exc:
            form.add_error(None, _message(exc))
        else:
            rebook = (
                links.booking_url(meeting.engagement, language=get_language())
                if meeting.engagement.is_open
                else ""
            )
            return _private(
                render(
                    request,
                    "calendar_sync/cancelled.html",
                    _meeting_context(request, meeting, rebook_url=rebook),
                )
            )
    context = _meeting_context(request, meeting, token=token, form=form)
    status = 400 if request.method == "POST" else 200
    return _private(render(request, "calendar_sync/cancel.html", context, status=status))


@require_GET
def manage_ics(request, token: str):
    meeting = _meeting_from(token)
    if meeting is None:
        return _invalid_link(request)
    return ics_response(ical.single_event(meeting, with_people=False), "rendez-vous.ics")


def ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _private(response)


# --- Consultants' feeds ----------------------------------------------------------------------


def feed_window(now=None) -> tuple[date, date]:
    today = timezone.localdate(now)
    return (
        today - timedelta(days=settings.CALENDAR_FEED_PAST_DAYS),
        today + timedelta(days=settings.CALENDAR_FEED_FUTURE_DAYS),
    )


def _feed_meetings(calendar_id: int, first: date, last: date):
    """The meetings of a calendar's consultant in the feed window (joined through the
    calendar: no need to load it first)."""
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime.combine(first, datetime.min.time(), zone)
    end = datetime.combine(last, datetime.min.time(), zone)
    return Meeting.objects.filter(
        organiser__consultant_calendar=calendar_id, start__lt=end, end__gt=start
    )


def _feed_calendar(calendar_id: int) -> ConsultantCalendar:
    calendar = (
        ConsultantCalendar.objects.select_related("consultant").filter(pk=calendar_id).first()
    )
    if calendar is None:  # deleted since the link was made
        raise Http404
    return calendar


@require_GET
def feed(request, token: str):
    """The consultant's subscription feed: METHOD:PUBLISH, no attendee addresses, a bounded
    window, and a cheap 304: two small queries (the link, then one aggregate over the
    meetings for the validators), neither the calendar nor the body."""
    row = tokens.link(links.FEED, token, ConsultantCalendar)
    if row is None:
        raise Http404
    calendar_id = row.object_id
    first, last = feed_window()
    meetings = _feed_meetings(calendar_id, first, last)
    summary = meetings.aggregate(count=Count("pk"), changed=Max("updated_at"))
    calendar = None
    changed = summary["changed"]
    if changed is None:  # no meeting in the window: the calendar's own dates
        calendar = _feed_calendar(calendar_id)
        changed = calendar.feed_generated_at or calendar.created_at
    fingerprint = f"{calendar_id}:{first}:{summary['count']}:{changed.isoformat()}:v1"
    etag = '"' + hashlib.sha256(fingerprint.encode()).hexdigest()[:32] + '"'
    last_modified = int(changed.timestamp())

    if_none_match = request.headers.get("If-None-Match")
    if_modified_since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    not_modified = (
        etag in [tag.strip() for tag in if_none_match.split(",")]
        if if_none_match
        else if_modified_since is not None and last_modified <= if_modified_since
    )
    if not_modified:
        response = HttpResponseNotModified()
    else:
        cache_key = f"calendar-feed:{etag}"
        keep = settings.CALENDAR_FEED_CACHE_SECONDS
        body = cache.get(cache_key) if keep else None
        if body is None:
            calendar = calendar or _feed_calendar(calendar_id)
            people: dict[int, list[str]] = {}
            for meeting_id, name in MeetingAttendee.objects.filter(
                meeting__in=meetings
            ).values_list("meeting_id", "name"):
                people.setdefault(meeting_id, []).append(name)
            body = ical.feed(
                meetings.select_related("engagement__organisation", "organiser")
                .order_by("start", "pk")
                .iterator(chunk_size=1000),
                people=people,
                name=_("Passerelle — %(name)s") % {"name": str(calendar)},
                first=first,
                last=last,
                stamp=changed,
            )
            if keep:
                cache.set(cache_key, body, keep)
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="passerelle.ics"'
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = "private, max-age=900"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
