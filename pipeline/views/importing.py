"""Importing leads: upload, dry run with row-by-row report, then the import.

Nothing is stored between the two steps: the checked file travels back in the confirmation form
(the import validates it all over again), so no copy of its personal data stays on the server.
"""

from __future__ import annotations

import base64
import binascii
import zlib

from django import forms
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from pipeline import services
from pipeline.services.importing import COLUMNS, MAX_IMPORT_BYTES
from pipeline.views.base import PipelineAccessMixin, error_text

SAMPLE = (
    "organisation;type;code postal;contact;fonction;e-mail;téléphone;étape;consultant;"
    "échéance;prochaine action;note\n"
    "Mairie de Saint-Aubin;Commune / intercommunalité;49250;Sophie Martin;Secrétaire de mairie;"
    "mairie@saint-aubin.fr;02 41 00 00 00;Qualifié;consultant;15/03/2027;Rappeler après le "
    "conseil municipal;Rencontrée au salon des maires\n"
)


def pack(data: bytes) -> str:
    """The checked file, compressed to stay well under Django's request size limit."""
    return base64.b64encode(zlib.compress(data, 6)).decode("ascii")


def unpack(content: str) -> bytes:
    decompressor = zlib.decompressobj()
    data = decompressor.decompress(base64.b64decode(content, validate=True), MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES or decompressor.unconsumed_tail:
        raise ValueError("too large")
    return data


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Fichier CSV"),
        help_text=gettext_lazy("Séparateur ; ou , — encodage UTF-8 ou Windows — 2 Mo au plus."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("Le fichier dépasse 2 Mo : découpez-le."))
        return upload


class ImportView(PipelineAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    permission = "pipeline.add_engagement"
    template_name = "pipeline/admin/import.html"
    page_title = gettext_lazy("Importer des contacts existants")
    header_icon = "upload"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get(self, request, *args, **kwargs):
        if request.GET.get("sample"):
            response = HttpResponse("\ufeff" + SAMPLE, content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="modele-import.csv"'
            return response
        return self.render_to_response(self.get_context_data(form=UploadForm()))

    def post(self, request, *args, **kwargs):
        if request.POST.get("step") == "import":
            return self.run_import(request)
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        upload = form.cleaned_data["file"]
        data = upload.read()
        return self.check(request, data, upload.name)

    def check(self, request, data: bytes, filename: str):
        report = services.import_leads(data, user=request.user, dry_run=True, filename=filename)
        return self.render_to_response(
            self.get_context_data(
                form=UploadForm(),
                report=report,
                content=pack(data),
                filename=filename,
            )
        )

    def run_import(self, request):
        filename = request.POST.get("filename", "")[:200]
        try:
            data = unpack(request.POST.get("content", ""))
        except (binascii.Error, ValueError, zlib.error):
            messages.error(request, _("Le fichier vérifié est illisible : recommencez l'envoi."))
            return self.render_to_response(self.get_context_data(form=UploadForm()))
        report = services.import_leads(data, user=request.user, dry_run=False, filename=filename)
        counts = report.counts
        messages.success(
            request,
            _(
                "Import terminé : %(created)s nouvelle(s) organisation(s), "
                "%(updated)s complétée(s), "
                "%(unchanged)s déjà présente(s), %(errors)s ligne(s) ignorée(s)."
            )
            % {
                "created": counts["created"],
                "updated": counts["updated"],
                "unchanged": counts["unchanged"],
                "errors": counts["error"],
            },
        )
        return self.render_to_response(
            self.get_context_data(form=UploadForm(), report=report, filename=filename, done=True)
        )

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except services.ImportFileError as exc:
            messages.error(request, error_text(exc))
            return self.render_to_response(self.get_context_data(form=UploadForm()))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["columns"] = [(column, aliases[0]) for column, aliases in COLUMNS.items()]
        return context
