"""Meeting operations: book, schedule, move, cancel, mark held, read replies, remind.

Each operation is one transaction with its permission check, its timeline entry, its stage
move (design.md §3) and its outbox rows: iMIP e-mails (design.md §6) and CalDAV pushes.
"""

from __future__ import annotations

import logging
import re
import secrets
import string
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calendar_sync import availability, ical, links
from calendar_sync.models import (
    BookedBy,
    ConsultantCalendar,
    Meeting,
    MeetingAttendee,
    MeetingKind,
    MeetingStatus,
    PartStat,
)
from calendar_sync.zones import zone_label
from config.languages import clean_language
from pipeline import outbox, tokens
from pipeline import services as pipeline_services
from pipeline.models import (
    Activity,
    ActivityKind,
    Contact,
    EmailPurpose,
    Engagement,
    EngagementEmail,
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationStatus,
)
from pipeline.services import emails as pipeline_emails
from pipeline.services.base import record_history_user, require, team_language
from pipeline.stages import Stage

logger = logging.getLogger(__name__)

AGENDA_MAX_LENGTH = 2000
NOTES_MAX_LENGTH = 10_000
LOCATION_MAX_LENGTH = 300
MAX_ATTENDEES = 10
# Stages from which booking a meeting moves the engagement to `meeting_scheduled`.
BOOKABLE_STAGES = frozenset({Stage.NEW, Stage.QUALIFIED, Stage.MEETING_HELD})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")
_LINE_BREAK = re.compile(r"[\r\n\u2028\u2029]")


class BookingError(ValueError):
    """A booking or change that cannot be done; the message is shown as is (French)."""


class SlotUnavailable(BookingError):
    """The slot is not (or no longer) free."""


class AlreadyBooked(BookingError):
    """The engagement already has an upcoming meeting."""


@dataclass(frozen=True)
class BookingResult:
    meeting: Meeting
    manage_token: str


# --- Validation ------------------------------------------------------------------------------


def clean_agenda(value: str) -> str:
    """Free text, several lines allowed; control characters out, length bounded."""
    value = _CONTROL.sub("", (value or "").replace("\r\n", "\n").replace("\r", "\n")).strip()
    if len(value) > AGENDA_MAX_LENGTH:
        raise ValidationError(
            _("L'ordre du jour est trop long (%(max)s caractères au maximum).")
            % {"max": AGENDA_MAX_LENGTH}
        )
    return value


def clean_notes(value: str) -> str:
    value = _CONTROL.sub("", (value or "").replace("\r\n", "\n").replace("\r", "\n")).strip()
    if len(value) > NOTES_MAX_LENGTH:
        raise ValidationError(
            _("Le compte rendu est trop long (%(max)s caractères au maximum).")
            % {"max": NOTES_MAX_LENGTH}
        )
    return value


def clean_single_line(value: str, label: str, max_length: int = LOCATION_MAX_LENGTH) -> str:
    value = (value or "").strip()
    if _LINE_BREAK.search(value) or _CONTROL.search(value):
        raise ValidationError(_("« %(label)s » doit tenir sur une seule ligne.") % {"label": label})
    if len(value) > max_length:
        raise ValidationError(
            _("« %(label)s » est trop long (%(max)s caractères au maximum).")
            % {"label": label, "max": max_length}
        )
    return value


def clean_video_url(value: str) -> str:
    value = clean_single_line(value, _("Lien de visioconférence"), 500)
    if not value:
        return ""
    try:
        URLValidator(schemes=["https"])(value)
    except ValidationError as exc:
        raise ValidationError(
            _("Le lien de visioconférence doit être une adresse https:// valide.")
        ) from exc
    return value


def new_video_url() -> str:
    """A fresh room on the configured visio service (La Suite's Visio by default)."""
    letters = string.ascii_lowercase
    code = "-".join("".join(secrets.choice(letters) for _ in range(n)) for n in (3, 4, 3))
    return f"{settings.CALENDAR_VIDEO_BASE_URL.rstrip('/')}/{code}"


# --- Helpers ---------------------------------------------------------------------------------


def calendar_for(user: AbstractBaseUser) -> ConsultantCalendar:
    calendar, _created = ConsultantCalendar.objects.get_or_create(consultant=user)
    return calendar


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


def _local(moment: datetime, zone=None) -> datetime:
    return timezone.localtime(moment, zone)


def _when(meeting: Meeting) -> str:
    local = _local(meeting.start)
    return local.strftime("%d/%m/%Y %H:%M")


