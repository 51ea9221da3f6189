from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from pipeline.models import Engagement, Notification, Organisation
from pipeline.permissions import ReadOnlyPermissionPolicy

register_permission_policy(Notification, ReadOnlyPermissionPolicy(Notification))


class EngagementViewSet(ModelViewSet):
    model = Engagement
    url_prefix = "pipeline/engagements"
    icon = "clipboard-list"
    menu_label = _("Accompagnements")
    list_display = ["organisation", "stage", "owner", "score", "created_at"]
    list_filter = ["stage", "owner"]
    list_export = ["organisation", "get_stage_display", "owner", "score", "source", "created_at"]
    export_headings = {"get_stage_display": _("Étape")}
    search_fields = ["organisation__name", "organisation__contacts__email"]
    search_backend_name = None
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["owner", "next_action", "next_action_due"]
    ordering = ["-created_at"]


class OrganisationViewSet(ModelViewSet):
    model = Organisation
    url_prefix = "pipeline/organisations"
    icon = "group"
    menu_label = _("Organisations")
    list_display = ["name", "kind", "postcode", "domain", "created_at"]
    list_filter = ["kind", "territory"]
    search_fields = ["name", "domain", "siren", "postcode"]
    search_backend_name = None
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["name", "kind", "headcount", "siren", "domain", "postcode", "website"]


class NotificationViewSet(ModelViewSet):
    model = Notification
    url_prefix = "pipeline/notifications"
    icon = "mail"
    menu_label = _("Messages sortants")
    list_display = ["subject", "kind", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["subject", "idempotency_key"]
    search_backend_name = None
    inspect_view_enabled = True
    copy_view_enabled = False
    inspect_view_fields = [
        "kind",
        "status",
        "recipients",
        "subject",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
        "message_id",
        "idempotency_key",
        "engagement",
        "body_text",
    ]
    form_fields = ["subject"]


class PipelineViewSetGroup(ViewSetGroup):
    menu_label = _("Pipeline")
    menu_icon = "clipboard-list"
    menu_order = 150
    items = (
        EngagementViewSet("engagements"),
        OrganisationViewSet("organisations"),
        NotificationViewSet("notifications"),
    )


@hooks.register("register_admin_viewset")
def register_pipeline_viewsets():
    return PipelineViewSetGroup()
