"""Meetings, consultants' calendars and their busy times (design.md §6)."""

from __future__ import annotations

import uuid
from datetime import time
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pipeline.models import Contact, Engagement, TimeStampedModel
from pipeline.stages import Stage

WEEKDAYS = (
    _("lundi"),
    _("mardi"),
    _("mercredi"),
    _("jeudi"),
    _("vendredi"),
    _("samedi"),
    _("dimanche"),
)

# Monday … Friday, 9:00–12:30 and 14:00–17:30; weekend off. Keys are ISO weekdays − 1.
DEFAULT_WORKING_HOURS = {str(day): [["09:00", "12:30"], ["14:00", "17:30"]] for day in range(5)} | {
    "5": [],
    "6": [],
}


def default_working_hours() -> dict:
    return {key: [list(r) for r in ranges] for key, ranges in DEFAULT_WORKING_HOURS.items()}


class ConsultantCalendar(TimeStampedModel):
    """When a consultant can be booked, and where their meetings are pushed."""

    consultant = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consultant·e"),
        on_delete=models.CASCADE,
        related_name="consultant_calendar",
    )
    accepts_bookings = models.BooleanField(
        _("ouvert à la réservation"),
        default=True,
        help_text=_("Décochez pendant une absence longue : personne ne pourra vous réserver."),
    )
    time_zone = models.CharField(_("fuseau horaire"), max_length=64, default="Europe/Paris")
    # {"0": [["09:00", "12:30"], ["14:00", "17:30"]], …, "6": []}; "0" is Monday.
    working_hours = models.JSONField(_("heures de travail"), default=default_working_hours)
    # ["2027-05-01", …]: whole days without meetings (holidays, leave).
    days_off = models.JSONField(_("jours off"), default=list, blank=True)
    meeting_minutes = models.PositiveSmallIntegerField(
        _("durée d'un rendez-vous (min)"), default=60
    )
    buffer_before_minutes = models.PositiveSmallIntegerField(_("battement avant (min)"), default=10)
    buffer_after_minutes = models.PositiveSmallIntegerField(_("battement après (min)"), default=15)
    slot_step_minutes = models.PositiveSmallIntegerField(
        _("pas entre deux créneaux proposés (min)"), default=30
    )
    minimum_notice_hours = models.PositiveSmallIntegerField(
        _("délai minimal de prévenance (heures)"), default=24
    )
    horizon_days = models.PositiveSmallIntegerField(_("horizon de réservation (jours)"), default=30)

    # Busy times read from the consultant's own calendar.
    busy_ics_url = models.URLField(
        _("adresse ICS de votre agenda (occupations)"),
        max_length=500,
        blank=True,
        help_text=_("Adresse secrète iCal de votre agenda ; seules les plages occupées sont lues."),
    )
    caldav_url = models.URLField(
        _("adresse du calendrier CalDAV"),
        max_length=500,
        blank=True,
        help_text=_("Ex. https://cloud.example.org/remote.php/dav/calendars/camille/travail/"),
    )
    caldav_username = models.CharField(_("identifiant CalDAV"), max_length=150, blank=True)
    caldav_password = models.CharField(
        _("mot de passe d'application CalDAV"), max_length=255, blank=True
    )
    caldav_push = models.BooleanField(
        _("copier mes rendez-vous dans ce calendrier CalDAV"), default=False
    )
    caldav_read_busy = models.BooleanField(
        _("lire mes occupations dans ce calendrier CalDAV"), default=False
    )
    busy_synced_at = models.DateTimeField(_("occupations lues le"), null=True, blank=True)
    busy_sync_error = models.TextField(_("erreur de lecture des occupations"), blank=True)
    feed_generated_at = models.DateTimeField(_("lien du flux créé le"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "caldav_password"])

    class Meta:
        verbose_name = _("agenda de consultant·e")
        verbose_name_plural = _("agendas de consultant·es")

    def __str__(self) -> str:
        return str(self.consultant.get_full_name() or self.consultant.get_username())

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def caldav_configured(self) -> bool:
        return bool(self.caldav_url and self.caldav_username and self.caldav_password)

    @property
    def caldav_host(self) -> str:
        return urlsplit(self.caldav_url).hostname or ""

    def ranges_for_weekday(self, weekday: int) -> list[tuple[time, time]]:
        ranges = []
        for start, end in self.working_hours.get(str(weekday), []):
            ranges.append((time.fromisoformat(start), time.fromisoformat(end)))
        return ranges


class BusySource(models.TextChoices):
    ICS = "ics", _("Agenda ICS")
    CALDAV = "caldav", _("Agenda CalDAV")


class BusyTime(models.Model):
    """A period when the consultant is busy elsewhere; imported, replaced at each sync."""

    calendar = models.ForeignKey(
        ConsultantCalendar, on_delete=models.CASCADE, related_name="busy_times"
    )
    source = models.CharField(max_length=16, choices=BusySource.choices)
    start = models.DateTimeField()
    end = models.DateTimeField()

    class Meta:
        verbose_name = _("occupation")
        verbose_name_plural = _("occupations")
        indexes = [models.Index(fields=["calendar", "start", "end"])]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="busy_time_ends")
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M} → {self.end:%H:%M}"