def _activity(meeting: Meeting, summary: str, *, user=None, body: str = "", data=None):
    return Activity.objects.create(
        engagement=meeting.engagement,
        kind=ActivityKind.MEETING,
        actor=user,
        summary=outbox.single_line(summary, 300),
        body=body,
        data={"meeting_id": meeting.pk, "uid": meeting.uid, **(data or {})},
    )


def _set_attendees(meeting: Meeting, contacts: Sequence[Contact]) -> None:
    organiser_email = (meeting.organiser.email or "").lower()
    seen: set[str] = set()
    for contact in contacts[:MAX_ATTENDEES]:
        address = (contact.email or "").strip()
        if not address or address.lower() in seen or address.lower() == organiser_email:
            continue
        try:
            outbox.clean_addresses([address])
        except outbox.InvalidRecipient:
            continue
        seen.add(address.lower())
        MeetingAttendee.objects.create(
            meeting=meeting,
            contact=contact,
            name=outbox.single_line(contact.name or address, 200),
            email=address,
        )


def _organisation_contacts(engagement: Engagement) -> list[Contact]:
    return list(engagement.organisation.contacts.order_by("-updated_at", "pk")[:MAX_ATTENDEES])


def _sender_address(user) -> str:
    """ "Camille Durand (Passerelle)" <audit@…>: the organiser's name on our own address, so
    SPF/DKIM stay aligned while the invite reads as coming from the consultant."""
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    label = outbox.single_line(_("%(name)s (Passerelle)") % {"name": _person(user)}, 120)
    return formataddr((label, address or "audit@passerelle.localhost"))


def _meeting_context(meeting: Meeting, **extra) -> dict:
    zone = meeting.organisation_zone
    return {
        "meeting": meeting,
        "engagement": meeting.engagement,
        "organisation": meeting.engagement.organisation,
        "consultant_name": _person(meeting.organiser),
        "local_start": _local(meeting.start, zone),
        "local_end": _local(meeting.end, zone),
        "time_zone": str(zone),
        "zone_label": zone_label(zone, meeting.start),
        "shows_other_zone": str(zone) != settings.TIME_ZONE,
        "paris_start": _local(meeting.start),
        "attendees": list(meeting.attendees.all()),
        **extra,
    }


def _attendees_with_contacts(meeting: Meeting) -> list[MeetingAttendee]:
    return list(meeting.attendees.select_related("contact"))


def correspondence_language(attendees: Sequence[MeetingAttendee]) -> str:
    """The language the organisation is written to about a meeting: that of its first
    attendee with a known contact, else French."""
    for attendee in attendees:
        if attendee.contact is not None:
            return clean_language(attendee.contact.language)
    return settings.LANGUAGE_CODE


def _queue_invite(meeting: Meeting, method: str, *, manage_raw: str | None = None):
    """One iMIP e-mail to the organisation's attendees (never to the ORGANIZER)."""
    attendees = _attendees_with_contacts(meeting)
    organiser_email = (meeting.organiser.email or "").lower()
    to = [a.email for a in attendees if a.email.lower() != organiser_email]
    if not to:
        return None
    if method == ical.Method.CANCEL:
        kind, template, filename = NotificationKind.MEETING_CANCEL, "meeting_cancel", "annulation"
    elif meeting.sequence == 0:
        kind, template, filename = NotificationKind.MEETING_REQUEST, "meeting_request", "invitation"
    else:
        kind, template, filename = NotificationKind.MEETING_UPDATE, "meeting_update", "invitation"
    language = correspondence_language(attendees)
    calendar_text = ical.invite(meeting, method, language=language).decode("utf-8")
    extra = {}
    if manage_raw:
        extra = {
            "manage_url": links.manage_url(manage_raw, language=language),
            "ics_url": links.manage_ics_url(manage_raw, language=language),
        }
    elif method == ical.Method.CANCEL and meeting.engagement.is_open:
        extra = {"rebook_url": links.booking_url(meeting.engagement, language=language)}
    notification = outbox.queue_email(
        kind=kind,
        to=to,
        template=template,
        context=_meeting_context(meeting, **extra),
        idempotency_key=f"meeting:{meeting.uid}:{method.lower()}:{meeting.sequence}",
        engagement=meeting.engagement,
        reply_to=[meeting.organiser.email] if meeting.organiser.email else (),
        alternatives=[
            {
                "content": calendar_text,
                "mimetype": f"text/calendar; method={method}; charset=utf-8",
            }
        ],
        attachments=[
            {"filename": f"{filename}.ics", "content": calendar_text, "mimetype": "application/ics"}
        ],
        language=language,
    )
    Notification.objects.filter(pk=notification.pk, status=NotificationStatus.PENDING).update(
        from_email=_sender_address(meeting.organiser)
    )
    return notification


