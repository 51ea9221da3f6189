"""Admin view: the site's audience (aggregates only), for marketing and consultants."""

from __future__ import annotations

import csv

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from audience import figures
from audits.models import AuditPage

# The same people as the questionnaire statistics: these are aggregates, never a visitor.
AUDIENCE_PERMISSION = "audits.view_statistics"
PERIODS = (7, 30, 90, 365)
DEFAULT_DAYS = 30


def _int(value, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


class AudienceView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "audience/admin/audience.html"
    page_title = _("Audience du site")
    header_icon = "view"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(AUDIENCE_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get(self, request, *args, **kwargs):
        from audience.services import BUFFER

        BUFFER.flush()  # this process's latest counts (others write theirs within seconds)
        days = _int(request.GET.get("jours"), DEFAULT_DAYS)
        days = days if days in PERIODS else DEFAULT_DAYS
        questionnaires = list(AuditPage.objects.order_by("pk").select_related("locale"))
        wanted = _int(request.GET.get("questionnaire"))
        questionnaire = next(
            (q for q in questionnaires if q.pk == wanted),
            questionnaires[0] if questionnaires else None,
        )
        data = figures.audience_figures(
            figures.Window.last_days(days),
            questionnaire=questionnaire,
            page_id=_int(request.GET.get("page")) or None,
            request=request,
        )
        if request.GET.get("export") == "csv":
            return self.csv_response(data)
        return self.render_to_response(
            self.get_context_data(
                figures=data,
                days=days,
                periods=PERIODS,
                questionnaires=questionnaires,
                questionnaire=questionnaire,
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query["export"] = "csv"
        context["csv_url"] = "?" + query.urlencode()
        without_page = self.request.GET.copy()
        without_page.pop("page", None)
        context["all_pages_url"] = "?" + without_page.urlencode()
        context["page_query"] = without_page.urlencode()
        return context

    def csv_response(self, data: figures.AudienceFigures) -> HttpResponse:
        from pipeline.spreadsheets import neutralise

        response = HttpResponse(content_type="text/csv; charset=utf-8")
        name = f"audience-{data.window.start:%Y-%m-%d}-{data.window.end:%Y-%m-%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response.write("\ufeff")
        writer = csv.writer(response, delimiter=";")
        for row in figures.csv_rows(data):
            writer.writerow([neutralise(cell) for cell in row])
        return response
