"""The pipeline in the Wagtail admin: menu, viewsets, dashboard panels (issue 5).

Everything lives under /admin/pipeline/. Every view checks that the user works the pipeline
(Consultants) and, with PIPELINE_CONSULTANTS_SEE_OWN_ONLY, only reaches their own engagements.
Other apps extend the engagement page and the dashboard through the hooks described in
pipeline/panels.py.
"""

from __future__ import annotations

from django.templatetags.static import static
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from pipeline import access
from pipeline.forms import OrganisationForm, TerritoryRuleForm
from pipeline.models import (
    Contact,
    EmailTemplate,
    Engagement,
    Notification,
    Organisation,
    PrivacyLog,
    Roadmap,
    Task,
    TerritoryRule,
)
from pipeline.panels import ENGAGEMENT_PANELS_HOOK, dashboard_panels
from pipeline.permissions import ReadOnlyPermissionPolicy
from pipeline.roadmap import admin_views as roadmap_admin
from pipeline.views import board, emails, engagements, importing, organisations, reports
from pipeline.views.lists import (
    NotificationIndexView,
    NotificationInspectView,
    PrivacyLogIndexView,
    TaskEditView,
    TaskIndexView,
)


class EngagementPermissionPolicy(ModelPermissionPolicy):
    """Engagements are opened by intake, import or "open an engagement", never from a blank
    form, and never deleted (their figures feed the reports; erasure anonymises instead)."""

    def user_has_permission(self, user, action):
        if action in {"add", "delete"}:
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return (
            self.user_has_permission(user, action)
            and access.engagements_for(user).filter(pk=instance.pk).exists()
        )


register_permission_policy(Engagement, EngagementPermissionPolicy(Engagement))
register_permission_policy(Notification, ReadOnlyPermissionPolicy(Notification))
register_permission_policy(PrivacyLog, ReadOnlyPermissionPolicy(PrivacyLog))
register_permission_policy(Roadmap, roadmap_admin.RoadmapPermissionPolicy(Roadmap))


def pipeline_menu_item(permission: str = access.PIPELINE_VIEW_PERMISSION):
    class PipelineMenuItem(MenuItem):
        def is_shown(self, request):
            return access.can_use_pipeline(request.user) and request.user.has_perm(permission)

    return PipelineMenuItem


class TrimmedViewSetMixin:
    """A ModelViewSet serving only some of its views (`kept`); links to the others vanish."""

    kept: frozenset[str] = frozenset({"index", "index_results"})
    URL_NAME_ARGS = {
        "add": "add_url_name",
        "edit": "edit_url_name",
        "delete": "delete_url_name",
        "history": "history_url_name",
        "usage": "usage_url_name",
        "inspect": "inspect_url_name",
        "copy": "copy_url_name",
    }

    def get_common_view_kwargs(self, **kwargs):
        view_kwargs = super().get_common_view_kwargs(**kwargs)
        for name, argument in self.URL_NAME_ARGS.items():
            if name not in self.kept and argument in view_kwargs:
                view_kwargs[argument] = None
        return view_kwargs

    def get_urlpatterns(self):
        return [p for p in super().get_urlpatterns() if p.name in self.kept]


class BoardViewSet(ViewSet):
    name = "pipeline_board"
    url_prefix = "pipeline/board"
    icon = "clipboard-list"
    menu_label = _("Tableau")
    menu_item_class = pipeline_menu_item()

    def get_urlpatterns(self):
        return [
            path("", board.BoardView.as_view(), name="index"),
            path("move/", board.BoardMoveView.as_view(), name="move"),
        ]


class EngagementViewSet(ModelViewSet):
    model = Engagement
    name = "pipeline_engagements"
    url_prefix = "pipeline/engagements"
    icon = "list-ul"
    menu_label = _("Accompagnements")
    index_view_class = engagements.EngagementIndexView
    inspect_view_class = engagements.EngagementDetailView
    edit_view_class = engagements.EngagementEditView
    history_view_class = engagements.EngagementHistoryView
    usage_view_class = engagements.EngagementUsageView
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["source"]
    add_to_reference_index = False

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/email/", emails.EmailComposeView.as_view(), name="email"),
            path(
                "<int:pk>/<slug:action>/",
                engagements.EngagementActionView.as_view(),
                name="action",
            ),
        ]


