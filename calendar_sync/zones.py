"""Readable names of the time zones French organisations live in."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ZONE_NAMES = {
    "Europe/Paris": _("heure de Paris"),
    "Indian/Reunion": _("heure de La Réunion"),
    "Indian/Mayotte": _("heure de Mayotte"),
    "America/Guadeloupe": _("heure de la Guadeloupe"),
    "America/Martinique": _("heure de la Martinique"),
    "America/Cayenne": _("heure de la Guyane"),
    "America/Miquelon": _("heure de Saint-Pierre-et-Miquelon"),
    "America/St_Barthelemy": _("heure de Saint-Barthélemy"),
    "America/Marigot": _("heure de Saint-Martin"),
    "Pacific/Wallis": _("heure de Wallis-et-Futuna"),
    "Pacific/Tahiti": _("heure de Tahiti"),
    "Pacific/Noumea": _("heure de Nouméa"),
}


def utc_offset(zone: ZoneInfo, when: datetime | None = None) -> str:
    offset = (when or timezone.now()).astimezone(zone).utcoffset()
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_label(zone: ZoneInfo, when: datetime | None = None) -> str:
    name = ZONE_NAMES.get(str(zone), str(zone))
    return f"{name} ({utc_offset(zone, when)})"
