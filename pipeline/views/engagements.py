"""Engagement list (search, filters, sortable columns, CSV/XLSX) and the engagement page."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic

from pipeline import access, answers, services
from pipeline.filters import EngagementFilterSet
from pipeline.models import (
    Contact,
    EngagementEmail,
    EngagementEmailStatus,
    Notification,
    NotificationStatus,
    Task,
)
from pipeline.panels import engagement_panels
from pipeline.services.base import CONSULTANTS_GROUP
from pipeline.spreadsheets import FormulaSafeExportMixin
from pipeline.stages import OPEN_STAGES, PIPELINE_ORDER, LostReason, Stage
from pipeline.timeline import build_timeline
from pipeline.views.base import PipelineAccessMixin, form_errors, next_url, run_service
from pipeline.views.board import move_choices

# --- List -----------------------------------------------------------------------------------


class StageColumn(Column):
    cell_template_name = "pipeline/admin/cells/stage_cell.html"


class ScoreColumn(Column):
    cell_template_name = "pipeline/admin/cells/score_cell.html"


class NextActionColumn(Column):
    cell_template_name = "pipeline/admin/cells/next_action_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["overdue"] = bool(
            instance.next_action_due
            and instance.next_action_due < timezone.localdate()
            and instance.stage in OPEN_STAGES
        )
        return context


class DaysInStageColumn(Column):
    def get_value(self, instance):
        days = max((timezone.now() - instance.stage_changed_at).days, 0)
        return _("%(days)s j") % {"days": days}


class OwnerColumn(Column):
    def get_value(self, instance):
        owner = instance.owner
        if owner is None:
            return _("Non attribué")
        return owner.get_full_name() or owner.get_username()


class EngagementIndexView(FormulaSafeExportMixin, PipelineAccessMixin, generic.IndexView):
    filterset_class = EngagementFilterSet
    default_ordering = "-created_at"
    page_title = gettext_lazy("Accompagnements")
    paginate_by = 50
    export_filename = "accompagnements"
    list_export = [
        "organisation.name",
        "get_stage_display",
        "owner_name",
        "organisation.get_kind_display",
        "organisation.territory",
        "organisation.postcode",
        "score",
        "days_in_stage",
        "next_action",
        "next_action_due",
        "main_contact_name",
        "main_contact_email",
        "get_lost_reason_display",
        "source",
        "created_at",
    ]
    export_headings = {
        "organisation.name": gettext_lazy("Organisation"),
        "get_stage_display": gettext_lazy("Étape"),
        "owner_name": gettext_lazy("Consultant·e"),
        "organisation.get_kind_display": gettext_lazy("Type de structure"),
        "organisation.territory": gettext_lazy("Territoire"),
        "organisation.postcode": gettext_lazy("Code postal"),
        "score": gettext_lazy("Score"),
        "days_in_stage": gettext_lazy("Jours dans l'étape"),
        "next_action": gettext_lazy("Prochaine action"),
        "next_action_due": gettext_lazy("Échéance"),
        "main_contact_name": gettext_lazy("Contact"),
        "main_contact_email": gettext_lazy("E-mail du contact"),
        "get_lost_reason_display": gettext_lazy("Raison de la perte"),
        "source": gettext_lazy("Source"),
        "created_at": gettext_lazy("Créé le"),
    }

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "organisation",
                width="22%",
                label=_("Organisation"),
                accessor="organisation.name",
                sort_key="organisation__name",
                get_url=lambda e: reverse("pipeline_engagements:inspect", args=[e.pk]),
            ),
            StageColumn("stage", label=_("Étape"), sort_key="stage"),
            OwnerColumn("owner", label=_("Suivi par"), sort_key="owner__first_name"),
            Column(
                "kind",
                label=_("Type · territoire"),
                accessor=lambda e: " · ".join(
                    part
                    for part in (e.organisation.get_kind_display(), e.organisation.territory)
                    if part
                ),
                sort_key="organisation__kind",
            ),
            ScoreColumn("score", label=_("Score"), sort_key="score"),
            DaysInStageColumn(
                "stage_changed_at", label=_("Dans l'étape"), sort_key="stage_changed_at"
            ),
            NextActionColumn(
                "next_action", label=_("Prochaine action"), sort_key="next_action_due"
            ),
            Column(
                "created_at",
                label=_("Créé le"),
                accessor=lambda e: date_format(timezone.localtime(e.created_at), "j b Y"),
                sort_key="created_at",
            ),
        ]

    def get_base_queryset(self):
        return access.engagements_for(self.request.user).select_related("organisation", "owner")

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        query = self.search_query
        contacts = Contact.objects.filter(organisation=OuterRef("organisation")).filter(
            Q(name__icontains=query) | Q(email__icontains=query)
        )
        return queryset.filter(
            Q(organisation__name__icontains=query)
            | Q(organisation__domain__icontains=query)
            | Q(organisation__postcode__startswith=query)
            | Q(next_action__icontains=query)
            | Exists(contacts)
        )

    @cached_property
    def is_searchable(self):
        return True

    def order_queryset(self, queryset):
        queryset = super().order_queryset(queryset)
        ordering = self.ordering or "-created_at"
        return queryset.order_by(ordering, "-pk")

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.is_export:
            # The organisation's first contact (as its page lists them), read in the same
            # query: a prefetch per chunk costs more than the rows themselves.
            first_contact = Contact.objects.filter(organisation=OuterRef("organisation_id"))
            first_contact = first_contact.order_by(*Contact._meta.ordering, "pk")
            queryset = queryset.annotate(
                main_contact_name=Subquery(first_contact.values("name")[:1]),
                main_contact_email=Subquery(first_contact.values("email")[:1]),
            )
        return queryset

    def to_row_dict(self, item):
        item.owner_name = (
            (item.owner.get_full_name() or item.owner.get_username()) if item.owner else ""
        )
        item.days_in_stage = max((self.export_now - item.stage_changed_at).days, 0)
        item.main_contact_name = item.main_contact_name or ""
        item.main_contact_email = item.main_contact_email or ""
        return super().to_row_dict(item)

    @cached_property
    def export_now(self):
        return timezone.now()

    def get_filename(self):
        return f"accompagnements-{timezone.localdate():%Y-%m-%d}"


# --- The engagement page -------------------------------------------------------------------------


def consultants():
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=CONSULTANTS_GROUP)
        .order_by("first_name", "last_name", "username")
    )


class ConsultantChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class AssignForm(forms.Form):
    owner = ConsultantChoiceField(
        label=gettext_lazy("Suivi par"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=gettext_lazy("Personne"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = consultants()


class MoveStageForm(forms.Form):
    to_stage = forms.ChoiceField(label=gettext_lazy("Nouvelle étape"), choices=Stage.choices)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)


class LostForm(forms.Form):
    reason = forms.ChoiceField(label=gettext_lazy("Raison"), choices=LostReason.choices)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000)


class NoteForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10000
    )


class NextActionForm(forms.Form):
    next_action = forms.CharField(
        label=gettext_lazy("Prochaine action"), required=False, max_length=200
    )
    next_action_due = forms.DateField(
        label=gettext_lazy("Échéance"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class TaskForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Tâche"), max_length=200)
    due_date = forms.DateField(
        label=gettext_lazy("Échéance"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    assignee = ConsultantChoiceField(
        label=gettext_lazy("Pour"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=gettext_lazy("Moi"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = consultants()


class TaskIdForm(forms.Form):
    task = forms.IntegerField()


class NotificationIdForm(forms.Form):
    notification = forms.IntegerField(min_value=1, max_value=2**53)


class ContactIdForm(forms.Form):
    contact = forms.IntegerField(min_value=1, max_value=2**53)


class EngagementDetailView(PipelineAccessMixin, generic.InspectView):
    """The engagement page: everything about one journey, and what to do next."""

    template_name = "pipeline/admin/engagement_detail.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            access.engagements_for(self.request.user).select_related("organisation", "owner"),
            pk=self.pk,
        )

    def get_page_title(self):
        return self.object.organisation.name

    def get_page_subtitle(self):
        return ""

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("pipeline_engagements:index"), "label": _("Accompagnements")},
            {"url": "", "label": self.object.organisation.name},
        ]

    @cached_property
    def header_more_buttons(self):
        from wagtail.admin.widgets.button import Button

        buttons = []
        if self.request.user.has_perm("pipeline.change_engagement"):
            buttons.append(
                Button(
                    _("Modifier la source"),
                    url=reverse("pipeline_engagements:edit", args=[self.object.pk]),
                    icon_name="edit",
                    priority=10,
                )
            )
        buttons.append(
            Button(
                _("Fiche de l'organisation"),
                url=reverse("pipeline_organisations:inspect", args=[self.object.organisation_id]),
                icon_name="group",
                priority=20,
            )
        )
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        engagement = self.object
        user = self.request.user
        today = timezone.localdate()
        tasks = list(engagement.tasks.select_related("assignee"))
        contacts = list(engagement.organisation.contacts.all())
        messages_sent = list(
            Notification.objects.filter(engagement=engagement).order_by("-created_at", "-pk")[:30]
        )
        dead_messages = list(
            Notification.objects.filter(
                engagement=engagement, status=NotificationStatus.DEAD, dismissed_at__isnull=True
            ).order_by("-created_at", "-pk")[:10]
        )
        email_drafts = list(
            EngagementEmail.objects.filter(
                engagement=engagement, status=EngagementEmailStatus.DRAFT
            ).order_by("-updated_at", "-pk")[:10]
        )
        panels = engagement_panels(self.request, engagement)
        reached = {c for c in engagement.stage_changes.values_list("to_stage", flat=True)}
        stepper = []
        current = engagement.lost_from_stage if engagement.stage == Stage.LOST else engagement.stage
        current_index = PIPELINE_ORDER.index(Stage(current)) if current else 0
        for index, stage in enumerate(s for s in PIPELINE_ORDER if s != Stage.LOST):
            state = "current" if stage == current else ("done" if index < current_index else "")
            stepper.append({"label": stage.label, "state": state, "visited": stage in reached})
        other_open = (
            engagement.organisation.engagements.open().exclude(pk=engagement.pk).order_by("pk")
        )
        context.update(
            engagement=engagement,
            organisation=engagement.organisation,
            contacts=contacts,
            tasks=tasks,
            open_tasks=[t for t in tasks if not t.done],
            messages_sent=messages_sent,
            dead_messages=dead_messages,
            email_drafts=email_drafts,
            compose_url=reverse("pipeline_engagements:email", args=[engagement.pk]),
            timeline=build_timeline(engagement),
            answer_rows=answers.answer_rows(engagement.answers),
            identity_rows=answers.answer_rows(engagement.answers, identity=True),
            score=answers.score_view(engagement.score, engagement.score_details),
            stepper=stepper,
            stage_moves=[
                move
                for group in move_choices(engagement)
                for move in group.moves
                if move.value != "reopen" and not move.value.startswith("lost:")
            ],
            can_change=user.has_perm("pipeline.change_engagement"),
            can_add_task=user.has_perm("pipeline.add_task"),
            can_privacy=user.has_perm("pipeline.export_personal_data"),
            days_in_stage=max((timezone.now() - engagement.stage_changed_at).days, 0),
            overdue=bool(
                engagement.next_action_due
                and engagement.next_action_due < today
                and engagement.is_open
            ),
            today=today,
            assign_form=AssignForm(initial={"owner": engagement.owner_id}),
            next_action_form=NextActionForm(
                initial={
                    "next_action": engagement.next_action,
                    "next_action_due": engagement.next_action_due,
                }
            ),
            task_form=TaskForm(),
            note_form=NoteForm(),
            lost_reasons=LostReason.choices,
            meeting_panels=panels.get("meetings", []),
            roadmap_panels=panels.get("roadmap", []),
            main_panels=panels.get("main", []),
            sidebar_panels=panels.get("sidebar", []),
            other_open=list(other_open),
            page_url=self.request.get_full_path(),
        )
        return context


class EngagementActionView(PipelineAccessMixin, View):
    """POST endpoints of the engagement page; each calls one service and comes back."""

    http_method_names = ["post"]
    permission = "pipeline.change_engagement"
    ACTIONS = {
        "move",
        "lost",
        "reopen",
        "assign",
        "note",
        "next-action",
        "add-task",
        "complete-task",
        "reopen-task",
        "retry-message",
        "dismiss-message",
        "clear-bounce",
    }

    def post(self, request, pk, action):
        if action not in self.ACTIONS:
            raise Http404
        engagement = get_object_or_404(
            access.engagements_for(request.user).select_related("organisation"), pk=pk
        )
        getattr(self, "do_" + action.replace("-", "_"))(request, engagement)
        page = reverse("pipeline_engagements:inspect", args=[engagement.pk])
        return redirect(next_url(request, page))

    def _form(self, request, form_class):
        form = form_class(request.POST)
        if form.is_valid():
            return form
        from wagtail.admin import messages

        messages.error(request, form_errors(form))
        return None

    def do_move(self, request, engagement):
        if form := self._form(request, MoveStageForm):
            run_service(
                request,
                lambda: services.move_stage(
                    engagement,
                    form.cleaned_data["to_stage"],
                    user=request.user,
                    note=form.cleaned_data["note"],
                ),
                _("Étape « %(stage)s » enregistrée.")
                % {"stage": Stage(form.cleaned_data["to_stage"]).label},
            )

    def do_lost(self, request, engagement):
        if form := self._form(request, LostForm):
            run_service(
                request,
                lambda: services.mark_lost(
                    engagement,
                    form.cleaned_data["reason"],
                    user=request.user,
                    note=form.cleaned_data["note"],
                ),
                _("Accompagnement marqué comme perdu."),
            )

    def do_reopen(self, request, engagement):
        run_service(
            request,
            lambda: services.reopen(engagement, user=request.user),
            _("Accompagnement rouvert."),
        )

    def do_assign(self, request, engagement):
        if form := self._form(request, AssignForm):
            owner = form.cleaned_data["owner"]
            name = (owner.get_full_name() or owner.get_username()) if owner else _("personne")
            run_service(
                request,
                lambda: services.assign(engagement, owner, user=request.user),
                _("Accompagnement attribué à %(name)s.") % {"name": name},
            )

    def do_note(self, request, engagement):
        if form := self._form(request, NoteForm):
            run_service(
                request,
                lambda: services.add_note(engagement, form.cleaned_data["text"], user=request.user),
                _("Note ajoutée."),
            )

    def do_next_action(self, request, engagement):
        if form := self._form(request, NextActionForm):
            run_service(
                request,
                lambda: services.set_next_action(
                    engagement,
                    form.cleaned_data["next_action"],
                    form.cleaned_data["next_action_due"],
                    user=request.user,
                ),
                _("Prochaine action enregistrée."),
            )

    def do_add_task(self, request, engagement):
        if form := self._form(request, TaskForm):
            run_service(
                request,
                lambda: services.add_task(
                    engagement,
                    form.cleaned_data["title"],
                    user=request.user,
                    due_date=form.cleaned_data["due_date"],
                    assignee=form.cleaned_data["assignee"] or request.user,
                ),
                _("Tâche ajoutée."),
            )

    def _task(self, request, engagement) -> Task | None:
        if form := self._form(request, TaskIdForm):
            return get_object_or_404(Task, pk=form.cleaned_data["task"], engagement=engagement)
        return None

    def do_complete_task(self, request, engagement):
        if task := self._task(request, engagement):
            run_service(
                request,
                lambda: services.complete_task(task, user=request.user),
                _("Tâche « %(title)s » faite.") % {"title": task.title},
            )

    def _notification(self, request, engagement) -> Notification | None:
        if form := self._form(request, NotificationIdForm):
            return get_object_or_404(
                Notification, pk=form.cleaned_data["notification"], engagement=engagement
            )
        return None

    def do_retry_message(self, request, engagement):
        if notification := self._notification(request, engagement):
            run_service(
                request,
                lambda: services.retry_notification(notification, user=request.user),
                _("« %(subject)s » repart dans la file d'envoi.")
                % {"subject": notification.subject},
            )

    def do_dismiss_message(self, request, engagement):
        if notification := self._notification(request, engagement):
            run_service(
                request,
                lambda: services.dismiss_notification(notification, user=request.user),
                _("Alerte classée."),
            )

    def do_clear_bounce(self, request, engagement):
        if form := self._form(request, ContactIdForm):
            contact = get_object_or_404(
                Contact, pk=form.cleaned_data["contact"], organisation=engagement.organisation
            )
            run_service(
                request,
                lambda: services.clear_bounce(contact, user=request.user),
                _("L'adresse de %(name)s est de nouveau utilisée pour les e-mails.")
                % {"name": contact.name},
            )

    def do_reopen_task(self, request, engagement):
        if task := self._task(request, engagement):
            run_service(
                request,
                lambda: services.reopen_task(task, user=request.user),
                _("Tâche « %(title)s » rouverte.") % {"title": task.title},
            )


# --- Scoped generic views: nobody reaches an engagement they may not see -------------------------


class EngagementEditView(PipelineAccessMixin, generic.EditView):
    permission = "pipeline.change_engagement"

    def get_queryset(self):
        return access.engagements_for(self.request.user)

    def get_success_url(self):
        return reverse("pipeline_engagements:inspect", args=[self.object.pk])


class EngagementHistoryView(PipelineAccessMixin, generic.HistoryView):
    def get_base_object_queryset(self):
        return access.engagements_for(self.request.user)


class EngagementUsageView(PipelineAccessMixin, generic.UsageView):
    def get_base_object_queryset(self):
        return access.engagements_for(self.request.user)
