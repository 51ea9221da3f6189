"""Roadmaps in the Wagtail admin: list, edit (inline steps, reorder, free steps), preview as
the organisation sees it, PDF, and the actions of the engagement page's roadmap panel.

Consultants only (the `pipeline.*_roadmap` permissions of their group); with
PIPELINE_CONSULTANTS_SEE_OWN_ONLY they reach only the roadmaps of their own engagements.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.widgets.button import Button
from wagtail.permission_policies import ModelPermissionPolicy

from pipeline import access, services
from pipeline.models import Engagement, Roadmap, RoadmapItem, RoadmapItemStatus
from pipeline.panels import EngagementPanel
from pipeline.roadmap import views as public_views
from pipeline.stages import Stage
from pipeline.views.base import PipelineAccessMixin, run_service


def roadmaps_for(user):
    return Roadmap.objects.visible_to(user).select_related(
        "engagement__organisation", "engagement__owner"
    )


def engagement_url(roadmap_or_engagement) -> str:
    pk = getattr(roadmap_or_engagement, "engagement_id", None) or roadmap_or_engagement.pk
    return reverse("pipeline_engagements:inspect", args=[pk])


class RoadmapPermissionPolicy(ModelPermissionPolicy):
    """A roadmap is drafted from its engagement (never from a blank form) and never deleted."""

    def user_has_permission(self, user, action):
        if action in {"add", "delete"}:
            return False
        return super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return (
            self.user_has_permission(user, action)
            and Roadmap.objects.visible_to(user).filter(pk=instance.pk).exists()
        )


# --- List ------------------------------------------------------------------------------------


class ProgressColumn(Column):
    def get_value(self, instance):
        counted = instance.total_items - instance.skipped_items
        if not counted:
            return "—"
        percent = round(100 * instance.done_items / counted)
        return _("%(percent)s %% (%(done)s/%(counted)s)") % {
            "percent": percent,
            "done": instance.done_items,
            "counted": counted,
        }


class RoadmapIndexView(PipelineAccessMixin, generic.IndexView):
    permission = "pipeline.view_roadmap"
    page_title = gettext_lazy("Feuilles de route")
    default_ordering = "-updated_at"
    paginate_by = 50

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "organisation",
                label=_("Organisation"),
                accessor="engagement.organisation.name",
                sort_key="engagement__organisation__name",
                get_url=lambda r: engagement_url(r),
            ),
            Column(
                "stage",
                label=_("Étape"),
                accessor="engagement.get_stage_display",
                sort_key="engagement__stage",
            ),
            Column(
                "version",
                label=_("Version"),
                accessor=lambda r: r.version or _("brouillon"),
                sort_key="version",
            ),
            ProgressColumn("progress", label=_("Avancement")),
            Column(
                "updated_at",
                label=_("Modifiée le"),
                accessor=lambda r: date_format(timezone.localtime(r.updated_at), "j b Y"),
                sort_key="updated_at",
            ),
        ]

    def get_base_queryset(self):
        return roadmaps_for(self.request.user).annotate(
            total_items=Count("items"),
            done_items=Count("items", filter=Q(items__status=RoadmapItemStatus.DONE)),
            skipped_items=Count("items", filter=Q(items__status=RoadmapItemStatus.SKIPPED)),
        )


# --- Edit ------------------------------------------------------------------------------------


class RoadmapEditView(PipelineAccessMixin, generic.EditView):
    permission = "pipeline.change_roadmap"

    def get_queryset(self):
        return roadmaps_for(self.request.user)

    def get_page_title(self):
        return _("Feuille de route")

    def get_page_subtitle(self):
        return self.object.engagement.organisation.name

    def get_success_url(self):
        return engagement_url(self.object)

    def get_success_message(self):
        return _("Feuille de route enregistrée.")

    @cached_property
    def header_more_buttons(self):
        return [
            Button(
                _("Aperçu"),
                url=reverse("pipeline_roadmaps:preview", args=[self.object.pk]),
                icon_name="view",
                priority=10,
            ),
            Button(
                _("PDF"),
                url=reverse("pipeline_roadmaps:pdf", args=[self.object.pk]),
                icon_name="doc-full",
                priority=20,
            ),
            Button(
                _("Accompagnement"),
                url=engagement_url(self.object),
                icon_name="clipboard-list",
                priority=30,
            ),
        ]

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("pipeline_roadmaps:index"), "label": _("Feuilles de route")},
            {"url": engagement_url(self.object), "label": self.object.engagement.organisation.name},
            {"url": "", "label": _("Modifier")},
        ]

    def save_instance(self):
        return services.save_roadmap_form(self.form, user=self.request.user)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except (services.RoadmapError, PermissionDenied) as exc:
            messages.error(self.request, str(exc))
            self.produced_error_message = None
            return self.form_invalid(form)


# --- Preview and PDF ---------------------------------------------------------------------------


class RoadmapObjectMixin(PipelineAccessMixin):
    permission = "pipeline.view_roadmap"

    def get_roadmap(self, pk) -> Roadmap:
        return get_object_or_404(roadmaps_for(self.request.user), pk=pk)


class RoadmapPreviewView(RoadmapObjectMixin, View):
    """The page exactly as the organisation sees it, its forms switched off."""

    def get(self, request, pk):
        roadmap = self.get_roadmap(pk)
        context = public_views.page_context(
            roadmap,
            preview=True,
            back_url=engagement_url(roadmap),
            pdf_url=reverse("pipeline_roadmaps:pdf", args=[roadmap.pk]),
        )
        return public_views.private(render(request, "pipeline/roadmap/page.html", context))


class RoadmapPdfView(RoadmapObjectMixin, View):
    def get(self, request, pk):
        from pipeline.roadmap import display

        return public_views.pdf_response(display.build(self.get_roadmap(pk)))


# --- Actions of the engagement page ------------------------------------------------------------


class ItemStatusForm(forms.Form):
    item = forms.IntegerField()
    status = forms.ChoiceField(choices=RoadmapItemStatus.choices)


class GenerateView(PipelineAccessMixin, View):
    http_method_names = ["post"]
    permission = "pipeline.add_roadmap"

    def post(self, request, engagement_pk):
        engagement = get_object_or_404(access.engagements_for(request.user), pk=engagement_pk)
        replace = request.POST.get("replace") == "1"
        ok, roadmap = run_service(
            request,
            lambda: services.generate_roadmap_draft(engagement, user=request.user, replace=replace),
            _("Brouillon de feuille de route prêt : relisez-le, puis publiez-le."),
        )
        if ok:
            return redirect("pipeline_roadmaps:edit", roadmap.pk)
        return redirect(engagement_url(engagement))


class RoadmapActionView(RoadmapObjectMixin, View):
    """POST endpoints of the roadmap panel; each calls one service and comes back."""

    http_method_names = ["post"]
    permission = "pipeline.change_roadmap"
    ACTIONS = {"publish", "relink", "complete", "item-status"}

    def post(self, request, pk, action):
        if action not in self.ACTIONS:
            raise Http404
        roadmap = self.get_roadmap(pk)
        getattr(self, "do_" + action.replace("-", "_"))(request, roadmap)
        return redirect(engagement_url(roadmap) + "#roadmap-title")

    def do_publish(self, request, roadmap):
        run_service(
            request,
            lambda: services.publish_roadmap(roadmap, user=request.user),
            lambda result: (
                _("Version %(version)s publiée : lien envoyé à %(count)s contact(s).")
                % {"version": result.roadmap.version, "count": result.sent}
            ),
        )

    def do_relink(self, request, roadmap):
        run_service(
            request,
            lambda: services.regenerate_roadmap_link(roadmap, user=request.user),
            lambda result: (
                _("Ancien lien désactivé ; nouveau lien envoyé à %(count)s contact(s).")
                % {"count": result.sent}
            ),
        )

    def do_complete(self, request, roadmap):
        run_service(
            request,
            lambda: services.complete_roadmap(roadmap, user=request.user),
            _("Accompagnement terminé. Bravo !"),
        )

    def do_item_status(self, request, roadmap):
        form = ItemStatusForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choisissez une étape et un état."))
            return
        item = get_object_or_404(RoadmapItem, pk=form.cleaned_data["item"], roadmap=roadmap)
        status = RoadmapItemStatus(form.cleaned_data["status"])
        run_service(
            request,
            lambda: services.set_roadmap_item_status(item, status, user=request.user),
            _("« %(title)s » : %(status)s.") % {"title": item.title, "status": status.label},
        )


# --- The roadmap panel of the engagement page ---------------------------------------------------


class RoadmapPanel(EngagementPanel):
    slot = "roadmap"
    heading = gettext_lazy("Feuille de route")
    order = 10
    template_name = "pipeline/roadmap/admin/panel.html"

    def get_context_data(self, parent_context=None):
        from pipeline.models import RoadmapComment
        from pipeline.services import roadmaps

        context = super().get_context_data(parent_context)
        engagement: Engagement = self.engagement
        user = self.request.user
        roadmap = Roadmap.objects.filter(engagement=engagement).first()
        items = []
        comments = []
        if roadmap is not None:
            items = list(
                roadmap.items.select_related("current_tool", "target_tool").order_by(
                    "phase", "sort_order", "pk"
                )
            )
            comments = list(
                RoadmapComment.objects.filter(item__roadmap=roadmap)
                .select_related("item")
                .order_by("-created_at", "-pk")[:3]
            )
        state = roadmaps.progress(items)
        context.update(
            roadmap=roadmap,
            items=items,
            comments=comments,
            progress=state,
            can_add=user.has_perm("pipeline.add_roadmap"),
            can_change=user.has_perm("pipeline.change_roadmap"),
            can_draft=engagement.stage in roadmaps.DRAFTABLE_STAGES,
            can_publish=engagement.stage in roadmaps.PUBLISHABLE_STAGES,
            can_complete=state.all_closed and engagement.stage in roadmaps.FOLLOWED_STAGES,
            before_meeting=engagement.stage
            in (Stage.NEW, Stage.QUALIFIED, Stage.MEETING_SCHEDULED),
            statuses=RoadmapItemStatus.choices,
            month_label=roadmaps.month_label,
        )
        return context
