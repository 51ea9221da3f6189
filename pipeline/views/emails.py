"""Writing to the organisation from the engagement page (compose, preview, draft, send), the
e-mail templates' form, and importing bounce reports.

Works without JavaScript: choosing a template, previewing and sending are form submissions.
Sending needs a preview of exactly what is sent: if the text changed after the preview, the
page shows the new preview instead of sending.
"""

from __future__ import annotations

import json
import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from pipeline import access, dsn, placeholders, services
from pipeline.models import (
    Contact,
    EmailPurpose,
    EmailTemplate,
    EngagementEmail,
    EngagementEmailStatus,
)
from pipeline.services import emails
from pipeline.views.base import PipelineAccessMixin, error_text

PREVIEW_SALT = "pipeline.compose-preview"


def _as_validation_error(call, value):
    try:
        return call(value)
    except ValueError as exc:  # EmailError and PlaceholderError
        raise forms.ValidationError(str(exc)) from exc


class RecipientsField(forms.ModelMultipleChoiceField):
    """Refuses identifiers the database cannot even compare (a 500 on SQLite otherwise)."""

    def clean(self, value):
        for item in value or []:
            if not str(item).isdigit() or int(item) > 2**53:
                raise forms.ValidationError(_("Destinataire inconnu."), code="invalid_pk_value")
        return super().clean(value)


class TemplateField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and (not str(value).isdigit() or int(value) > 2**53):
            raise forms.ValidationError(_("Modèle inconnu."), code="invalid_choice")
        return super().to_python(value)


class ComposeForm(forms.Form):
    recipients = RecipientsField(
        label=gettext_lazy("Destinataires"),
        queryset=Contact.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    template = TemplateField(
        label=gettext_lazy("Modèle"),
        queryset=EmailTemplate.objects.all(),
        required=False,
        empty_label=gettext_lazy("— Choisir un modèle —"),
    )
    language = forms.ChoiceField(label=gettext_lazy("Langue"), choices=settings.LANGUAGES)
    subject = forms.CharField(
        label=gettext_lazy("Objet"), required=False, max_length=emails.SUBJECT_MAX_LENGTH
    )
    body = forms.CharField(
        label=gettext_lazy("Message"),
        required=False,
        max_length=emails.BODY_MAX_LENGTH,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "true"}),
    )
    purpose = forms.ChoiceField(
        choices=EmailPurpose.choices, required=False, widget=forms.HiddenInput
    )
    meeting = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    draft = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    send_key = forms.RegexField(regex=r"^[0-9a-f]{32}$", required=False, widget=forms.HiddenInput)
    preview_hash = forms.CharField(required=False, max_length=128, widget=forms.HiddenInput)

    def __init__(self, *args, engagement, **kwargs):
        super().__init__(*args, **kwargs)
        self.engagement = engagement
        self.fields["recipients"].queryset = engagement.organisation.contacts.filter(
            erased_at__isnull=True
        )

    def clean_subject(self):
        return _as_validation_error(emails.clean_subject, self.cleaned_data.get("subject", ""))

    def clean_body(self):
        return _as_validation_error(emails.clean_body, self.cleaned_data.get("body", ""))

    def data_for_placeholders(self) -> dict:
        meeting = self.cleaned_data.get("meeting")
        return {"meeting_id": meeting} if meeting else {}

    def fingerprint(self) -> str:
        """What the preview showed; sending checks nothing changed since."""
        data = self.cleaned_data
        payload = json.dumps(
            [
                sorted(c.pk for c in data.get("recipients") or []),
                data.get("subject", ""),
                data.get("body", ""),
                data.get("language", ""),
                self.data_for_placeholders(),
            ],
            ensure_ascii=False,
        )
        return salted_hmac(PREVIEW_SALT, payload).hexdigest()


