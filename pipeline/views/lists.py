"""Smaller listings: tasks, outgoing messages, the personal-data register."""

from __future__ import annotations

import django_filters
from django.db.models import F, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views import generic

from pipeline import access
from pipeline.models import Notification, NotificationKind, NotificationStatus, PrivacyLog, Task
from pipeline.views.base import LookupSearchMixin, PipelineAccessMixin


class TaskFilterSet(WagtailFilterSet):
    mine = django_filters.BooleanFilter(
        label=gettext_lazy("Mes tâches"),
        method="filter_mine",
        widget=django_filters.widgets.BooleanWidget,
    )
    done = django_filters.BooleanFilter(
        label=gettext_lazy("Faite"), widget=django_filters.widgets.BooleanWidget
    )
    overdue = django_filters.BooleanFilter(
        label=gettext_lazy("En retard"),
        method="filter_overdue",
        widget=django_filters.widgets.BooleanWidget,
    )

    class Meta:
        model = Task
        fields = ["mine", "done", "overdue"]

    def filter_mine(self, queryset, name, value):
        if value is None:
            return queryset
        mine = Q(assignee=self.request.user)
        return queryset.filter(mine) if value else queryset.exclude(mine)

    def filter_overdue(self, queryset, name, value):
        late = Q(done=False, due_date__lt=timezone.localdate())
        if value is None:
            return queryset
        return queryset.filter(late) if value else queryset.exclude(late)


class TaskTitleColumn(TitleColumn):
    def get_link_url(self, instance, parent_context):
        return reverse("pipeline_engagements:inspect", args=[instance.engagement_id])


class TaskIndexView(LookupSearchMixin, PipelineAccessMixin, generic.IndexView):
    page_title = gettext_lazy("Tâches")
    filterset_class = TaskFilterSet
    default_ordering = "due_date"
    paginate_by = 50

    @cached_property
    def columns(self):
        return [
            TaskTitleColumn("title", label=_("Tâche"), sort_key="title"),
            Column(
                "organisation",
                label=_("Organisation"),
                accessor="engagement.organisation.name",
                sort_key="engagement__organisation__name",
            ),
            DateColumn("due_date", label=_("Échéance"), sort_key="due_date"),
            Column(
                "assignee",
                label=_("Pour"),
                accessor=lambda t: (
                    (t.assignee.get_full_name() or t.assignee.get_username()) if t.assignee else "—"
                ),
                sort_key="assignee__first_name",
            ),
            Column(
                "done",
                label=_("État"),
                accessor=lambda t: (
                    _("Faite") if t.done else (_("En retard") if t.is_overdue else _("À faire"))
                ),
                sort_key="done",
            ),
        ]

    @cached_property
    def is_searchable(self):
        return True

    def get_base_queryset(self):
        return access.tasks_for(self.request.user).select_related(
            "engagement__organisation", "assignee"
        )

    search_lookups = ("title__icontains", "engagement__organisation__name__icontains")

    def order_queryset(self, queryset):
        ordering = self.ordering or "due_date"
        field = ordering.lstrip("-")
        expression = (
            F(field).desc(nulls_last=True)
            if ordering.startswith("-")
            else F(field).asc(nulls_last=True)
        )
        return queryset.order_by("done", expression, "pk")


class TaskEditView(PipelineAccessMixin, generic.EditView):
    permission = "pipeline.change_task"

    def get_queryset(self):
        return access.tasks_for(self.request.user)

    def get_success_url(self):
        return reverse("pipeline_engagements:inspect", args=[self.object.engagement_id])


class NotificationFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("État"), choices=NotificationStatus.choices
    )
    kind = django_filters.ChoiceFilter(label=gettext_lazy("Type"), choices=NotificationKind.choices)

    class Meta:
        model = Notification
        fields = ["status", "kind"]


class StatusColumn(Column):
    cell_template_name = "pipeline/admin/cells/notification_status_cell.html"


class NotificationIndexView(LookupSearchMixin, PipelineAccessMixin, generic.IndexView):
    permission = "pipeline.view_notification"
    page_title = gettext_lazy("Messages sortants")
    filterset_class = NotificationFilterSet
    default_ordering = "-created_at"
    paginate_by = 50

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "subject",
                label=_("Objet"),
                get_url=lambda n: reverse("pipeline_notifications:inspect", args=[n.pk]),
            ),
            Column("kind", label=_("Type"), accessor="get_kind_display", sort_key="kind"),
            Column(
                "recipients", label=_("Destinataires"), accessor=lambda n: ", ".join(n.recipients)
            ),
            StatusColumn("status", label=_("État"), sort_key="status"),
            Column("attempts", label=_("Essais"), sort_key="attempts"),
            DateColumn("created_at", label=_("Créé le"), sort_key="created_at"),
            DateColumn("sent_at", label=_("Envoyé le"), sort_key="sent_at"),
        ]

    @cached_property
    def is_searchable(self):
        return True

    def get_base_queryset(self):
        return access.notifications_for(self.request.user)

    search_lookups = ("subject__icontains", "idempotency_key__icontains")


class NotificationInspectView(PipelineAccessMixin, generic.InspectView):
    permission = "pipeline.view_notification"

    def get_object(self, queryset=None):
        return get_object_or_404(access.notifications_for(self.request.user), pk=self.pk)


class PrivacyLogIndexView(PipelineAccessMixin, generic.IndexView):
    permission = "pipeline.view_privacylog"
    page_title = gettext_lazy("Registre des actions sur les données personnelles")
    default_ordering = "-performed_at"
    paginate_by = 50

    @cached_property
    def columns(self):
        return [
            Column("action", label=_("Action"), accessor="get_action_display", sort_key="action"),
            Column(
                "subject",
                label=_("Objet"),
                accessor=lambda r: f"{r.subject_type} n° {r.subject_id}",
            ),
            Column(
                "performed_by",
                label=_("Par"),
                accessor=lambda r: (
                    (r.performed_by.get_full_name() or r.performed_by.get_username())
                    if r.performed_by
                    else _("Tâche automatique")
                ),
            ),
            DateColumn("performed_at", label=_("Le"), sort_key="performed_at"),
            Column(
                "rows",
                label=_("Lignes modifiées"),
                accessor=lambda r: sum((r.details or {}).get("rows_changed", {}).values()) or "—",
            ),
        ]

    def get_base_queryset(self):
        return PrivacyLog.objects.select_related("performed_by")
