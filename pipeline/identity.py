"""Recognising the same organisation twice: e-mail domains, SIREN, postcodes."""

from __future__ import annotations

import re
import unicodedata

# Consumer mailboxes say nothing about the organisation behind the address.
WEBMAIL_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "yahoo.fr", "yahoo.com", "hotmail.fr", "hotmail.com",
        "outlook.fr", "outlook.com", "live.fr", "live.com", "msn.com", "icloud.com", "me.com",
        "orange.fr", "wanadoo.fr", "free.fr", "sfr.fr", "neuf.fr", "laposte.net", "bbox.fr",
        "aol.com", "aol.fr", "gmx.fr", "gmx.com", "protonmail.com", "proton.me", "yandex.com",
        "numericable.fr", "club-internet.fr", "aliceadsl.fr", "mailo.com", "tutanota.com",
    }
)  # fmt: skip

# Overseas departments are not on Paris time (design.md §6).
OVERSEAS_TIME_ZONES = {
    "971": "America/Guadeloupe",
    "972": "America/Martinique",
    "973": "America/Cayenne",
    "974": "Indian/Reunion",
    "975": "America/Miquelon",
    "976": "Indian/Mayotte",
    "977": "America/St_Barthelemy",
    "978": "America/Marigot",
    "986": "Pacific/Wallis",
    "987": "Pacific/Tahiti",
    "988": "Pacific/Noumea",
}


def email_domain(email: str) -> str:
    """The lower-cased domain of an address, without a leading "www."."""
    domain = email.rsplit("@", 1)[-1].strip().lower().rstrip(".")
    return domain.removeprefix("www.")


def organisation_domain(email: str) -> str:
    """The domain that identifies an organisation, or "" for consumer webmail."""
    domain = email_domain(email)
    return "" if domain in WEBMAIL_DOMAINS else domain


def normalise_siren(value: str) -> str:
    """The 9-digit SIREN from a SIREN or a SIRET, or "" when it is not one."""
    digits = re.sub(r"\D", "", value or "")
    if len(digits) in (9, 14):
        return digits[:9]
    return ""


def normalise_postcode(value: str) -> str:
    match = re.search(r"\b(\d{5})\b", value or "")
    return match.group(1) if match else ""


def territory_from_postcode(postcode: str) -> str:
    """Department code from a French postcode: "75", "2A"/"2B", "974"…"""
    if not re.fullmatch(r"\d{5}", postcode or ""):
        return ""
    if postcode.startswith("97") or postcode.startswith("98"):
        return postcode[:3]
    if postcode.startswith("20"):
        return "2A" if int(postcode) < 20200 else "2B"
    return postcode[:2]


def time_zone_for_territory(territory: str) -> str:
    return OVERSEAS_TIME_ZONES.get(territory, "Europe/Paris")


def normalise_name(value: str) -> str:
    """Accent-, case- and punctuation-insensitive key for comparing organisation names."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^a-z0-9]+", " ", ascii_only.lower()).split())
