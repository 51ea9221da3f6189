"""Admin view: questionnaire statistics (aggregates only), for marketing and consultants."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from audits import statistics
from audits.models import AuditPage

STATISTICS_PERMISSION = "audits.view_statistics"
PERIODS = (7, 30, 90, 365)


class QuestionnaireStatisticsView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "audits/admin/statistics.html"
    page_title = _("Statistiques du questionnaire")
    header_icon = "form"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(STATISTICS_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pages = list(AuditPage.objects.order_by("pk"))
        try:
            days = int(self.request.GET.get("jours", 30))
        except ValueError:
            days = 30
        days = days if days in PERIODS else 30
        try:
            page_id = int(self.request.GET.get("page", 0))
        except ValueError:
            page_id = 0
        page = next((p for p in pages if p.pk == page_id), pages[0] if pages else None)
        from audience.figures import Window, questionnaire_funnel

        context.update(
            {
                "stats": statistics.compute(page, days=days),
                # Displays, starts and drop-off per screen (audience counters).
                "funnel": questionnaire_funnel(page, Window.last_days(days)),
                "pages": pages,
                "current_page": page,
                "periods": PERIODS,
                "days": days,
            }
        )
        return context