def _alert_consultant(meeting: Meeting, event: str) -> None:
    """The consultant hears about what the organisation did online (no calendar part: the
    consultant is the ORGANIZER and gets the event through the feed or CalDAV)."""
    address = meeting.organiser.email
    if not address:
        return
    outbox.queue_email(
        kind=NotificationKind.CONSULTANT_ALERT,
        to=[address],
        template="meeting_consultant_alert",
        context=_meeting_context(
            meeting,
            event=event,
            admin_url=links.absolute(f"/admin/calendar/meetings/{meeting.pk}/"),
        ),
        idempotency_key=f"meeting:{meeting.uid}:alert:{event}:{meeting.sequence}",
        engagement=meeting.engagement,
    )


def _queue_caldav_push(meeting: Meeting) -> None:
    calendar = ConsultantCalendar.objects.filter(consultant_id=meeting.organiser_id).first()
    if calendar is None or not (calendar.caldav_push and calendar.caldav_configured):
        return
    outbox.queue_message(
        kind=NotificationKind.CALENDAR_PUSH,
        channel=NotificationChannel.CALDAV,
        subject=_("Agenda CalDAV : %(summary)s") % {"summary": ical.summary_for(meeting)},
        payload={"meeting_id": meeting.pk, "calendar_id": calendar.pk},
        idempotency_key=f"caldav:{meeting.uid}:{meeting.sequence}:{meeting.status}",
        engagement=meeting.engagement,
        recipients=[calendar.caldav_host],
    )


def _withdraw_reminders(meeting: Meeting) -> None:
    """Reminders written for the old time and not sent yet must never leave."""
    Notification.objects.filter(
        kind=NotificationKind.MEETING_REMINDER,
        idempotency_key__startswith=f"meeting-reminder:{meeting.pk}:",
        status__in=[NotificationStatus.PENDING, NotificationStatus.FAILED],
    ).delete()


def _lock_calendar(consultant_id: int) -> ConsultantCalendar:
    calendar, _created = ConsultantCalendar.objects.get_or_create(consultant_id=consultant_id)
    return ConsultantCalendar.objects.select_for_update(of=("self",)).get(pk=calendar.pk)


def _enter_meeting_stage(engagement: Engagement, meeting: Meeting, *, user, note: str) -> None:
    if engagement.stage in BOOKABLE_STAGES:
        meeting.stage_before_booking = engagement.stage
        meeting.save(update_fields=["stage_before_booking", "updated_at"])
        pipeline_services.move_stage(engagement, Stage.MEETING_SCHEDULED, user=user, note=note)


def _check_open(engagement: Engagement) -> None:
    if not engagement.is_open:
        raise BookingError(
            _("Cet accompagnement est clos : il n'est plus possible d'y planifier un rendez-vous.")
        )


def _insert_meeting(**fields) -> Meeting:
    """Insert under a savepoint: the unique constraint is the last guard against a double
    booking, and its violation must not poison the surrounding transaction."""
    try:
        with transaction.atomic():
            return Meeting.objects.create(**fields)
    except IntegrityError as exc:
        raise SlotUnavailable(_("Ce créneau vient d'être réservé.")) from exc


# --- Booking by the organisation -------------------------------------------------------------


def upcoming_meeting(engagement: Engagement) -> Meeting | None:
    return engagement.meetings.scheduled().filter(end__gt=timezone.now()).order_by("start").first()


