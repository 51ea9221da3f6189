"""Demo calendar: the demo consultant's hours, meetings for demo engagements, and pending
invites in the outbox — one booked meeting, one moved (request then update) and one cancelled
(request then cancel), as design.md §5 asks. Idempotent: an engagement that already has
meetings is left alone, and every invite has its idempotency key."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from calendar_sync import availability, services
from calendar_sync.models import (
    BookedBy,
    ConsultantCalendar,
    Meeting,
    MeetingAttendee,
    MeetingKind,
    MeetingStatus,
    PartStat,
)
from pipeline.models import Engagement
from pipeline.stages import Stage

BOOKED = "Scop Atelier Bois & Co"
MOVED = "Mairie de Saint-Pierre"
CANCELLED = "Association Les Jardins Partagés"
PAST_STAGES = {
    Stage.MEETING_HELD,
    Stage.ROADMAP_DRAFT,
    Stage.ROADMAP_SHARED,
    Stage.IN_TRANSITION,
    Stage.COMPLETED,
}


def _engagement(name: str) -> Engagement | None:
    return (
        Engagement.objects.filter(organisation__name=name)
        .select_related("organisation")
        .order_by("pk")
        .first()
    )


def _free_slots(calendar: ConsultantCalendar, skip: int = 0):
    slots = availability.free_slots(calendar)
    return slots[skip:]


@transaction.atomic
def load(consultant) -> dict[str, int]:
    calendar, _created = ConsultantCalendar.objects.get_or_create(consultant=consultant)
    created = 0

    booked = _engagement(BOOKED)
    if booked and not booked.meetings.exists():
        slot = _free_slots(calendar)[0]
        services.book_slot(
            booked, slot.start, kind=MeetingKind.VIDEO,
            agenda="Messagerie et agendas partagés ; départ de Microsoft 365 à la fin du contrat.",
        )  # fmt: skip
        created += 1

    moved = _engagement(MOVED)
    if moved and not moved.meetings.exists():
        first, *rest = _free_slots(calendar, skip=4)
        result = services.book_slot(
            moved, first.start, kind=MeetingKind.PHONE, phone="0262 00 00 00"
        )
        later = next(s for s in rest if s.start - first.start >= timedelta(days=1))
        services.reschedule_meeting(result.meeting, later.start, by_organisation=True)
        created += 1

    cancelled = _engagement(CANCELLED)
    if cancelled and not cancelled.meetings.exists():
        slot = _free_slots(calendar, skip=8)[0]
        meeting = services.schedule_meeting(
            cancelled, start=slot.start, duration=slot.end - slot.start,
            kind=MeetingKind.ON_SITE, location="Maison des associations, 12 rue Garibaldi, Lyon",
            user=consultant,
        )  # fmt: skip
        services.cancel_meeting(meeting, user=consultant, reason="Assemblée générale avancée")
        created += 1

    # Engagements past the meeting stage had theirs: held, with notes, no e-mails.
    past = Engagement.objects.filter(stage__in=PAST_STAGES, meetings__isnull=True).select_related(
        "organisation"
    )
    for index, engagement in enumerate(past.order_by("pk")):
        day = timezone.localdate() - timedelta(days=14 + 7 * index)
        start = datetime.combine(day, time(10), timezone.get_current_timezone())
        meeting = Meeting.objects.create(
            engagement=engagement, organiser=consultant, start=start,
            end=start + timedelta(hours=1), kind=MeetingKind.VIDEO,
            video_url="https://visio.numerique.gouv.fr/dem-onst-ra", status=MeetingStatus.HELD,
            booked_by=BookedBy.ORGANISATION, scheduled_at=start - timedelta(days=7),
            held_at=start + timedelta(hours=1),
            notes="Inventaire fait ensemble ; priorités : messagerie, puis documents partagés.",
        )  # fmt: skip
        for contact in engagement.organisation.contacts.all()[:3]:
            MeetingAttendee.objects.create(
                meeting=meeting, contact=contact, name=contact.name, email=contact.email,
                partstat=PartStat.ACCEPTED,
            )  # fmt: skip
        created += 1
    return {"meetings": created}
