"""Small formatting filters for the pipeline reports (French number formats)."""

from django import template

register = template.Library()


@register.filter
def percent(value) -> str:
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.0f} %"


@register.filter
def width(share) -> str:
    """A share (0–1) as a CSS width percentage, never wider than the track."""
    try:
        return f"{max(0.0, min(float(share), 1.0)) * 100:.1f}"
    except (TypeError, ValueError):
        return "0"


@register.filter
def ratio(value, maximum) -> str:
    try:
        return width(float(value) / float(maximum)) if float(maximum) else "0"
    except (TypeError, ValueError):
        return "0"


@register.filter
def days(value) -> str:
    if value is None:
        return "—"
    number = f"{float(value):.1f}".replace(".", ",").removesuffix(",0")
    return f"{number} j"