class OrganisationViewSet(ModelViewSet):
    model = Organisation
    name = "pipeline_organisations"
    url_prefix = "pipeline/organisations"
    icon = "group"
    menu_label = _("Organisations")
    index_view_class = organisations.OrganisationIndexView
    inspect_view_class = organisations.OrganisationDetailView
    edit_view_class = organisations.OrganisationEditView
    delete_view_class = organisations.OrganisationDeleteView
    history_view_class = organisations.OrganisationHistoryView
    usage_view_class = organisations.OrganisationUsageView
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False

    def get_form_class(self, for_update=False):
        return OrganisationForm

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(
                "<int:pk>/merge/",
                organisations.OrganisationMergeView.as_view(),
                name="merge",
            ),
            path("<int:pk>/open/", organisations.OpenEngagementView.as_view(), name="open"),
            path(
                "<int:pk>/export.<str:fmt>",
                organisations.OrganisationExportView.as_view(),
                name="export",
            ),
            path("<int:pk>/erase/", organisations.OrganisationEraseView.as_view(), name="erase"),
        ]


class ContactViewSet(ModelViewSet):
    model = Contact
    name = "pipeline_contacts"
    url_prefix = "pipeline/contacts"
    icon = "user"
    menu_label = _("Contacts")
    index_view_class = organisations.ContactIndexView
    inspect_view_class = organisations.ContactDetailView
    add_view_class = organisations.ContactCreateView
    edit_view_class = organisations.ContactEditView
    delete_view_class = organisations.ContactDeleteView
    history_view_class = organisations.ContactHistoryView
    usage_view_class = organisations.ContactUsageView
    inspect_view_enabled = True
    copy_view_enabled = False
    add_to_reference_index = False

    def get_form_class(self, for_update=False):
        return organisations.ContactForm

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(
                "<int:pk>/export.<str:fmt>",
                organisations.ContactExportView.as_view(),
                name="export",
            ),
            path("<int:pk>/erase/", organisations.ContactEraseView.as_view(), name="erase"),
        ]


class TaskViewSet(TrimmedViewSetMixin, ModelViewSet):
    model = Task
    name = "pipeline_tasks"
    url_prefix = "pipeline/tasks"
    icon = "tasks"
    menu_label = _("Tâches")
    index_view_class = TaskIndexView
    edit_view_class = TaskEditView
    form_fields = ["title", "due_date", "assignee"]
    copy_view_enabled = False
    inspect_view_enabled = False
    add_to_reference_index = False

    kept = frozenset({"index", "index_results", "edit"})


class ReportViewSet(ViewSet):
    name = "pipeline_reports"
    url_prefix = "pipeline/reports"
    icon = "doc-full"
    menu_label = _("Rapports")
    menu_item_class = pipeline_menu_item()

    def get_urlpatterns(self):
        return [path("", reports.ReportView.as_view(), name="index")]


class ImportViewSet(ViewSet):
    name = "pipeline_import"
    url_prefix = "pipeline/import"
    icon = "upload"
    menu_label = _("Importer")
    menu_item_class = pipeline_menu_item("pipeline.add_engagement")

    def get_urlpatterns(self):
        return [path("", importing.ImportView.as_view(), name="index")]


class NotificationViewSet(TrimmedViewSetMixin, ModelViewSet):
    model = Notification
    name = "pipeline_notifications"
    url_prefix = "pipeline/notifications"
    icon = "mail"
    menu_label = _("Messages sortants")
    index_view_class = NotificationIndexView
    inspect_view_class = NotificationInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = ["subject"]
    add_to_reference_index = False
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

    kept = frozenset({"index", "index_results", "inspect"})


