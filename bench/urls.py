"""Locating admin pages to measure, tolerant of routes that do not exist yet."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from pipeline.models import Engagement

# Candidate route names, first match wins.
ADMIN_ROUTES = {
    "pipeline_board": [("pipeline_board:index", False), ("engagements:board", False)],
    "pipeline_list": [("engagements:index", False), ("pipeline_list:index", False)],
    "pipeline_engagement": [("engagements:inspect", True), ("engagements:detail", True)],
    "pipeline_reports": [("pipeline_reports:index", False), ("engagements:reports", False)],
}


def admin_path(key: str) -> str | None:
    engagement = Engagement.objects.order_by("pk").first()
    for name, needs_pk in ADMIN_ROUTES.get(key, []):
        try:
            if needs_pk:
                if engagement is None:
                    continue
                return reverse(name, args=[engagement.pk])
            return reverse(name)
        except NoReverseMatch:
            continue
    return None
