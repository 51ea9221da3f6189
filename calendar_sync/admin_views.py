"""Consultants' screens in the Wagtail admin (/admin/calendar/…): meetings, scheduling,
moving, cancelling, marking held, their calendar settings and feed link, iTIP replies.

Views are thin: forms validate, services act, messages tell the result in French.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from calendar_sync import busy, ical, links, services
from calendar_sync.forms import (
    CancelForm,
    ConsultantCalendarForm,
    HeldForm,
    NoShowForm,
    ReplyUploadForm,
    RescheduleMeetingForm,
    ScheduleMeetingForm,
)
from calendar_sync.models import Meeting, MeetingStatus
from calendar_sync.views import ics_response
from pipeline.models import Engagement, Notification, NotificationStatus


def engagement_admin_url(engagement: Engagement) -> str:
    """The engagement's page in the admin (owned by the pipeline app)."""
    for name in ("engagements:inspect", "engagements:edit"):
        try:
            return reverse(name, args=[engagement.pk])
        except NoReverseMatch:
            continue
    return ""


def compose_url(engagement: Engagement) -> str:
    """The pipeline's "write an e-mail" page for this engagement."""
    try:
        return reverse("pipeline_engagements:email", args=[engagement.pk])
    except NoReverseMatch:
        return ""


def meeting_notifications(meeting: Meeting):
    """The outbox rows of one meeting: invites, reminders, alerts and CalDAV pushes."""
    return Notification.objects.filter(
        Q(idempotency_key__startswith=f"meeting:{meeting.uid}:")
        | Q(idempotency_key__startswith=f"caldav:{meeting.uid}:")
        | Q(idempotency_key__startswith=f"meeting-reminder:{meeting.pk}:")
    ).order_by("created_at", "pk")


class CalendarAdminView(WagtailAdminTemplateMixin, TemplateView):
    permission = "calendar_sync.view_meeting"
    header_icon = "date"
    base_breadcrumbs = True

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        items = [
            *self.breadcrumbs_items,
            {"url": reverse("calendar_sync_admin:meetings"), "label": _("Rendez-vous")},
        ]
        if self.get_page_title() != _("Rendez-vous"):
            items.append({"url": "", "label": self.get_page_title()})
        return items

    def fail(self, exc: Exception) -> None:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(self.request, text)


class MeetingIndexView(CalendarAdminView):
    template_name = "calendar_sync/admin/meeting_index.html"
    page_title = gettext_lazy("Rendez-vous")

    FILTERS = {
        "a-venir": gettext_lazy("À venir"),
        "passes": gettext_lazy("Passés"),
        "annules": gettext_lazy("Annulés"),
        "tous": gettext_lazy("Tous"),
    }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        current = self.request.GET.get("vue", "a-venir")
        meetings = Meeting.objects.visible_to(self.request.user).select_related(
            "engagement__organisation", "organiser"
        )
        if self.request.GET.get("moi") == "1":
            meetings = meetings.filter(organiser=self.request.user)
        if current == "a-venir":
            meetings = meetings.filter(status=MeetingStatus.SCHEDULED, end__gte=now)
        elif current == "passes":
            meetings = meetings.filter(end__lt=now).exclude(status=MeetingStatus.CANCELLED)
            meetings = meetings.order_by("-start")
        elif current == "annules":
            meetings = meetings.filter(status=MeetingStatus.CANCELLED).order_by("-start")
        context.update(
            meetings=meetings.prefetch_related("attendees")[:200],
            filters=self.FILTERS,
            current=current,
            only_mine=self.request.GET.get("moi") == "1",
            to_mark_held=Meeting.objects.visible_to(self.request.user)
            .filter(status=MeetingStatus.SCHEDULED, end__lt=now)
            .count(),
        )
        return context