@transaction.atomic
def book_slot(
    engagement: Engagement,
    start: datetime,
    *,
    kind: str = MeetingKind.VIDEO,
    agenda: str = "",
    phone: str = "",
) -> BookingResult:
    """The organisation books a free slot from the booking page.

    Race-safe: the consultant's calendar row is locked while the slot is checked and the
    meeting inserted, and a unique constraint backs it up; the loser gets SlotUnavailable.
    """
    engagement = Engagement.objects.select_for_update(of=("self",)).get(pk=engagement.pk)
    _check_open(engagement)
    if upcoming_meeting(engagement) is not None:
        raise AlreadyBooked(_("Un rendez-vous est déjà prévu pour votre structure."))
    if kind not in (MeetingKind.VIDEO, MeetingKind.PHONE):
        raise ValidationError(_("Choisissez une visioconférence ou un appel téléphonique."))
    agenda = clean_agenda(agenda)
    phone = clean_single_line(phone, _("Téléphone"), 40)
    if kind == MeetingKind.PHONE and not phone:
        raise ValidationError(_("Indiquez le numéro auquel vous joindre."))
    if start <= timezone.now():
        raise SlotUnavailable(_("Ce créneau est déjà passé. Choisissez-en un autre."))

    meeting = None
    for candidate in availability.booking_calendars(engagement):
        calendar = _lock_calendar(candidate.consultant_id)
        day = (start - timedelta(days=1), start + timedelta(days=1))
        slot = next(
            (s for s in availability.free_slots(calendar, between=day) if s.start == start),
            None,
        )
        if slot is None:
            continue
        try:
            meeting = _insert_meeting(
                engagement=engagement,
                organiser=calendar.consultant,
                start=slot.start,
                end=slot.end,
                kind=kind,
                location=phone if kind == MeetingKind.PHONE else "",
                video_url=new_video_url() if kind == MeetingKind.VIDEO else "",
                agenda=agenda,
                booked_by=BookedBy.ORGANISATION,
            )
        except SlotUnavailable:
            continue
        break
    if meeting is None:
        raise SlotUnavailable(
            _("Désolé, ce créneau n'est plus disponible. Voici les prochains créneaux libres.")
        )
    with team_language():
        if engagement.owner_id is None:
            pipeline_services.assign(engagement, meeting.organiser, user=None)
            engagement.refresh_from_db()
        _set_attendees(meeting, _organisation_contacts(engagement))
        booked = _("Rendez-vous réservé en ligne pour le %(when)s") % {"when": _when(meeting)}
        _enter_meeting_stage(engagement, meeting, user=None, note=booked)
        _activity(meeting, booked)
        raw = links.meeting_token(meeting)
        _queue_invite(meeting, ical.Method.REQUEST, manage_raw=raw)
        _alert_consultant(meeting, "booked")
        _queue_caldav_push(meeting)
    return BookingResult(meeting, raw)


# --- Scheduling by the consultant ------------------------------------------------------------


@transaction.atomic
def schedule_meeting(
    engagement: Engagement,
    *,
    start: datetime,
    duration: timedelta,
    kind: str,
    user: AbstractBaseUser | None,
    organiser: AbstractBaseUser | None = None,
    location: str = "",
    video_url: str = "",
    agenda: str = "",
    contacts: Sequence[Contact] | None = None,
) -> Meeting:
    """A consultant puts a meeting in the diary from the engagement page."""
    require(user, "calendar_sync.add_meeting", engagement)
    engagement = Engagement.objects.select_for_update(of=("self",)).get(pk=engagement.pk)
    _check_open(engagement)
    organiser = organiser or user or engagement.owner
    if organiser is None:
        raise BookingError(_("Choisissez la ou le consultant·e qui anime ce rendez-vous."))
    fields = _clean_fields(kind, location, video_url, agenda)
    _check_times(start, duration)
    _lock_calendar(organiser.pk)
    _check_no_overlap(organiser, start, start + duration)
    meeting = _insert_meeting(
        engagement=engagement,
        organiser=organiser,
        start=start,
        end=start + duration,
        booked_by=BookedBy.CONSULTANT,
        **fields,
    )
    record_history_user(meeting, user)
    _set_attendees(
        meeting, list(contacts) if contacts is not None else _organisation_contacts(engagement)
    )
    if not meeting.attendees.exists():
        raise BookingError(_("Aucun contact de l'organisation n'a d'adresse e-mail valide."))
    _enter_meeting_stage(
        engagement, meeting, user=user,
        note=_("Rendez-vous planifié pour le %(when)s") % {"when": _when(meeting)},
    )  # fmt: skip
    _activity(
        meeting,
        _("Rendez-vous planifié pour le %(when)s") % {"when": _when(meeting)},
        user=user,
    )
    _queue_invite(meeting, ical.Method.REQUEST, manage_raw=links.meeting_token(meeting))
    _queue_caldav_push(meeting)
    return meeting


