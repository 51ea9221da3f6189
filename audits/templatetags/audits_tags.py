"""Presentation helpers for the diagnosis (results page and e-mails)."""

from django import template
from django.utils.translation import gettext_lazy as _

from audits.logos import badge_for
from audits.scoring import Level

register = template.Library()

LEVEL_LABELS = {
    Level.EXPOSED: _("Exposé au Cloud Act"),
    Level.PARTIAL: _("Exposition partielle"),
    Level.SOVEREIGN: _("Souverain"),
    Level.UNKNOWN: _("À examiner"),
}


@register.filter
def level_label(level: str) -> str:
    return LEVEL_LABELS.get(level, level)


@register.filter
def level_colour(level: str) -> str:
    """Text colours with ≥ 4.5:1 contrast on white, for e-mails (no stylesheet there)."""
    return {
        Level.EXPOSED: "#b3261e",
        Level.PARTIAL: "#8a4b00",
        Level.SOVEREIGN: "#0b6b52",
    }.get(level, "#3d4359")


@register.filter
def score_level(score) -> str:
    """CSS modifier of the score ring: colour from the stylesheet, never a style attribute."""
    score = int(score or 0)
    if score >= 75:
        return "very-high"
    if score >= 50:
        return "high"
    if score >= 25:
        return "medium"
    return "low"


@register.filter
def score_colour(score) -> str:
    score = int(score or 0)
    if score >= 75:
        return "#b3261e"
    if score >= 50:
        return "#c2410c"
    if score >= 25:
        return "#8a4b00"
    return "#0b6b52"


@register.simple_tag
def tool_badge(slug: str, name: str):
    return badge_for(slug or "", name or "")