class MeetingDetailView(CalendarAdminView):
    template_name = "calendar_sync/admin/meeting_detail.html"

    def get_meeting(self) -> Meeting:
        meeting = (
            Meeting.objects.visible_to(self.request.user)
            .select_related("engagement__organisation", "organiser")
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if meeting is None:
            raise Http404
        return meeting

    def get_page_title(self):
        return str(self.meeting) if hasattr(self, "meeting") else _("Rendez-vous")

    def get(self, request, *args, **kwargs):
        self.meeting = self.get_meeting()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meeting = self.meeting
        duration = int((meeting.end - meeting.start).total_seconds() // 60)
        context.update(
            meeting=meeting,
            engagement_url=engagement_admin_url(meeting.engagement),
            attendees=meeting.attendees.all(),
            notifications=meeting_notifications(meeting),
            history=meeting.history.select_related("history_user").order_by("-history_date")[:30],
            reschedule_form=kwargs.get("reschedule_form")
            or RescheduleMeetingForm(
                initial={
                    "date": timezone.localtime(meeting.start).date(),
                    "start_time": timezone.localtime(meeting.start).time(),
                    "duration": duration if duration in (30, 45, 60, 90, 120) else 60,
                }
            ),
            cancel_form=kwargs.get("cancel_form") or CancelForm(),
            held_form=kwargs.get("held_form") or HeldForm(initial={"notes": meeting.notes}),
            no_show_form=kwargs.get("no_show_form") or NoShowForm(),
            follow_up_draft=services.follow_up_draft(meeting)
            if meeting.status == MeetingStatus.HELD
            else None,
            compose_url=compose_url(meeting.engagement),
            can_change=self.request.user.has_perm("calendar_sync.change_meeting"),
            has_started=meeting.start <= timezone.now(),
        )
        return context


class MeetingActionView(MeetingDetailView):
    """POST-only actions on one meeting; errors re-render the detail page."""

    permission = "calendar_sync.change_meeting"
    form_class = None
    form_key = ""
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.meeting = self.get_meeting()
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                next_url = self.act(form)
            # ValueError: e-mail errors too (nobody may receive it, a broken template…).
            except (ValueError, ValidationError, PermissionDenied) as exc:
                self.fail(exc)
            else:
                return redirect(
                    next_url or reverse("calendar_sync_admin:meeting", args=[self.meeting.pk])
                )
        return self.render_to_response(self.get_context_data(**{self.form_key: form}))


class RescheduleView(MeetingActionView):
    form_class = RescheduleMeetingForm
    form_key = "reschedule_form"

    def act(self, form):
        services.reschedule_meeting(
            self.meeting,
            form.start(),
            user=self.request.user,
            duration=timedelta(minutes=form.cleaned_data["duration"]),
        )
        messages.success(
            self.request, _("Rendez-vous déplacé ; la nouvelle invitation part par e-mail.")
        )


class CancelView(MeetingActionView):
    form_class = CancelForm
    form_key = "cancel_form"

    def act(self, form):
        services.cancel_meeting(
            self.meeting, user=self.request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(self.request, _("Rendez-vous annulé ; l'annulation part par e-mail."))


class HeldView(MeetingActionView):
    form_class = HeldForm
    form_key = "held_form"

    def act(self, form):
        services.mark_held(self.meeting, notes=form.cleaned_data["notes"], user=self.request.user)
        draft = services.follow_up_draft(self.meeting)
        if draft is None:
            messages.success(self.request, _("Rendez-vous marqué comme tenu."))
            return None
        messages.success(
            self.request,
            _(
                "Rendez-vous marqué comme tenu. Voici le message de suivi préparé à partir du "
                "compte rendu : relisez-le, complétez-le, puis envoyez-le."
            ),
        )
        return f"{compose_url(self.meeting.engagement)}?draft={draft.pk}"


class NoShowView(MeetingActionView):
    form_class = NoShowForm
    form_key = "no_show_form"

    def act(self, form):
        propose = form.cleaned_data["propose_new_slots"]
        result = services.mark_no_show(
            self.meeting,
            user=self.request.user,
            note=form.cleaned_data["note"],
            propose_new_slots=propose,
        )
        if result.email is not None:
            names = ", ".join(r.name for r in result.email.recipients.all())
            messages.success(
                self.request,
                _(
                    "Absence notée. Un e-mail avec un lien pour choisir un nouveau créneau part "
                    "vers %(names)s."
                )
                % {"names": names},
            )
        else:
            messages.success(self.request, _("Absence notée."))


class MeetingIcsView(MeetingDetailView):
    def get(self, request, *args, **kwargs):
        meeting = self.get_meeting()
        return ics_response(ical.single_event(meeting), f"rendez-vous-{meeting.pk}.ics")


class ScheduleChooserView(CalendarAdminView):
    permission = "calendar_sync.add_meeting"
    template_name = "calendar_sync/admin/schedule_chooser.html"
    page_title = gettext_lazy("Planifier un rendez-vous")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()[:100]
        engagements = (
            Engagement.objects.visible_to(self.request.user)
            .open()
            .select_related("organisation", "owner")
            .order_by("organisation__name")
        )
        if query:
            engagements = engagements.filter(organisation__name__icontains=query)
        context.update(engagements=engagements[:100], query=query)
        return context


class ScheduleView(CalendarAdminView):
    permission = "calendar_sync.add_meeting"
    template_name = "calendar_sync/admin/schedule.html"

    def get_engagement(self) -> Engagement:
        return get_object_or_404(
            Engagement.objects.visible_to(self.request.user).select_related("organisation"),
            pk=self.kwargs["pk"],
        )

    def get_page_title(self):
        return _("Planifier un rendez-vous")

    def get(self, request, *args, **kwargs):
        self.engagement = self.get_engagement()
        form = ScheduleMeetingForm(engagement=self.engagement)
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        self.engagement = self.get_engagement()
        form = ScheduleMeetingForm(request.POST, engagement=self.engagement)
        if form.is_valid():
            try:
                meeting = services.schedule_meeting(
                    self.engagement,
                    start=form.start(),
                    duration=timedelta(minutes=form.cleaned_data["duration"]),
                    kind=form.cleaned_data["kind"],
                    location=form.cleaned_data["location"],
                    video_url=form.cleaned_data["video_url"],
                    agenda=form.cleaned_data["agenda"],
                    contacts=list(form.cleaned_data["contacts"]),
                    user=request.user,
                )
            except (services.BookingError, ValidationError, PermissionDenied) as exc:
                self.fail(exc)
            else:
                messages.success(request, _("Rendez-vous planifié ; l'invitation part par e-mail."))
                return redirect("calendar_sync_admin:meeting", pk=meeting.pk)
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            engagement=self.engagement,
            engagement_url=engagement_admin_url(self.engagement),
            booking_url=links.booking_url(self.engagement),
        )
        return context


class CalendarSettingsView(CalendarAdminView):
    permission = "calendar_sync.change_consultantcalendar"
    template_name = "calendar_sync/admin/settings.html"
    page_title = gettext_lazy("Mon agenda")

    def get(self, request, *args, **kwargs):
        calendar = services.calendar_for(request.user)
        return self.render_to_response(
            self.get_context_data(form=ConsultantCalendarForm(instance=calendar))
        )

    def post(self, request, *args, **kwargs):
        calendar = services.calendar_for(request.user)
        action = request.POST.get("action", "save")
        if action == "regenerate":
            raw = services.regenerate_feed_link(calendar, user=request.user)
            messages.success(request, _("Nouveau lien créé : l'ancien ne fonctionne plus."))
            return self.render_to_response(
                self.get_context_data(
                    form=ConsultantCalendarForm(instance=calendar), new_feed_url=links.feed_url(raw)
                )
            )
        if action == "sync":
            count = busy.sync_busy_times(calendar)
            calendar.refresh_from_db()
            if calendar.busy_sync_error:
                messages.error(request, calendar.busy_sync_error)
            else:
                messages.success(request, _("%(count)s occupations importées.") % {"count": count})
            return redirect("calendar_sync_admin:settings")
        form = ConsultantCalendarForm(request.POST, instance=calendar)
        if form.is_valid():
            form.save()
            messages.success(request, _("Réglages de l'agenda enregistrés."))
            return redirect("calendar_sync_admin:settings")
        messages.error(request, _("Corrigez les erreurs ci-dessous."))
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        calendar = services.calendar_for(self.request.user)
        pushes = Notification.objects.filter(
            channel="caldav", payload__calendar_id=calendar.pk
        ).order_by("-created_at")
        context.update(
            calendar=calendar,
            failed_pushes=pushes.filter(
                status__in=[NotificationStatus.FAILED, NotificationStatus.DEAD]
            )[:20],
            last_push=pushes.filter(status=NotificationStatus.SENT).first(),
            busy_count=calendar.busy_times.count(),
        )
        return context


class ReplyUploadView(CalendarAdminView):
    permission = "calendar_sync.change_meeting"
    template_name = "calendar_sync/admin/reply_upload.html"
    page_title = gettext_lazy("Importer une réponse à une invitation")

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=ReplyUploadForm()))

    def post(self, request, *args, **kwargs):
        form = ReplyUploadForm(request.POST, request.FILES)
        outcomes = []
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > ical.MAX_REPLY_BYTES:
                form.add_error("file", _("Le fichier est trop volumineux (2 Mo au maximum)."))
            else:
                try:
                    outcomes = services.apply_reply(upload.read(), user=request.user)
                except (ical.ReplyError, PermissionDenied) as exc:
                    form.add_error("file", str(exc))
        return self.render_to_response(self.get_context_data(form=form, outcomes=outcomes))