def _clean_fields(kind: str, location: str, video_url: str, agenda: str) -> dict:
    if kind not in MeetingKind.values:
        raise ValidationError(_("Format de rendez-vous inconnu."))
    fields = {
        "kind": kind,
        "location": clean_single_line(location, _("Lieu ou numéro")),
        "video_url": clean_video_url(video_url),
        "agenda": clean_agenda(agenda),
    }
    if kind == MeetingKind.VIDEO and not fields["video_url"]:
        fields["video_url"] = new_video_url()
    if kind in (MeetingKind.ON_SITE, MeetingKind.PHONE) and not fields["location"]:
        raise ValidationError(
            _("Indiquez l'adresse du rendez-vous.")
            if kind == MeetingKind.ON_SITE
            else _("Indiquez le numéro de téléphone.")
        )
    return fields


def _check_times(start: datetime, duration: timedelta) -> None:
    if timezone.is_naive(start):
        raise ValidationError(_("Horaire sans fuseau horaire."))
    if start <= timezone.now():
        raise ValidationError(_("Ce créneau est déjà passé. Choisissez une date à venir."))
    if not timedelta(minutes=10) <= duration <= timedelta(hours=8):
        raise ValidationError(_("La durée doit être comprise entre 10 minutes et 8 heures."))


def _check_no_overlap(organiser, start, end, exclude: Meeting | None = None) -> None:
    clash = Meeting.objects.scheduled().filter(organiser=organiser).overlapping(start, end)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    other = clash.select_related("engagement__organisation").first()
    if other is not None:
        raise SlotUnavailable(
            _("Ce créneau chevauche un autre rendez-vous (%(other)s).") % {"other": other}
        )


# --- Moving, cancelling, holding -------------------------------------------------------------


def _lock_meeting(meeting: Meeting) -> Meeting:
    return (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("engagement__organisation", "organiser")
        .get(pk=meeting.pk)
    )


@transaction.atomic
def reschedule_meeting(
    meeting: Meeting,
    start: datetime,
    *,
    user: AbstractBaseUser | None = None,
    duration: timedelta | None = None,
    by_organisation: bool = False,
) -> BookingResult:
    """Move a meeting: same UID, SEQUENCE + 1, answers reset, a REQUEST to everyone."""
    if not by_organisation:
        require(user, "calendar_sync.change_meeting", meeting.engagement)
    meeting = _lock_meeting(meeting)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise BookingError(_("Seul un rendez-vous prévu peut être déplacé."))
    duration = duration or (meeting.end - meeting.start)
    calendar = _lock_calendar(meeting.organiser_id)
    if by_organisation:
        day = (start - timedelta(days=1), start + timedelta(days=1))
        free = availability.free_slots(calendar, between=day, exclude_meeting=meeting)
        slot = next((s for s in free if s.start == start), None)
        if slot is None:
            raise SlotUnavailable(
                _("Désolé, ce créneau n'est plus disponible. Voici les prochains créneaux libres.")
            )
        duration = slot.end - slot.start
    else:
        _check_times(start, duration)
        _check_no_overlap(meeting.organiser, start, start + duration, exclude=meeting)
    if start == meeting.start and meeting.end == start + duration:
        raise BookingError(_("Le rendez-vous est déjà prévu à cet horaire."))
    previous = _when(meeting)
    meeting.start, meeting.end = start, start + duration
    meeting.sequence += 1
    meeting.scheduled_at = timezone.now()
    record_history_user(meeting, user)
    try:
        with transaction.atomic():
            meeting.save()
    except IntegrityError as exc:
        raise SlotUnavailable(_("Ce créneau vient d'être réservé.")) from exc
    meeting.attendees.update(partstat=PartStat.NEEDS_ACTION, responded_at=None)
    _withdraw_reminders(meeting)
    tokens.revoke_all(links.MEETING, meeting)
    raw = links.meeting_token(meeting)
    with team_language():
        who = _("par l'organisation") if by_organisation else ""
        _activity(
            meeting,
            _("Rendez-vous déplacé %(who)s du %(old)s au %(new)s")
            % {"who": who, "old": previous, "new": _when(meeting)},
            user=user,
        )
        _queue_invite(meeting, ical.Method.REQUEST, manage_raw=raw)
        if by_organisation:
            _alert_consultant(meeting, "moved")
        _queue_caldav_push(meeting)
    return BookingResult(meeting, raw)


