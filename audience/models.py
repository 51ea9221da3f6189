"""Audience counters: one row per page (or questionnaire step) and day, nothing else.

No address, no browser signature, no cookie, no visitor identifier: a view adds one to the
day's counter of the page and is forgotten. The figures are aggregates from the start.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PageViewCount(models.Model):
    """Views of a page by visitors (not robots, not signed-in staff) on one day."""

    page = models.ForeignKey(
        "wagtailcore.Page", verbose_name=_("page"), on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField(_("jour"))
    views = models.PositiveIntegerField(_("vues"), default=0)

    class Meta:
        verbose_name = _("vues d'une page par jour")
        verbose_name_plural = _("vues des pages par jour")
        constraints = [
            models.UniqueConstraint(fields=["page", "day"], name="audience_one_view_count_per_day")
        ]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.page_id} {self.day} : {self.views}"


class QuestionnaireStepCount(models.Model):
    """How many visitors sent screen `step` (1-based) of a questionnaire for the first time
    that day. Step 1 is "started"; the last step is "completed" (the answers were recorded)."""

    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("questionnaire"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    day = models.DateField(_("jour"))
    step = models.PositiveSmallIntegerField(pgettext_lazy("questionnaire step", "étape"))
    count = models.PositiveIntegerField(_("nombre"), default=0)

    class Meta:
        verbose_name = _("étape du questionnaire par jour")
        verbose_name_plural = _("étapes du questionnaire par jour")
        constraints = [
            models.UniqueConstraint(
                fields=["page", "day", "step"], name="audience_one_step_count_per_day"
            )
        ]
        indexes = [models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.page_id} {self.day} étape {self.step} : {self.count}"
