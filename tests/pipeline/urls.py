"""Every URL the pipeline admin serves, from Django's URL resolver (for permission walks)."""

from __future__ import annotations

import re

from django.urls import URLPattern, URLResolver, get_resolver

PREFIX = "admin/pipeline/"


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from _walk(entry.url_patterns, route, ns)
        elif isinstance(entry, URLPattern):
            yield route, namespace, entry.name


def pipeline_routes() -> list[tuple[str, str, str]]:
    """(route, namespace, name) of every URL under /admin/pipeline/."""
    return sorted({r for r in _walk(get_resolver().url_patterns) if r[0].startswith(PREFIX)})


def concrete(route: str, namespace: str, ids: dict[str, int]) -> str:
    """Fill a route's converters with real identifiers."""
    model = {
        "pipeline_engagements": "engagement",
        "pipeline_organisations": "organisation",
        "pipeline_contacts": "contact",
        "pipeline_tasks": "task",
        "pipeline_notifications": "notification",
        "pipeline_territories": "territory",
        "pipeline_privacy": "privacy",
        "pipeline_roadmaps": "roadmap",
        "pipeline_email_templates": "email_template",
    }.get(namespace, "engagement")

    def fill(match):
        converter, name = match.group(1), match.group(2)
        if name == "pk":
            return str(ids[model])
        if name == "action":
            return "note"
        if name == "fmt":
            return "json"
        return {"int": "1", "str": "x", "slug": "x", "path": "x"}.get(converter, "x")

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", fill, route)