@transaction.atomic
def cancel_meeting(
    meeting: Meeting,
    *,
    user: AbstractBaseUser | None = None,
    reason: str = "",
    by_organisation: bool = False,
) -> Meeting:
    """Cancel: CANCEL with SEQUENCE + 1, and the engagement goes back to where it was."""
    if not by_organisation:
        require(user, "calendar_sync.change_meeting", meeting.engagement)
    meeting = _lock_meeting(meeting)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise BookingError(_("Ce rendez-vous n'est plus prévu : il ne peut pas être annulé."))
    reason = clean_single_line(reason, _("Motif"), 500)
    meeting.status = MeetingStatus.CANCELLED
    meeting.sequence += 1
    meeting.cancel_reason = reason
    meeting.cancelled_at = timezone.now()
    record_history_user(meeting, user)
    meeting.save()
    _withdraw_reminders(meeting)
    tokens.revoke_all(links.MEETING, meeting)
    with team_language():
        _after_cancel(meeting, user=user, reason=reason, by_organisation=by_organisation)
    return meeting


def _after_cancel(meeting: Meeting, *, user, reason: str, by_organisation: bool) -> None:
    engagement = meeting.engagement
    engagement.refresh_from_db()
    still_booked = engagement.meetings.scheduled().exclude(pk=meeting.pk).exists()
    if engagement.stage == Stage.MEETING_SCHEDULED and not still_booked:
        back_to = meeting.stage_before_booking or Stage.QUALIFIED
        pipeline_services.move_stage(
            engagement,
            back_to,
            user=user,
            note=_("Rendez-vous du %(when)s annulé") % {"when": _when(meeting)},
        )
    who = _("par l'organisation") if by_organisation else ""
    _activity(
        meeting,
        _("Rendez-vous du %(when)s annulé %(who)s") % {"when": _when(meeting), "who": who},
        user=user,
        body=reason,
    )
    _queue_invite(meeting, ical.Method.CANCEL)
    if by_organisation:
        _alert_consultant(meeting, "cancelled")
    _queue_caldav_push(meeting)


@transaction.atomic
def mark_held(meeting: Meeting, *, notes: str, user: AbstractBaseUser | None) -> Meeting:
    """The meeting took place: notes kept, engagement moves to `meeting_held`."""
    require(user, "calendar_sync.change_meeting", meeting.engagement)
    meeting = _lock_meeting(meeting)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise BookingError(_("Seul un rendez-vous prévu peut être marqué comme tenu."))
    if meeting.start > timezone.now():
        raise BookingError(_("Ce rendez-vous n'a pas encore commencé."))
    notes = clean_notes(notes)
    meeting.status = MeetingStatus.HELD
    meeting.notes = notes
    meeting.held_at = timezone.now()
    record_history_user(meeting, user)
    meeting.save()
    tokens.revoke_all(links.MEETING, meeting)
    engagement = meeting.engagement
    engagement.refresh_from_db()
    if engagement.stage == Stage.MEETING_SCHEDULED:
        pipeline_services.move_stage(
            engagement,
            Stage.MEETING_HELD,
            user=user,
            note=_("Rendez-vous du %(when)s tenu") % {"when": _when(meeting)},
        )
    _activity(
        meeting,
        _("Rendez-vous du %(when)s tenu") % {"when": _when(meeting)},
        user=user,
        body=notes,
    )
    _queue_caldav_push(meeting)
    _draft_follow_up(meeting, user=user)
    return meeting


def _attendee_contacts(meeting: Meeting) -> list[Contact]:
    return [a.contact for a in meeting.attendees.select_related("contact") if a.contact]


def _draft_follow_up(meeting: Meeting, *, user) -> EngagementEmail | None:
    """The follow-up e-mail (summary and next steps), drafted for the consultant to edit and
    send. A convenience: if the template cannot be used, the meeting is still marked held."""
    engagement = meeting.engagement
    try:
        with transaction.atomic():
            return pipeline_services.draft_from_template(
                engagement,
                EmailPurpose.FOLLOW_UP,
                user=user or meeting.organiser,
                contacts=pipeline_emails.default_recipients(
                    engagement, _attendee_contacts(meeting)
                ),
                data={"meeting_id": meeting.pk},
            )
    except (ValueError, ValidationError, PermissionDenied) as exc:
        logger.warning("Follow-up draft for meeting %s not created: %s", meeting.pk, exc)
        return None


def follow_up_draft(meeting: Meeting) -> EngagementEmail | None:
    """The follow-up draft of a held meeting, while it has not been sent or discarded."""
    return (
        EngagementEmail.objects.filter(
            engagement_id=meeting.engagement_id,
            status="draft",
            purpose=EmailPurpose.FOLLOW_UP,
            data__meeting_id=meeting.pk,
        )
        .order_by("-pk")
        .first()
    )


