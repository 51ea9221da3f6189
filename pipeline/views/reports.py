"""Reports page (server-side charts, no external service) and its CSV export."""

from __future__ import annotations

import csv
import datetime

from django import forms
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from pipeline import access
from pipeline.services.reports import Period, pipeline_report, report_rows
from pipeline.spreadsheets import neutralise
from pipeline.views.base import PipelineAccessMixin

PRESETS = (
    ("30", gettext_lazy("30 derniers jours")),
    ("90", gettext_lazy("3 derniers mois")),
    ("365", gettext_lazy("12 derniers mois")),
    ("year", gettext_lazy("Cette année")),
    ("custom", gettext_lazy("Période choisie")),
)


class PeriodForm(forms.Form):
    preset = forms.ChoiceField(label=gettext_lazy("Période"), choices=PRESETS, required=False)
    start = forms.DateField(
        label=gettext_lazy("Du"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label=gettext_lazy("Au"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if data.get("preset") == "custom" or (start and end and not data.get("preset")):
            if not (start and end):
                raise forms.ValidationError(_("Indiquez les deux dates de la période."))
            if start > end:
                raise forms.ValidationError(_("La date de début est après la date de fin."))
            if (end - start).days > 366 * 5:
                raise forms.ValidationError(_("Choisissez une période de cinq ans au plus."))
        return data

    def period(self) -> Period:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        preset = data.get("preset") or ("custom" if data.get("start") else "90")
        if preset == "custom" and data.get("start") and data.get("end"):
            return Period(data["start"], data["end"])
        if preset == "year":
            return Period(datetime.date(today.year, 1, 1), today)
        days = int(preset) if preset.isdigit() else 90
        return Period.last_days(days, today)


class ReportView(PipelineAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "pipeline/admin/reports.html"
    page_title = gettext_lazy("Rapports du pipeline")
    header_icon = "doc-full"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get(self, request, *args, **kwargs):
        form = PeriodForm(request.GET or None)
        period = form.period()
        report = pipeline_report(access.engagements_for(request.user), period)
        if request.GET.get("export") == "csv":
            return self.csv_response(report)
        return self.render_to_response(self.get_context_data(form=form, report=report))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = kwargs["report"]
        first = report.funnel[0].reached if report.funnel else 0
        completed = report.funnel[-1].reached if report.funnel else 0
        lost_total = sum(r.count for r in report.lost_reasons)
        query = self.request.GET.copy()
        query["export"] = "csv"
        context.update(
            form=kwargs["form"],
            report=report,
            max_median=report.max_median or 1,
            completed=completed,
            completion_rate=(completed / first) if first else None,
            lost_total=lost_total,
            max_owner=max((r.total for r in report.by_owner), default=1) or 1,
            max_kind=max((r.total for r in report.by_kind), default=1) or 1,
            max_source=max((r.engagements for r in report.by_source), default=1) or 1,
            max_campaign=max((r.engagements for r in report.by_campaign), default=1) or 1,
            max_landing=max((r.engagements for r in report.by_landing_page), default=1) or 1,
            csv_url="?" + query.urlencode(),
        )
        return context

    def csv_response(self, report):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        name = f"rapport-pipeline-{report.period.start:%Y-%m-%d}-{report.period.end:%Y-%m-%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response.write("\ufeff")
        writer = csv.writer(response, delimiter=";")
        for row in report_rows(report):
            writer.writerow([neutralise(cell) for cell in row])
        return response