class MeetingKind(models.TextChoices):
    VIDEO = "video", _("Visioconférence")
    PHONE = "phone", _("Téléphone")
    ON_SITE = "on_site", _("Sur place")


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("Prévu")
    HELD = "held", _("Tenu")
    # Nobody from the organisation came. Not a cancellation: no CANCEL is sent, the event
    # stays in everyone's calendar as it was (see services.mark_no_show).
    NO_SHOW = "no_show", _("Absence")
    CANCELLED = "cancelled", _("Annulé")


class BookedBy(models.TextChoices):
    ORGANISATION = "organisation", _("L'organisation (réservation en ligne)")
    CONSULTANT = "consultant", _("Le ou la consultant·e")


class MeetingQuerySet(models.QuerySet):
    def scheduled(self):
        return self.filter(status=MeetingStatus.SCHEDULED)

    def overlapping(self, start, end):
        return self.filter(start__lt=end, end__gt=start)

    def visible_to(self, user):
        return self.filter(engagement__in=Engagement.objects.visible_to(user))


def new_uid() -> str:
    domain = urlsplit(settings.SITE_URL).hostname or "passerelle.localhost"
    return f"{uuid.uuid4()}@{domain}"


class Meeting(TimeStampedModel):
    """One meeting with an organisation: one UID forever, SEQUENCE bumped at each change."""

    engagement = models.ForeignKey(
        Engagement,
        verbose_name=_("accompagnement"),
        on_delete=models.CASCADE,
        related_name="meetings",
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consultant·e"),
        on_delete=models.PROTECT,
        related_name="organised_meetings",
    )
    start = models.DateTimeField(_("début"), db_index=True)
    end = models.DateTimeField(_("fin"))
    kind = models.CharField(
        _("format"), max_length=16, choices=MeetingKind.choices, default=MeetingKind.VIDEO
    )
    location = models.CharField(
        _("lieu ou numéro"),
        max_length=300,
        blank=True,
        help_text=_("Adresse pour un rendez-vous sur place, numéro pour un appel."),
    )
    video_url = models.URLField(_("lien de visioconférence"), max_length=500, blank=True)
    agenda = models.TextField(_("ordre du jour"), max_length=2000, blank=True)
    status = models.CharField(
        _("état"),
        max_length=16,
        choices=MeetingStatus.choices,
        default=MeetingStatus.SCHEDULED,
        db_index=True,
    )
    uid = models.CharField(_("UID iCalendar"), max_length=255, unique=True, default=new_uid)
    sequence = models.PositiveIntegerField(_("SEQUENCE"), default=0)
    stage_before_booking = models.CharField(
        _("étape avant la réservation"), max_length=32, choices=Stage.choices, blank=True
    )
    booked_by = models.CharField(
        _("réservé par"), max_length=16, choices=BookedBy.choices, default=BookedBy.CONSULTANT
    )
    # When the current start was set; reminders whose moment came before it are not sent.
    scheduled_at = models.DateTimeField(_("planifié le"), default=timezone.now)
    notes = models.TextField(_("compte rendu"), blank=True)
    cancel_reason = models.CharField(_("motif d'annulation"), max_length=500, blank=True)
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)
    held_at = models.DateTimeField(_("marqué tenu le"), null=True, blank=True)
    no_show_at = models.DateTimeField(_("absence notée le"), null=True, blank=True)

    objects = MeetingQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("rendez-vous")
        verbose_name_plural = _("rendez-vous")
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="meeting_ends"),
            # The database backstop of the booking lock: one live meeting per consultant and
            # start time, whatever the code above it does.
            models.UniqueConstraint(
                fields=["organiser", "start"],
                condition=Q(status="scheduled"),
                name="one_scheduled_meeting_per_consultant_and_start",
            ),
        ]
        indexes = [models.Index(fields=["organiser", "status", "start"])]

    def __str__(self) -> str:
        local = timezone.localtime(self.start)
        return f"{self.engagement.organisation} — {local:%d/%m/%Y %H:%M}"

    @property
    def is_live(self) -> bool:
        return self.status == MeetingStatus.SCHEDULED

    @property
    def is_upcoming(self) -> bool:
        return self.is_live and self.end > timezone.now()

    @property
    def where(self) -> str:
        """What goes in LOCATION: the video link, the address or the phone number."""
        if self.kind == MeetingKind.VIDEO:
            return self.video_url or self.location
        return self.location

    @property
    def organisation_zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.engagement.organisation.time_zone or settings.TIME_ZONE)
        except (KeyError, ValueError):
            return ZoneInfo(settings.TIME_ZONE)


class PartStat(models.TextChoices):
    NEEDS_ACTION = "NEEDS-ACTION", _("Sans réponse")
    ACCEPTED = "ACCEPTED", _("Accepté")
    TENTATIVE = "TENTATIVE", _("Peut-être")
    DECLINED = "DECLINED", _("Refusé")
    DELEGATED = "DELEGATED", _("Délégué")


class MeetingAttendee(models.Model):
    """A person of the organisation invited to the meeting, with their answer (PARTSTAT)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("nom"), max_length=200)
    email = models.EmailField(_("e-mail"), max_length=254)
    partstat = models.CharField(
        _("réponse"), max_length=16, choices=PartStat.choices, default=PartStat.NEEDS_ACTION
    )
    responded_at = models.DateTimeField(_("répondu le"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("participant·e")
        verbose_name_plural = _("participant·es")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "email"], name="one_attendee_per_address")
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"
