"""Calendar screens in the Wagtail admin, under /admin/calendar/."""

from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from calendar_sync import admin_views
from calendar_sync.models import Meeting, MeetingStatus
from pipeline.panels import (
    ENGAGEMENT_PANELS_HOOK,
    UPCOMING_MEETINGS_HOOK,
    EngagementPanel,
    UpcomingMeeting,
)

app_name = "calendar_sync_admin"

urlpatterns = [
    path("", admin_views.MeetingIndexView.as_view(), name="meetings"),
    path("meetings/<int:pk>/", admin_views.MeetingDetailView.as_view(), name="meeting"),
    path("meetings/<int:pk>/move/", admin_views.RescheduleView.as_view(), name="reschedule"),
    path("meetings/<int:pk>/cancel/", admin_views.CancelView.as_view(), name="cancel"),
    path("meetings/<int:pk>/held/", admin_views.HeldView.as_view(), name="held"),
    path("meetings/<int:pk>/no-show/", admin_views.NoShowView.as_view(), name="no_show"),
    path("meetings/<int:pk>/ics/", admin_views.MeetingIcsView.as_view(), name="meeting_ics"),
    path("schedule/", admin_views.ScheduleChooserView.as_view(), name="schedule_chooser"),
    path("engagements/<int:pk>/schedule/", admin_views.ScheduleView.as_view(), name="schedule"),
    path("settings/", admin_views.CalendarSettingsView.as_view(), name="settings"),
    path("replies/", admin_views.ReplyUploadView.as_view(), name="reply_upload"),
]


@hooks.register("register_admin_urls")
def register_calendar_urls():
    return [path("calendar/", include((urlpatterns, app_name), namespace=app_name))]


class PermissionMenuItem(MenuItem):
    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


@hooks.register("register_admin_menu_item")
def register_calendar_menu():
    items = [
        PermissionMenuItem(
            _("Rendez-vous"), reverse("calendar_sync_admin:meetings"), icon_name="date",
            permission="calendar_sync.view_meeting", order=100,
        ),
        PermissionMenuItem(
            _("Planifier"), reverse("calendar_sync_admin:schedule_chooser"), icon_name="plus",
            permission="calendar_sync.add_meeting", order=200,
        ),
        PermissionMenuItem(
            _("Mon agenda"), reverse("calendar_sync_admin:settings"), icon_name="cog",
            permission="calendar_sync.change_consultantcalendar", order=300,
        ),
        PermissionMenuItem(
            _("Importer une réponse"), reverse("calendar_sync_admin:reply_upload"),
            icon_name="upload", permission="calendar_sync.change_meeting", order=400,
        ),
    ]  # fmt: skip
    return SubmenuMenuItem(
        _("Rendez-vous"), Menu(items=items), name="calendar", icon_name="date", order=160
    )


# --- The pipeline's extension points (pipeline/panels.py) ----------------------------------------


class MeetingsPanel(EngagementPanel):
    slot = "meetings"
    heading = _("Rendez-vous")
    order = 10

    def render_html(self, parent_context=None):
        from django.template.loader import render_to_string

        from calendar_sync.templatetags.calendar_admin import engagement_meetings

        context = engagement_meetings({"request": self.request}, self.engagement)
        context["embedded"] = True  # the engagement page gives the section its heading
        return render_to_string(
            "calendar_sync/includes/engagement_meetings.html", context, request=self.request
        )


@hooks.register(ENGAGEMENT_PANELS_HOOK)
def meetings_panel(request, engagement):
    return MeetingsPanel(engagement, request)


@hooks.register(UPCOMING_MEETINGS_HOOK)
def upcoming_meetings(request, engagements, limit):
    meetings = (
        Meeting.objects.filter(
            engagement__in=engagements, status=MeetingStatus.SCHEDULED, end__gte=timezone.now()
        )
        .select_related("engagement__organisation")
        .order_by("start")[:limit]
    )
    return [
        UpcomingMeeting(
            starts_at=meeting.start,
            title=meeting.get_kind_display(),
            url=reverse("calendar_sync_admin:meeting", args=[meeting.pk]),
            organisation=meeting.engagement.organisation.name,
            location=meeting.location or meeting.video_url,
        )
        for meeting in meetings
    ]