@dataclass(frozen=True)
class NoShowResult:
    meeting: Meeting
    email: EngagementEmail | None


@transaction.atomic
def mark_no_show(
    meeting: Meeting,
    *,
    user: AbstractBaseUser | None,
    note: str = "",
    propose_new_slots: bool = False,
) -> NoShowResult:
    """Nobody came: the engagement goes back to the stage before booking (like a cancellation,
    design.md §3) and, in one click, the attendees get an e-mail with a fresh booking link.

    Calendars: a no-show is not a cancellation. The meeting did take place in everyone's
    calendar, so no METHOD:CANCEL is sent and SEQUENCE does not change (a CANCEL after the
    fact would delete the event from the attendees' calendars and read as "you cancelled");
    feeds keep it as it was. A new meeting booked from the link is a new event (new UID).
    """
    require(user, "calendar_sync.change_meeting", meeting.engagement)
    meeting = _lock_meeting(meeting)
    if meeting.status != MeetingStatus.SCHEDULED:
        raise BookingError(_("Seul un rendez-vous prévu peut être marqué « absence »."))
    if meeting.start > timezone.now():
        raise BookingError(_("Ce rendez-vous n'a pas encore commencé."))
    note = clean_notes(note)
    meeting.status = MeetingStatus.NO_SHOW
    meeting.no_show_at = timezone.now()
    if note:
        meeting.notes = note
    record_history_user(meeting, user)
    meeting.save()
    _withdraw_reminders(meeting)
    tokens.revoke_all(links.MEETING, meeting)
    engagement = meeting.engagement
    engagement.refresh_from_db()
    still_booked = engagement.meetings.scheduled().exclude(pk=meeting.pk).exists()
    if engagement.stage == Stage.MEETING_SCHEDULED and not still_booked:
        pipeline_services.move_stage(
            engagement,
            meeting.stage_before_booking or Stage.QUALIFIED,
            user=user,
            note=_("Absence au rendez-vous du %(when)s") % {"when": _when(meeting)},
        )
    _activity(
        meeting,
        _("Absence au rendez-vous du %(when)s") % {"when": _when(meeting)},
        user=user,
        body=note,
    )
    email = None
    if propose_new_slots:
        engagement.refresh_from_db()
        _check_open(engagement)
        email = pipeline_services.send_from_template(
            engagement,
            EmailPurpose.NO_SHOW,
            user=user,
            contacts=pipeline_emails.default_recipients(engagement, _attendee_contacts(meeting)),
            data={"meeting_id": meeting.pk},
        )
    return NoShowResult(meeting, email)


# --- Consultant's calendar -------------------------------------------------------------------


@transaction.atomic
def regenerate_feed_link(calendar: ConsultantCalendar, *, user: AbstractBaseUser) -> str:
    """Revoke every feed link of this calendar and issue a new one (shown once)."""
    if user.pk != calendar.consultant_id and not user.is_superuser:
        raise PermissionDenied(_("Ce n'est pas votre agenda."))
    raw = links.new_feed_token(calendar)
    calendar.feed_generated_at = timezone.now()
    calendar.save(update_fields=["feed_generated_at", "updated_at"])
    return raw


# --- iTIP replies ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplyOutcome:
    email: str
    partstat: str
    meeting: Meeting | None
    applied: bool
    message: str


@transaction.atomic
def apply_reply(data: bytes, *, user: AbstractBaseUser | None = None) -> list[ReplyOutcome]:
    """Read an iTIP REPLY (.ics or raw e-mail) and record each attendee's answer."""
    items = ical.parse_reply(data)
    outcomes = []
    for item in items:
        meeting = (
            Meeting.objects.select_for_update(of=("self",))
            .select_related("engagement__organisation")
            .filter(uid=item.uid)
            .first()
        )
        if meeting is None:
            outcomes.append(
                ReplyOutcome(item.email, item.partstat, None, False, _("Rendez-vous inconnu."))
            )
            continue
        require(user, "calendar_sync.change_meeting", meeting.engagement)
        if item.partstat not in PartStat.values:
            outcomes.append(
                ReplyOutcome(item.email, item.partstat, meeting, False, _("Réponse inconnue."))
            )
            continue
        if item.sequence < meeting.sequence:
            outcomes.append(
                ReplyOutcome(
                    item.email,
                    item.partstat,
                    meeting,
                    False,
                    _("Réponse à une version précédente du rendez-vous : ignorée."),
                )
            )
            continue
        attendee = meeting.attendees.filter(email__iexact=item.email).first()
        if attendee is None:
            outcomes.append(
                ReplyOutcome(
                    item.email,
                    item.partstat,
                    meeting,
                    False,
                    _("Cette personne n'est pas invitée à ce rendez-vous."),
                )
            )
            continue
        attendee.partstat = item.partstat
        attendee.responded_at = timezone.now()
        attendee.save()
        label = PartStat(item.partstat).label
        _activity(
            meeting,
            _("%(name)s : %(answer)s") % {"name": attendee.name, "answer": label},
            user=user,
            data={"partstat": item.partstat},
        )
        outcomes.append(ReplyOutcome(item.email, item.partstat, meeting, True, label))
    return outcomes


