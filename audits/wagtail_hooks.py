from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.contrib.forms.views import DeleteSubmissionsView
from wagtail.models import Page
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from audits.export import DELETE_SUBMISSIONS_PERMISSION
from audits.models import Alternative, AuditPage, Host, Phase, Tool, Usage
from audits.views_admin import STATISTICS_PERMISSION, QuestionnaireStatisticsView


class ToolViewSet(SnippetViewSet):
    model = Tool
    icon = "cog"
    list_display = ["name", "vendor", "vendor_country", "cloud_act", "open_source", "la_suite"]
    list_filter = ["cloud_act", "open_source", "la_suite", "usages", "locally_edited"]
    search_fields = ["name", "vendor"]
    search_backend_name = None


class UsageViewSet(SnippetViewSet):
    model = Usage
    icon = "list-ul"
    list_display = ["label", "default_phase", "difficulty", "in_questionnaire"]


class AlternativeViewSet(SnippetViewSet):
    model = Alternative
    icon = "arrow-right"
    list_display = ["from_tool", "usage", "locally_edited"]
    list_filter = ["usage", "locally_edited"]


class HostViewSet(SnippetViewSet):
    model = Host
    icon = "site"
    list_display = ["name", "country", "secnumcloud", "kind"]


class PhaseViewSet(SnippetViewSet):
    model = Phase
    icon = "date"
    list_display = ["number", "title", "timing"]


class CatalogueViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Catalogue d'outils")
    menu_icon = "cogs"
    menu_order = 160
    items = (ToolViewSet, AlternativeViewSet, UsageViewSet, HostViewSet, PhaseViewSet)


register_snippet(CatalogueViewSetGroup)


# --- Questionnaire submissions and statistics ---------------------------------------------------

SUBMISSIONS_PERMISSION = "audits.view_auditsubmission"


@hooks.register("filter_form_submissions_for_user")
def audit_submissions_for_consultants_only(user, editable_forms):
    """Answers are personal data (design.md §5): only people allowed to view submissions see
    the questionnaire's, whether or not they may edit the page; marketing gets statistics."""
    audit_pages = Page.objects.type(AuditPage)
    if user.has_perm(SUBMISSIONS_PERMISSION):
        return (editable_forms | audit_pages).distinct()
    return editable_forms.exclude(pk__in=audit_pages.values("pk"))


class GuardedDeleteSubmissionsView(DeleteSubmissionsView):
    """Questionnaire answers feed engagements: deleting them is for those holding the delete
    permission (administrators by default), not for everyone who may read them."""

    def dispatch(self, request, *args, **kwargs):
        is_audit = Page.objects.type(AuditPage).filter(pk=kwargs.get("page_id")).exists()
        if is_audit and not request.user.has_perm(DELETE_SUBMISSIONS_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


@hooks.register("register_admin_urls", order=-1)
def guard_submission_deletion():
    # Placed before wagtail.contrib.forms' own URLs, so this view answers that address.
    return [
        path(
            "forms/submissions/<int:page_id>/delete/",
            GuardedDeleteSubmissionsView.as_view(),
            name="audits_delete_submissions",
        )
    ]


@hooks.register("register_admin_urls")
def register_statistics_url():
    return [
        path(
            "questionnaire/statistiques/",
            QuestionnaireStatisticsView.as_view(),
            name="audits_statistics",
        )
    ]


class StatisticsMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(STATISTICS_PERMISSION)


@hooks.register("register_admin_menu_item")
def register_statistics_menu_item():
    return StatisticsMenuItem(
        _("Statistiques du questionnaire"),
        reverse("audits_statistics"),
        name="questionnaire-statistics",
        icon_name="form",
        order=710,
    )


class SubmissionsMenuItem(MenuItem):
    """Straight to the answers: consultants may read them without any page permission, so
    Wagtail's "Forms" index (pages one may edit) is not theirs."""

    def is_shown(self, request):
        return request.user.has_perm(SUBMISSIONS_PERMISSION) and AuditPage.objects.exists()

    def render_component(self, request):
        page = AuditPage.objects.order_by("pk").first()
        self.url = reverse("wagtailforms:list_submissions", args=[page.pk]) if page else "#"
        return super().render_component(request)


@hooks.register("register_admin_menu_item")
def register_submissions_menu_item():
    return SubmissionsMenuItem(
        _("Réponses au questionnaire"),
        "#",
        name="questionnaire-submissions",
        icon_name="list-ul",
        order=705,
    )


@hooks.register("construct_main_menu")
def hide_forms_index_from_non_editors(request, menu_items):
    from wagtail.permission_policies.pages import PagePermissionPolicy

    editors_actions = ["add", "change", "publish", "bulk_delete", "lock", "unlock"]
    if not PagePermissionPolicy().user_has_any_permission(request.user, editors_actions):
        menu_items[:] = [item for item in menu_items if item.name != "forms"]