class TerritoryRuleViewSet(ModelViewSet):
    model = TerritoryRule
    name = "pipeline_territories"
    url_prefix = "pipeline/territories"
    icon = "site"
    menu_label = _("Attribution par territoire")
    list_display = ["territory", "consultant"]
    copy_view_enabled = False
    add_to_reference_index = False

    def get_form_class(self, for_update=False):
        return TerritoryRuleForm


class PrivacyLogViewSet(TrimmedViewSetMixin, ModelViewSet):
    model = PrivacyLog
    name = "pipeline_privacy"
    url_prefix = "pipeline/privacy"
    icon = "lock"
    menu_label = _("Registre RGPD")
    index_view_class = PrivacyLogIndexView
    form_fields = ["action"]
    copy_view_enabled = False
    add_to_reference_index = False


class RoadmapViewSet(TrimmedViewSetMixin, ModelViewSet):
    """Roadmaps: the list, the editor (inline steps), preview, PDF and the panel's actions."""

    model = Roadmap
    name = "pipeline_roadmaps"
    url_prefix = "pipeline/roadmaps"
    icon = "list-ol"
    menu_label = _("Feuilles de route")
    index_view_class = roadmap_admin.RoadmapIndexView
    edit_view_class = roadmap_admin.RoadmapEditView
    copy_view_enabled = False
    inspect_view_enabled = False
    add_to_reference_index = False

    kept = frozenset({"index", "index_results", "edit"})

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/preview/", roadmap_admin.RoadmapPreviewView.as_view(), name="preview"),
            path("<int:pk>/pdf/", roadmap_admin.RoadmapPdfView.as_view(), name="pdf"),
            path(
                "<int:pk>/<slug:action>/", roadmap_admin.RoadmapActionView.as_view(), name="action"
            ),
            path(
                "generate/<int:engagement_pk>/",
                roadmap_admin.GenerateView.as_view(),
                name="generate",
            ),
        ]


class EmailTemplateViewSet(ModelViewSet):
    """Consultants' e-mail templates, with placeholders checked on save."""

    model = EmailTemplate
    name = "pipeline_email_templates"
    url_prefix = "pipeline/email-templates"
    icon = "mail"
    menu_label = _("Modèles d'e-mail")
    list_display = ["name", "purpose", "language", "updated_at"]
    list_filter = ["purpose", "language"]
    search_fields = ["name", "subject", "body"]
    copy_view_enabled = True
    inspect_view_enabled = False
    add_to_reference_index = False

    def get_form_class(self, for_update=False):
        return emails.EmailTemplateForm


class BounceViewSet(ViewSet):
    name = "pipeline_bounces"
    url_prefix = "pipeline/bounces"
    icon = "warning"
    menu_label = _("Avis de non-distribution")
    menu_item_class = pipeline_menu_item("pipeline.change_contact")

    def get_urlpatterns(self):
        return [path("", emails.BounceUploadView.as_view(), name="index")]


class PipelineViewSetGroup(ViewSetGroup):
    menu_label = _("Pipeline")
    menu_icon = "clipboard-list"
    menu_order = 150
    items = (
        BoardViewSet(),
        EngagementViewSet(),
        RoadmapViewSet(),
        OrganisationViewSet(),
        ContactViewSet(),
        TaskViewSet(),
        ReportViewSet(),
        ImportViewSet(),
        NotificationViewSet(),
        TerritoryRuleViewSet(),
        PrivacyLogViewSet(),
        EmailTemplateViewSet(),
        BounceViewSet(),
    )


@hooks.register("register_admin_viewset")
def register_pipeline_viewsets():
    return PipelineViewSetGroup()


@hooks.register("construct_homepage_panels")
def add_pipeline_panels(request, panels):
    panels.extend(dashboard_panels(request))


@hooks.register("insert_global_admin_css")
def pipeline_admin_css():
    return format_html('<link rel="stylesheet" href="{}">', static("pipeline/admin.css"))


@hooks.register(ENGAGEMENT_PANELS_HOOK)
def roadmap_panel(request, engagement):
    """The roadmap section of the engagement page (pipeline/panels.py, slot "roadmap")."""
    return roadmap_admin.RoadmapPanel(engagement, request)
