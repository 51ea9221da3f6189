"""Organisations and contacts: their pages, merging duplicates, personal data (export, erasure)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import Button

from pipeline import access, services
from pipeline.models import Contact, Organisation
from pipeline.services import gdpr
from pipeline.services.merge import duplicate_candidates
from pipeline.spreadsheets import FormulaSafeExportMixin
from pipeline.views.base import LookupSearchMixin, PipelineAccessMixin, run_service

# --- Organisations -------------------------------------------------------------------------------


class OrganisationIndexView(
    LookupSearchMixin, FormulaSafeExportMixin, PipelineAccessMixin, generic.IndexView
):
    page_title = gettext_lazy("Organisations")
    default_ordering = "name"
    paginate_by = 50
    export_filename = "organisations"
    list_export = [
        "name",
        "get_kind_display",
        "headcount",
        "siren",
        "domain",
        "postcode",
        "territory",
        "website",
        "engagement_count",
        "created_at",
    ]
    export_headings = {
        "name": gettext_lazy("Nom"),
        "get_kind_display": gettext_lazy("Type de structure"),
        "headcount": gettext_lazy("Effectif"),
        "siren": gettext_lazy("SIREN"),
        "domain": gettext_lazy("Domaine"),
        "postcode": gettext_lazy("Code postal"),
        "territory": gettext_lazy("Territoire"),
        "website": gettext_lazy("Site internet"),
        "engagement_count": gettext_lazy("Accompagnements"),
        "created_at": gettext_lazy("Créée le"),
    }

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "name",
                label=_("Nom"),
                sort_key="name",
                get_url=lambda o: reverse("pipeline_organisations:inspect", args=[o.pk]),
            ),
            Column("kind", label=_("Type"), accessor="get_kind_display", sort_key="kind"),
            Column("territory", label=_("Territoire"), sort_key="territory"),
            Column("domain", label=_("Domaine"), sort_key="domain"),
            Column(
                "engagement_count",
                label=_("Accompagnements"),
                sort_key="engagement_count",
            ),
            Column("created_at", label=_("Créée le"), sort_key="created_at"),
        ]

    @cached_property
    def is_searchable(self):
        return True

    def get_base_queryset(self):
        return (
            access.organisations_for(self.request.user)
            .filter(merged_into__isnull=True)
            .annotate(engagement_count=Count("engagements"))
        )

    search_lookups = (
        "name__icontains", "domain__icontains", "siren__startswith", "postcode__startswith",
    )  # fmt: skip

    def order_queryset(self, queryset):
        return super().order_queryset(queryset).order_by(self.ordering or "name", "pk")


class OrganisationDetailView(PipelineAccessMixin, generic.InspectView):
    template_name = "pipeline/admin/organisation_detail.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            access.organisations_for(self.request.user).select_related("merged_into"),
            pk=self.pk,
        )

    def get_page_title(self):
        return self.object.name

    def get_page_subtitle(self):
        return ""

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("pipeline_organisations:index"), "label": _("Organisations")},
            {"url": "", "label": self.object.name},
        ]

    @cached_property
    def header_more_buttons(self):
        buttons = []
        if self.request.user.has_perm("pipeline.change_organisation"):
            buttons.append(
                Button(
                    _("Modifier"),
                    url=reverse("pipeline_organisations:edit", args=[self.object.pk]),
                    icon_name="edit",
                    priority=10,
                )
            )
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = self.object
        user = self.request.user
        context.update(
            organisation=organisation,
            engagements=list(
                access.engagements_for(user)
                .filter(organisation=organisation)
                .select_related("owner")
                .order_by("-created_at")
            ),
            contacts=list(organisation.contacts.all()),
            merged_from=list(organisation.merged_from.all()),
            candidates=duplicate_candidates(organisation, access.organisations_for(user))[:10],
            can_merge=user.has_perm("pipeline.change_organisation"),
            can_open=user.has_perm("pipeline.add_engagement")
            and not organisation.merged_into_id
            and not organisation.engagements.open().exists(),
            can_export=user.has_perm("pipeline.export_personal_data"),
            can_erase=user.has_perm("pipeline.erase_personal_data"),
        )
        return context


class OrganisationEditView(PipelineAccessMixin, generic.EditView):
    permission = "pipeline.change_organisation"

    def get_queryset(self):
        return access.organisations_for(self.request.user)

    def get_success_url(self):
        return reverse("pipeline_organisations:inspect", args=[self.object.pk])


class OrganisationHistoryView(PipelineAccessMixin, generic.HistoryView):
    def get_base_object_queryset(self):
        return access.organisations_for(self.request.user)


class OrganisationUsageView(PipelineAccessMixin, generic.UsageView):
    def get_base_object_queryset(self):
        return access.organisations_for(self.request.user)


class OrganisationDeleteView(PipelineAccessMixin, generic.DeleteView):
    permission = "pipeline.delete_organisation"

    def get_queryset(self):
        return access.organisations_for(self.request.user)


class MergeForm(forms.Form):
    duplicate = forms.IntegerField()


class OrganisationMergeView(PipelineAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    """Pick the duplicate (suggested, or found by searching) and merge it into this one."""

    permission = "pipeline.change_organisation"
    template_name = "pipeline/admin/organisation_merge.html"
    header_icon = "link"

    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def organisation(self):
        return get_object_or_404(
            access.organisations_for(self.request.user).filter(merged_into__isnull=True),
            pk=self.kwargs["pk"],
        )

    def get_page_title(self):
        return _("Fusionner un doublon dans « %(name)s »") % {"name": self.organisation.name}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("pipeline_organisations:index"), "label": _("Organisations")},
            {
                "url": reverse("pipeline_organisations:inspect", args=[self.organisation.pk]),
                "label": self.organisation.name,
            },
            {"url": "", "label": _("Fusionner")},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()[:100]
        visible = access.organisations_for(self.request.user).filter(merged_into__isnull=True)
        results = []
        if query:
            results = list(
                visible.exclude(pk=self.organisation.pk)
                .filter(Q(name__icontains=query) | Q(domain__icontains=query) | Q(siren=query))
                .annotate(engagement_count=Count("engagements"))
                .order_by("name")[:25]
            )
        context.update(
            organisation=self.organisation,
            query=query,
            candidates=duplicate_candidates(self.organisation, visible),
            results=results,
        )
        return context

    def post(self, request, pk):
        form = MergeForm(request.POST)
        if not form.is_valid():
            from wagtail.admin import messages

            messages.error(request, _("Choisissez l'organisation à fusionner."))
            return redirect("pipeline_organisations:merge", pk=pk)
        duplicate = get_object_or_404(
            access.organisations_for(request.user), pk=form.cleaned_data["duplicate"]
        )
        ok, result = run_service(
            request,
            lambda: services.merge_organisations(self.organisation, duplicate, user=request.user),
            lambda r: (
                _(
                    "« %(duplicate)s » a été fusionnée dans « %(target)s » : "
                    "%(contacts)s contact(s) et %(engagements)s accompagnement(s) déplacés."
                )
                % {
                    "duplicate": r.duplicate.name,
                    "target": r.target.name,
                    "contacts": r.moved_contacts + r.merged_contacts,
                    "engagements": r.moved_engagements,
                }
            ),
        )
        if ok and result.open_engagements > 1:
            from wagtail.admin import messages

            messages.warning(
                request,
                _(
                    "L'organisation a maintenant %(count)s accompagnements en cours : marquez les "
                    "doublons comme perdus (raison « Doublon »)."
                )
                % {"count": result.open_engagements},
            )
        if ok:
            return redirect("pipeline_organisations:inspect", pk=self.organisation.pk)
        return redirect("pipeline_organisations:merge", pk=pk)


class OpenEngagementView(PipelineAccessMixin, View):
    permission = "pipeline.add_engagement"
    http_method_names = ["post"]

    def post(self, request, pk):
        organisation = get_object_or_404(access.organisations_for(request.user), pk=pk)
        ok, engagement = run_service(
            request,
            lambda: services.open_engagement(organisation, user=request.user),
            _("Nouvel accompagnement ouvert."),
        )
        if ok:
            return redirect("pipeline_engagements:inspect", pk=engagement.pk)
        return redirect("pipeline_organisations:inspect", pk=pk)


# --- Personal data -------------------------------------------------------------------------------


def download(data: dict, fmt: str, name: str) -> HttpResponse:
    stamp = timezone.localdate().strftime("%Y-%m-%d")
    if fmt == "csv":
        response = HttpResponse(
            "\ufeff" + gdpr.as_csv(data), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    else:
        response = HttpResponse(gdpr.as_json(data), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.json"'
    response["Cache-Control"] = "no-store"
    return response


class OrganisationExportView(PipelineAccessMixin, View):
    permission = "pipeline.export_personal_data"

    def get(self, request, pk, fmt):
        organisation = get_object_or_404(access.organisations_for(request.user), pk=pk)
        ok, data = run_service(
            request, lambda: services.export_organisation(organisation, user=request.user)
        )
        if not ok:
            return redirect("pipeline_organisations:inspect", pk=pk)
        return download(data, fmt, f"organisation-{organisation.pk}")


class ContactExportView(PipelineAccessMixin, View):
    permission = "pipeline.export_personal_data"

    def get(self, request, pk, fmt):
        contact = get_object_or_404(access.contacts_for(request.user), pk=pk)
        ok, data = run_service(request, lambda: services.export_contact(contact, user=request.user))
        if not ok:
            return redirect("pipeline_contacts:inspect", pk=pk)
        return download(data, fmt, f"contact-{contact.pk}")


class EraseConfirmForm(forms.Form):
    confirm = forms.CharField()

    def __init__(self, *args, expected: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.expected = expected

    def clean_confirm(self):
        if self.cleaned_data["confirm"].strip().upper() != self.expected:
            raise forms.ValidationError(
                _("Tapez %(word)s pour confirmer.") % {"word": self.expected}
            )
        return self.cleaned_data["confirm"]


class EraseView(PipelineAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    """Confirmation page, then erasure. Irreversible, so a word must be typed."""

    permission = "pipeline.erase_personal_data"
    template_name = "pipeline/admin/erase_confirm.html"
    header_icon = "bin"
    confirm_word = "EFFACER"
    kind = ""

    def get_target(self):
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            target=self.get_target(),
            kind=self.kind,
            confirm_word=self.confirm_word,
            form=kwargs.get("form"),
            cancel_url=self.cancel_url(),
        )
        return context

    def post(self, request, pk):
        target = self.get_target()
        form = EraseConfirmForm(request.POST, expected=self.confirm_word)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        run_service(
            request,
            lambda: self.erase(target),
            _("Données personnelles effacées. L'action est inscrite au registre."),
        )
        return redirect(self.cancel_url())


class ContactEraseView(EraseView):
    kind = "contact"

    @cached_property
    def contact(self):
        return get_object_or_404(access.contacts_for(self.request.user), pk=self.kwargs["pk"])

    def get_target(self):
        return self.contact

    def get_page_title(self):
        return _("Effacer les données d'un contact")

    def cancel_url(self):
        return reverse("pipeline_contacts:inspect", args=[self.contact.pk])

    def erase(self, contact):
        return services.erase_contact(contact, user=self.request.user)


class OrganisationEraseView(EraseView):
    kind = "organisation"

    @cached_property
    def organisation(self):
        return get_object_or_404(access.organisations_for(self.request.user), pk=self.kwargs["pk"])

    def get_target(self):
        return self.organisation

    def get_page_title(self):
        return _("Anonymiser une organisation")

    def cancel_url(self):
        return reverse("pipeline_organisations:inspect", args=[self.organisation.pk])

    def erase(self, organisation):
        return services.erase_organisation(organisation, user=self.request.user)


# --- Contacts ------------------------------------------------------------------------------------


class ContactIndexView(
    LookupSearchMixin, FormulaSafeExportMixin, PipelineAccessMixin, generic.IndexView
):
    page_title = gettext_lazy("Contacts")
    default_ordering = "name"
    paginate_by = 50
    export_filename = "contacts"
    list_export = [
        "name",
        "role",
        "email",
        "phone",
        "organisation.name",
        "consent_contact",
        "consent_newsletter",
        "created_at",
    ]
    export_headings = {
        "name": gettext_lazy("Prénom et nom"),
        "role": gettext_lazy("Fonction"),
        "email": gettext_lazy("E-mail"),
        "phone": gettext_lazy("Téléphone"),
        "organisation.name": gettext_lazy("Organisation"),
        "consent_contact": gettext_lazy("Accepte d'être recontacté·e"),
        "consent_newsletter": gettext_lazy("Lettre d'information"),
        "created_at": gettext_lazy("Créé le"),
    }

    @cached_property
    def columns(self):
        return [
            TitleColumn(
                "name",
                label=_("Nom"),
                sort_key="name",
                get_url=lambda c: reverse("pipeline_contacts:inspect", args=[c.pk]),
            ),
            Column("role", label=_("Fonction"), sort_key="role"),
            Column("email", label=_("E-mail"), sort_key="email"),
            Column("phone", label=_("Téléphone")),
            Column(
                "organisation",
                label=_("Organisation"),
                accessor="organisation.name",
                sort_key="organisation__name",
            ),
        ]

    @cached_property
    def is_searchable(self):
        return True

    def get_base_queryset(self):
        return access.contacts_for(self.request.user).select_related("organisation")

    search_lookups = (
        "name__icontains", "email__icontains", "phone__icontains", "organisation__name__icontains",
    )  # fmt: skip

    def order_queryset(self, queryset):
        return super().order_queryset(queryset).order_by(self.ordering or "name", "pk")


class ContactDetailView(PipelineAccessMixin, generic.InspectView):
    template_name = "pipeline/admin/contact_detail.html"

    def get_object(self, queryset=None):
        return get_object_or_404(
            access.contacts_for(self.request.user).select_related("organisation"), pk=self.pk
        )

    def get_page_title(self):
        return self.object.name

    def get_page_subtitle(self):
        return ""

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("pipeline_contacts:index"), "label": _("Contacts")},
            {"url": "", "label": self.object.name},
        ]

    @cached_property
    def header_more_buttons(self):
        buttons = []
        if self.request.user.has_perm("pipeline.change_contact") and not self.object.erased_at:
            buttons.append(
                Button(
                    _("Modifier"),
                    url=reverse("pipeline_contacts:edit", args=[self.object.pk]),
                    icon_name="edit",
                    priority=10,
                )
            )
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            contact=self.object,
            organisation=self.object.organisation,
            engagements=list(
                access.engagements_for(user)
                .filter(organisation=self.object.organisation)
                .order_by("-created_at")
            ),
            can_export=user.has_perm("pipeline.export_personal_data"),
            can_erase=user.has_perm("pipeline.erase_personal_data") and not self.object.erased_at,
        )
        return context


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = [
            "organisation",
            "name",
            "role",
            "email",
            "phone",
            "language",
            "consent_contact",
            "consent_newsletter",
        ]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Left out (an older form, an API client): the site's language.
        self.fields["language"].required = False
        self.fields["organisation"].queryset = Organisation.objects.filter(merged_into__isnull=True)
        if for_user is not None:
            self.fields["organisation"].queryset = access.organisations_for(for_user).filter(
                merged_into__isnull=True
            )

    def clean_language(self) -> str:
        return self.cleaned_data.get("language") or settings.LANGUAGE_CODE

    def save(self, commit=True):
        contact = super().save(commit=False)
        now = timezone.now()
        if contact.consent_contact and not contact.consent_contact_at:
            contact.consent_contact_at = now
        if contact.consent_newsletter and not contact.consent_newsletter_at:
            contact.consent_newsletter_at = now
        if commit:
            contact.save()
        return contact


class ContactCreateView(PipelineAccessMixin, generic.CreateView):
    permission = "pipeline.add_contact"

    def get_initial(self):
        initial = super().get_initial()
        if (organisation := self.request.GET.get("organisation", "")).isdigit():
            initial["organisation"] = int(organisation)
        return initial

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "for_user": self.request.user}

    def get_success_url(self):
        return reverse("pipeline_contacts:inspect", args=[self.object.pk])


class ContactEditView(PipelineAccessMixin, generic.EditView):
    permission = "pipeline.change_contact"

    def get_queryset(self):
        return access.contacts_for(self.request.user).filter(erased_at__isnull=True)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "for_user": self.request.user}

    def get_success_url(self):
        return reverse("pipeline_contacts:inspect", args=[self.object.pk])


class ContactHistoryView(PipelineAccessMixin, generic.HistoryView):
    def get_base_object_queryset(self):
        return access.contacts_for(self.request.user)


class ContactUsageView(PipelineAccessMixin, generic.UsageView):
    def get_base_object_queryset(self):
        return access.contacts_for(self.request.user)


class ContactDeleteView(PipelineAccessMixin, generic.DeleteView):
    permission = "pipeline.delete_contact"

    def get_queryset(self):
        return access.contacts_for(self.request.user)