# --- Reminders -------------------------------------------------------------------------------


def send_due_reminders(now: datetime | None = None) -> int:
    """Queue the reminders whose moment has come (periodic task; safe to run any time).

    Never for a cancelled or moved meeting: only live meetings are looked at, the key carries
    the SEQUENCE, a reminder whose moment came before the meeting was (re)scheduled is
    skipped, and when two are due at once only the closest one is sent.
    """
    now = now or timezone.now()
    offsets = sorted(settings.CALENDAR_REMINDER_MINUTES)
    if not offsets:
        return 0
    horizon = now + timedelta(minutes=offsets[-1])
    meetings = (
        Meeting.objects.scheduled()
        .filter(start__gt=now, start__lte=horizon)
        .select_related("engagement__organisation", "organiser")
    )
    queued = 0
    for meeting in meetings:
        due = [
            minutes
            for minutes in offsets
            if meeting.start - timedelta(minutes=minutes) <= now
            and meeting.start - timedelta(minutes=minutes) >= meeting.scheduled_at
        ]
        if not due:
            continue
        minutes = due[0]  # the closest to the meeting
        key = f"meeting-reminder:{meeting.pk}:{meeting.sequence}:{minutes}"
        if Notification.objects.filter(idempotency_key=key).exists():
            continue
        with transaction.atomic():
            locked = _lock_meeting(meeting)
            if locked.status != MeetingStatus.SCHEDULED or locked.start != meeting.start:
                continue
            _queue_reminder(locked, minutes, key)
            queued += 1
    return queued


def _queue_reminder(meeting: Meeting, minutes: int, key: str) -> None:
    attendees = _attendees_with_contacts(meeting)
    to = [a.email for a in attendees]
    if not to:
        return
    raw = links.meeting_token(meeting)
    language = correspondence_language(attendees)
    outbox.queue_email(
        kind=NotificationKind.MEETING_REMINDER,
        to=to,
        template="meeting_reminder",
        context=_meeting_context(
            meeting,
            minutes=minutes,
            manage_url=links.manage_url(raw, language=language),
            ics_url=links.manage_ics_url(raw, language=language),
        ),
        idempotency_key=key,
        engagement=meeting.engagement,
        reply_to=[meeting.organiser.email] if meeting.organiser.email else (),
        language=language,
    )


# --- "Send me my link again" ------------------------------------------------------------------


def resend_links(email: str) -> int:
    """E-mail fresh links to a known contact: manage the upcoming meeting, or book one.

    Says nothing about whether the address is known (the page answers the same either way),
    and sends at most one message per contact and hour (idempotency key).
    """
    address = (email or "").strip()
    try:
        if not outbox.clean_addresses([address]):
            return 0
    except outbox.InvalidRecipient:
        return 0
    hour = timezone.now().strftime("%Y%m%d%H")
    sent = 0
    contacts = Contact.objects.filter(email__iexact=address).select_related("organisation")
    for contact in contacts[:5]:
        engagement = contact.organisation.engagements.open().order_by("-created_at").first()
        if engagement is None:
            continue
        with transaction.atomic():
            meeting = upcoming_meeting(engagement)
            context = {"contact": contact, "organisation": contact.organisation}
            language = contact.language
            if meeting is not None:
                raw = links.meeting_token(meeting)
                context.update(manage_url=links.manage_url(raw, language=language), meeting=meeting)
            else:
                context.update(booking_url=links.booking_url(engagement, language=language))
            outbox.queue_email(
                kind=NotificationKind.OTHER,
                to=[contact.email],
                template="meeting_links",
                context=context,
                idempotency_key=f"meeting-links:{contact.pk}:{hour}",
                engagement=engagement,
                language=language,
            )
        sent += 1
    return sent
