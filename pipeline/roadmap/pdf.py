"""The roadmap as a branded PDF (WeasyPrint): same content as the page, laid out for A4.

WeasyPrint needs Pango (Debian: libpango-1.0-0, libpangoft2-1.0-0) and fonts (fonts-dejavu-core,
fonts-liberation); scripts/ensure-system-packages installs them. Rendering takes a fraction of a
second; the result is cached until the roadmap or the organisation changes.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from pipeline.roadmap.display import RoadmapDisplay

CACHE_SECONDS = 24 * 3600


def filename(display: RoadmapDisplay) -> str:
    return f"feuille-de-route-{slugify(display.organisation.name)[:60] or 'passerelle'}.pdf"


def _static_path(name: str) -> str:
    found = finders.find(name)
    return Path(found).as_uri() if found else ""


def render_html(display: RoadmapDisplay) -> str:
    return render_to_string(
        "pipeline/roadmap/pdf.html",
        {
            "d": display,
            "roadmap": display.roadmap,
            "organisation": display.organisation,
            "logo": _static_path("img/logo.svg"),
            "stylesheet": _static_path("pipeline/roadmap_pdf.css"),
            "generated_at": timezone.now(),
            "site_url": settings.SITE_URL,
        },
    )


def render(display: RoadmapDisplay) -> bytes:
    """The PDF bytes, from the cache when nothing changed since the last rendering."""
    roadmap = display.roadmap
    key = (
        f"roadmap-pdf:{roadmap.pk}:{roadmap.revision}:{roadmap.version}:"
        f"{display.organisation.updated_at.timestamp()}:{timezone.localdate().isoformat()}"
    )
    pdf = cache.get(key)
    if pdf is None:
        from weasyprint import HTML

        pdf = HTML(string=render_html(display), base_url=str(settings.BASE_DIR)).write_pdf()
        cache.set(key, pdf, CACHE_SECONDS)
    return pdf