class EmailComposeView(PipelineAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    permission = "pipeline.change_engagement"
    template_name = "pipeline/admin/email_compose.html"
    header_icon = "mail"

    def get_page_title(self):
        return _("Écrire à %(organisation)s") % {"organisation": self.engagement.organisation.name}

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("pipeline_engagements:index"), "label": _("Accompagnements")},
            {
                "url": reverse("pipeline_engagements:inspect", args=[self.engagement.pk]),
                "label": self.engagement.organisation.name,
            },
            {"url": "", "label": _("Écrire un e-mail")},
        ]

    def dispatch(self, request, *args, **kwargs):
        if not (access.can_use_pipeline(request.user) and request.user.has_perm(self.permission)):
            raise PermissionDenied
        self.engagement = get_object_or_404(
            access.engagements_for(request.user).select_related("organisation", "owner"),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    @property
    def engagement_url(self) -> str:
        return reverse("pipeline_engagements:inspect", args=[self.engagement.pk])

    def _draft(self, pk) -> EngagementEmail | None:
        if not pk:
            return None
        return EngagementEmail.objects.filter(
            pk=pk, engagement=self.engagement, status=EngagementEmailStatus.DRAFT
        ).first()

    def _int(self, value) -> int | None:
        try:
            number = int(value)
        except (TypeError, ValueError):
            return None
        return number if 0 < number < 2**53 else None

    def initial(self) -> dict:
        params = self.request.GET
        draft = self._draft(self._int(params.get("draft")))
        if draft is not None:
            return {
                "recipients": [r.contact_id for r in draft.recipients.all() if r.contact_id],
                "template": draft.template_id,
                "language": draft.language,
                "subject": draft.subject,
                "body": draft.body,
                "purpose": draft.purpose,
                "meeting": (draft.data or {}).get("meeting_id"),
                "draft": draft.pk,
            }
        purpose = params.get("purpose", "")
        purpose = purpose if purpose in EmailPurpose.values else EmailPurpose.GENERAL
        template = None
        template_id = self._int(params.get("template"))
        if template_id:
            template = EmailTemplate.objects.filter(pk=template_id).first()
        if template is None:
            template = emails.template_for(purpose)
        return {
            "recipients": [c.pk for c in emails.default_recipients(self.engagement)],
            "template": template.pk,
            "language": template.language,
            "subject": template.subject,
            "body": template.body,
            "purpose": template.purpose if template.pk else purpose,
            "meeting": self._int(params.get("meeting")),
        }

    def get(self, request, *args, **kwargs):
        initial = self.initial()
        initial["send_key"] = uuid.uuid4().hex
        form = ComposeForm(engagement=self.engagement, initial=initial)
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        # Not "action": a control named so would shadow form.action for scripts.
        action = request.POST.get("intent", "preview")
        form = ComposeForm(request.POST, engagement=self.engagement)
        if action == "load":
            return self.load_template(form)
        if action == "discard":
            return self.discard(form)
        if not form.is_valid():
            messages.error(request, _("Corrigez les erreurs ci-dessous."))
            return self.render_to_response(self.get_context_data(form=form))
        try:
            if action == "save":
                return self.save(form)
            if action == "send":
                return self.send(form)
            return self.preview(form)
        except (ValueError, ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
            return self.render_to_response(self.get_context_data(form=form))

    def _kwargs(self, form) -> dict:
        data = form.cleaned_data
        template = data.get("template")
        return {
            "subject": data.get("subject", ""),
            "body": data.get("body", ""),
            "contacts": list(data.get("recipients") or []),
            "user": self.request.user,
            "language": data.get("language") or settings.LANGUAGE_CODE,
            "data": form.data_for_placeholders(),
            "purpose": data.get("purpose") or (template.purpose if template else "general"),
            "template": template,
        }

    def load_template(self, form):
        """Replace subject and body by the chosen template's (recipients stay)."""
        values = form.data.copy()
        template = EmailTemplate.objects.filter(pk=self._int(values.get("template"))).first()
        if template is None:
            messages.error(self.request, _("Choisissez un modèle dans la liste."))
        else:
            values["subject"], values["body"] = template.subject, template.body
            values["language"], values["purpose"] = template.language, template.purpose
            values["preview_hash"] = ""
        form = ComposeForm(values, engagement=self.engagement)
        form.is_valid()  # errors of the loaded template show at once
        return self.render_to_response(self.get_context_data(form=form))

    def preview(self, form, *, changed: str = ""):
        kwargs = self._kwargs(form)
        for key in ("purpose", "template"):
            kwargs.pop(key)
        rendered = services.preview_email(self.engagement, **kwargs)
        values = form.data.copy()
        values["preview_hash"] = form.fingerprint()
        form = ComposeForm(values, engagement=self.engagement)
        form.is_valid()
        if changed == "changed":
            messages.warning(
                self.request,
                _("Le message a changé depuis l'aperçu : relisez-le ci-dessous, puis envoyez."),
            )
        elif changed == "unseen":
            messages.warning(self.request, _("Relisez l'aperçu ci-dessous, puis envoyez."))
        return self.render_to_response(self.get_context_data(form=form, previews=rendered))

    def send(self, form):
        seen = form.cleaned_data.get("preview_hash", "")
        if not seen:
            return self.preview(form, changed="unseen")
        if not constant_time_compare(seen, form.fingerprint()):
            return self.preview(form, changed="changed")
        email = services.send_email(
            self.engagement,
            **self._kwargs(form),
            draft=self._draft(form.cleaned_data.get("draft")),
            send_key=form.cleaned_data.get("send_key") or None,
        )
        count = email.recipients.count()
        messages.success(
            self.request,
            _(
                "E-mail « %(subject)s » mis en file d'envoi pour %(count)s destinataire(s) ; "
                "son état s'affiche dans la chronologie."
            )
            % {"subject": email.subject, "count": count},
        )
        return redirect(self.engagement_url + "#timeline-title")

    def save(self, form):
        draft = services.save_draft(
            self.engagement, **self._kwargs(form), draft=self._draft(form.cleaned_data.get("draft"))
        )
        messages.success(self.request, _("Brouillon enregistré."))
        return redirect(
            reverse("pipeline_engagements:email", args=[self.engagement.pk]) + f"?draft={draft.pk}"
        )

    def discard(self, form):
        draft = self._draft(self._int(form.data.get("draft")))
        if draft is not None:
            try:
                services.discard_draft(draft, user=self.request.user)
            except (ValueError, PermissionDenied) as exc:
                messages.error(self.request, error_text(exc))
                return redirect(self.engagement_url)
            messages.success(self.request, _("Brouillon supprimé."))
        return redirect(self.engagement_url)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = kwargs["form"]
        selected = set()
        if form.is_bound:
            selected = {str(v) for v in form.data.getlist("recipients")}
        else:
            selected = {str(v) for v in form.initial.get("recipients", [])}
        choices = emails.recipient_choices(self.engagement)
        sender_name, sender_email = emails.sender_parts(self.request.user)
        context.update(
            engagement=self.engagement,
            organisation=self.engagement.organisation,
            engagement_url=self.engagement_url,
            recipient_choices=[
                {"choice": choice, "checked": str(choice.contact.pk) in selected}
                for choice in choices
            ],
            has_selectable=any(c.selectable for c in choices),
            placeholders=placeholders.available(),
            draft_id=form["draft"].value(),
            reply_to=self.request.user.email,
            sender_name=sender_name,
            sender_email=sender_email,
            can_send=bool(kwargs.get("previews")),
        )
        return context


# --- Templates (Pipeline › Modèles d'e-mail) --------------------------------------------------


class EmailTemplateForm(WagtailAdminModelForm):
    class Meta:
        model = EmailTemplate
        fields = ["name", "purpose", "language", "subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 16})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = ", ".join(
            f"{placeholders.braced(p.name)} ({p.label})" for p in placeholders.available()
        )
        self.fields["body"].help_text = _("Variables possibles : %(names)s.") % {"names": names}

    def clean_subject(self):
        return _as_validation_error(emails.clean_subject, self.cleaned_data.get("subject", ""))

    def clean_body(self):
        value = _as_validation_error(emails.clean_body, self.cleaned_data.get("body", ""))
        if not value:
            raise forms.ValidationError(_("Le message est vide."))
        return value


# --- Bounce reports --------------------------------------------------------------------------


class BounceUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Avis de non-distribution (.eml)"),
        help_text=gettext_lazy(
            "L'e-mail d'erreur reçu en retour (« Undelivered Mail », « Non remis »…), "
            "enregistré depuis votre messagerie. 2 Mo au plus."
        ),
    )


class BounceUploadView(PipelineAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    permission = "pipeline.change_contact"
    template_name = "pipeline/admin/bounce_upload.html"
    page_title = gettext_lazy("Importer un avis de non-distribution")
    header_icon = "warning"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=BounceUploadForm()))

    def post(self, request, *args, **kwargs):
        form = BounceUploadForm(request.POST, request.FILES)
        outcomes = []
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > dsn.MAX_REPORT_BYTES:
                form.add_error("file", _("Le fichier est trop volumineux (2 Mo au maximum)."))
            else:
                try:
                    outcomes = services.apply_bounce_report(upload.read(), user=request.user)
                except (dsn.ReportError, PermissionDenied) as exc:
                    form.add_error("file", error_text(exc))
        return self.render_to_response(self.get_context_data(form=form, outcomes=outcomes))
