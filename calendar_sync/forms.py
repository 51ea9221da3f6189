"""Forms of the booking pages and of the consultants' calendar screens."""

from __future__ import annotations

import itertools
import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from calendar_sync import services
from calendar_sync.availability import parse_slot_key
from calendar_sync.models import WEEKDAYS, ConsultantCalendar, MeetingKind
from pipeline.models import Contact

PUBLIC_KINDS = [
    (MeetingKind.VIDEO, _("En visioconférence (lien envoyé par e-mail)")),
    (MeetingKind.PHONE, _("Par téléphone (nous vous appelons)")),
]


class SlotField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        start = parse_slot_key(value)
        if start is None:
            raise ValidationError(_("Choisissez un créneau dans la liste."), code="invalid")
        return start


class BookingForm(forms.Form):
    slot = SlotField(
        label=_("Créneau"),
        max_length=16,
        error_messages={"required": _("Choisissez un créneau dans la liste.")},
    )
    kind = forms.ChoiceField(
        label=_("Comment souhaitez-vous échanger ?"),
        choices=PUBLIC_KINDS,
        initial=MeetingKind.VIDEO,
        widget=forms.RadioSelect,
    )
    phone = forms.CharField(
        label=_("Téléphone (si appel)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    agenda = forms.CharField(
        label=_("Ce dont vous aimeriez parler (facultatif)"),
        help_text=_("Vos outils actuels, un projet en cours, une échéance de contrat…"),
        max_length=services.AGENDA_MAX_LENGTH,
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_phone(self):
        value = services.clean_single_line(self.cleaned_data.get("phone", ""), _("Téléphone"), 40)
        if value and not re.fullmatch(r"[0-9+().\s-]{6,40}", value):
            raise ValidationError(_("Ce numéro de téléphone n'est pas valide."))
        return value

    def clean_agenda(self):
        return services.clean_agenda(self.cleaned_data.get("agenda", ""))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == MeetingKind.PHONE and not cleaned.get("phone"):
            self.add_error("phone", _("Indiquez le numéro auquel vous joindre."))
        return cleaned


class RescheduleSlotForm(forms.Form):
    slot = SlotField(
        label=_("Nouveau créneau"),
        max_length=16,
        error_messages={"required": _("Choisissez un créneau dans la liste.")},
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Un mot sur la raison (facultatif)"),
        max_length=500,
        required=False,
        widget=forms.TextInput(),
    )

    def clean_reason(self):
        return services.clean_single_line(self.cleaned_data.get("reason", ""), _("Motif"), 500)


class ResendForm(forms.Form):
    email = forms.EmailField(
        label=_("Votre adresse e-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


# --- Consultant side -------------------------------------------------------------------------


DURATIONS = [(m, f"{m} min") for m in (30, 45, 60, 90, 120)]


class ScheduleMeetingForm(forms.Form):
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start_time = forms.TimeField(
        label=_("Heure de début (heure de Paris)"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    duration = forms.TypedChoiceField(label=_("Durée"), choices=DURATIONS, coerce=int, initial=60)
    kind = forms.ChoiceField(label=_("Format"), choices=MeetingKind.choices)
    video_url = forms.CharField(
        label=_("Lien de visioconférence"),
        required=False,
        max_length=500,
        help_text=_("Laissez vide pour créer un salon Visio automatiquement."),
    )
    location = forms.CharField(
        label=_("Adresse ou numéro de téléphone"), required=False, max_length=300
    )
    agenda = forms.CharField(
        label=_("Ordre du jour"),
        required=False,
        max_length=services.AGENDA_MAX_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    contacts = forms.ModelMultipleChoiceField(
        label=_("Participant·es de l'organisation"),
        queryset=Contact.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, engagement=None, **kwargs):
        super().__init__(*args, **kwargs)
        if engagement is not None:
            contacts = engagement.organisation.contacts.order_by("name")
            self.fields["contacts"].queryset = contacts
            self.fields["contacts"].initial = list(contacts.values_list("pk", flat=True))

    def clean_video_url(self):
        return services.clean_video_url(self.cleaned_data.get("video_url", ""))

    def clean_location(self):
        return services.clean_single_line(
            self.cleaned_data.get("location", ""), _("Adresse ou numéro de téléphone")
        )

    def clean_agenda(self):
        return services.clean_agenda(self.cleaned_data.get("agenda", ""))

    def start(self) -> datetime:
        zone = ZoneInfo(settings.TIME_ZONE)
        return datetime.combine(self.cleaned_data["date"], self.cleaned_data["start_time"], zone)


class RescheduleMeetingForm(forms.Form):
    date = forms.DateField(
        label=_("Nouvelle date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start_time = forms.TimeField(
        label=_("Nouvelle heure de début (heure de Paris)"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    duration = forms.TypedChoiceField(label=_("Durée"), choices=DURATIONS, coerce=int)

    def start(self) -> datetime:
        zone = ZoneInfo(settings.TIME_ZONE)
        return datetime.combine(self.cleaned_data["date"], self.cleaned_data["start_time"], zone)


class HeldForm(forms.Form):
    notes = forms.CharField(
        label=_("Compte rendu"),
        max_length=services.NOTES_MAX_LENGTH,
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Points clés, besoins repérés, suites convenues."),
    )

    def clean_notes(self):
        return services.clean_notes(self.cleaned_data.get("notes", ""))


class NoShowForm(forms.Form):
    note = forms.CharField(
        label=_("Note (facultative)"),
        max_length=services.NOTES_MAX_LENGTH,
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Prévenu·e ? Un imprévu ? Reste interne, n'est pas envoyé."),
    )
    # Set by the button pressed: one click marks the absence and sends new slots.
    propose_new_slots = forms.BooleanField(required=False)

    def clean_note(self):
        return services.clean_notes(self.cleaned_data.get("note", ""))


class ReplyUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Réponse reçue (.ics ou e-mail .eml)"),
        help_text=_("Le fichier joint à la réponse d'un·e participant·e, ou l'e-mail entier."),
    )


_RANGE = re.compile(r"^\s*(\d{1,2})[:h](\d{2})\s*[-–à]\s*(\d{1,2})[:h](\d{2})\s*$")


def parse_ranges(text: str) -> list[list[str]]:
    """ "9:00-12:30, 14:00-17:30" → [["09:00", "12:30"], ["14:00", "17:30"]]."""
    ranges = []
    for chunk in filter(None, (c.strip() for c in (text or "").split(","))):
        match = _RANGE.match(chunk)
        if not match:
            raise ValidationError(
                _("« %(chunk)s » : écrivez les plages comme 09:00-12:30, 14:00-17:30.")
                % {"chunk": chunk[:40]}
            )
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        try:
            start, end = time(h1, m1), time(h2, m2)
        except ValueError as exc:
            raise ValidationError(
                _("« %(chunk)s » : heure impossible.") % {"chunk": chunk}
            ) from exc
        if end <= start:
            raise ValidationError(
                _("« %(chunk)s » : la fin doit suivre le début.") % {"chunk": chunk}
            )
        ranges.append([start.strftime("%H:%M"), end.strftime("%H:%M")])
    ranges.sort()
    for previous, following in itertools.pairwise(ranges):
        if following[0] < previous[1]:
            raise ValidationError(_("Deux plages se chevauchent."))
    return ranges


def format_ranges(ranges) -> str:
    return ", ".join(f"{start}-{end}" for start, end in ranges or [])


def parse_days_off(text: str) -> list[str]:
    """One date or range per line: 2027-05-01, or 2027-08-01..2027-08-21 (≤ 366 days)."""
    days: set[str] = set()
    for line in filter(None, (line.strip() for line in (text or "").splitlines())):
        try:
            if ".." in line:
                first, last = (date.fromisoformat(part.strip()) for part in line.split("..", 1))
            else:
                first = last = date.fromisoformat(line)
        except ValueError as exc:
            raise ValidationError(
                _(
                    "« %(line)s » : écrivez une date AAAA-MM-JJ "
                    "ou une période AAAA-MM-JJ..AAAA-MM-JJ."
                )
                % {"line": line[:40]}
            ) from exc
        if last < first or (last - first).days > 366:
            raise ValidationError(_("« %(line)s » : période impossible.") % {"line": line[:40]})
        day = first
        while day <= last:
            days.add(day.isoformat())
            day += timedelta(days=1)
    return sorted(days)


class ConsultantCalendarForm(forms.ModelForm):
    days_off_text = forms.CharField(
        label=_("Jours sans rendez-vous"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Une date par ligne (2027-05-01) ou une période (2027-08-02..2027-08-20)."),
    )
    caldav_password = forms.CharField(
        label=_("Mot de passe d'application CalDAV"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Laissez vide pour garder celui enregistré."),
    )

    class Meta:
        model = ConsultantCalendar
        fields = [
            "accepts_bookings",
            "time_zone",
            "meeting_minutes",
            "buffer_before_minutes",
            "buffer_after_minutes",
            "slot_step_minutes",
            "minimum_notice_hours",
            "horizon_days",
            "busy_ics_url",
            "caldav_url",
            "caldav_username",
            "caldav_push",
            "caldav_read_busy",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for weekday, label in enumerate(WEEKDAYS):
            self.fields[f"hours_{weekday}"] = forms.CharField(
                label=str(label).capitalize(),
                required=False,
                max_length=200,
                initial=format_ranges(self.instance.working_hours.get(str(weekday))),
                help_text=_("Ex. 09:00-12:30, 14:00-17:30 ; vide = pas de rendez-vous ce jour-là.")
                if weekday == 0
                else "",
            )
        self.fields["days_off_text"].initial = "\n".join(self.instance.days_off or [])
        self.order_fields(["accepts_bookings", *[f"hours_{d}" for d in range(7)]])

    def clean_time_zone(self):
        value = self.cleaned_data["time_zone"]
        if value not in available_timezones():
            raise ValidationError(_("Fuseau horaire inconnu (ex. Europe/Paris)."))
        return value

    def clean_days_off_text(self):
        return parse_days_off(self.cleaned_data.get("days_off_text", ""))

    def clean(self):
        cleaned = super().clean()
        hours = {}
        for weekday in range(7):
            try:
                hours[str(weekday)] = parse_ranges(cleaned.get(f"hours_{weekday}", ""))
            except ValidationError as exc:
                self.add_error(f"hours_{weekday}", exc)
        cleaned["working_hours"] = hours
        minutes = cleaned.get("meeting_minutes")
        if minutes is not None and not 10 <= minutes <= 480:
            self.add_error("meeting_minutes", _("Entre 10 et 480 minutes."))
        step = cleaned.get("slot_step_minutes")
        if step is not None and not 5 <= step <= 240:
            self.add_error("slot_step_minutes", _("Entre 5 et 240 minutes."))
        horizon = cleaned.get("horizon_days")
        if horizon is not None and not 1 <= horizon <= 365:
            self.add_error("horizon_days", _("Entre 1 et 365 jours."))
        if (cleaned.get("caldav_push") or cleaned.get("caldav_read_busy")) and not (
            cleaned.get("caldav_url")
            and cleaned.get("caldav_username")
            and (cleaned.get("caldav_password") or self.instance.caldav_password)
        ):
            self.add_error(
                "caldav_url", _("Adresse, identifiant et mot de passe CalDAV sont nécessaires.")
            )
        return cleaned

    def save(self, commit=True):
        calendar = super().save(commit=False)
        calendar.working_hours = self.cleaned_data["working_hours"]
        calendar.days_off = self.cleaned_data["days_off_text"]
        if self.cleaned_data.get("caldav_password"):
            calendar.caldav_password = self.cleaned_data["caldav_password"]
        if not calendar.caldav_url:
            calendar.caldav_password = ""
        if commit:
            calendar.save()
        return calendar
