"""Tool "logos": brand-coloured monogram badges drawn by us (no third-party artwork).

A badge is the colour people associate with the tool and one or two letters, so "Teams" is
recognisable at a glance; the tool's name is always written next to it for everyone else.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

# Brand colours are facts about a product, not artwork; the letters are ours.
BRAND_COLOURS: dict[str, str] = {
    "gmail": "#c5221f",
    "google-calendar": "#1a73e8",
    "google-meet": "#00832d",
    "google-docs": "#1a73e8",
    "google-sheets": "#188038",
    "google-drive": "#1967d2",
    "google-forms": "#673ab7",
    "google-sites": "#3f51b5",
    "google-slides": "#e37400",
    "google-groups": "#1a73e8",
    "google-account": "#1a73e8",
    "outlook": "#0364b8",
    "outlook-calendar": "#0364b8",
    "microsoft-teams": "#4b53bc",
    "microsoft-word": "#185abd",
    "microsoft-excel": "#107c41",
    "microsoft-powerpoint": "#c43e1c",
    "microsoft-forms": "#03787c",
    "microsoft-planner": "#31752f",
    "microsoft-bookings": "#03787c",
    "microsoft-office": "#d83b01",
    "microsoft-copilot": "#0f6cbd",
    "microsoft-entra-id": "#0078d4",
    "onedrive": "#0364b8",
    "sharepoint": "#036c70",
    "orange-mail": "#c24a00",
    "free-mail": "#cd1e25",
    "yahoo-mail": "#6001d2",
    "whatsapp": "#128c7e",
    "slack": "#4a154b",
    "signal": "#3a76f0",
    "telegram": "#1d82b8",
    "discord": "#5865f2",
    "zoom": "#0b5cff",
    "webex": "#005e7d",
    "notion": "#191919",
    "confluence": "#0052cc",
    "airtable": "#1b61c9",
    "dropbox": "#0061fe",
    "wetransfer": "#17181a",
    "typeform": "#262627",
    "surveymonkey": "#00754a",
    "doodle": "#0064d2",
    "calendly": "#006bff",
    "trello": "#0052cc",
    "asana": "#c9304f",
    "monday": "#5034ff",
    "clickup": "#7b68ee",
    "mailchimp": "#241c15",
    "brevo": "#0b996e",
    "salesforce": "#0b74b8",
    "hubspot": "#c2410c",
    "helloasso": "#49d38a",
    "zoho": "#c8202f",
    "wix": "#0c6efc",
    "wordpress-com": "#3858e9",
    "wordpress": "#21759b",
    "squarespace": "#121212",
    "webflow": "#146ef5",
    "facebook": "#0866ff",
    "instagram": "#c13584",
    "cap-collectif": "#e94e1b",
    "go-vocal": "#044d6c",
    "decidim": "#e02d2d",
    "tchap": "#000091",
    "la-suite-meet": "#000091",
    "la-suite-docs": "#000091",
    "la-suite-drive": "#000091",
    "la-suite-messages": "#000091",
    "grist": "#16b378",
    "nextcloud": "#0082c9",
    "jitsi-meet": "#1d76ba",
    "element-matrix": "#0dbd8b",
    "framasoft": "#725794",
}

# Letters when the name's initials would be ambiguous.
MONOGRAMS: dict[str, str] = {
    "gmail": "M",
    "google-calendar": "31",
    "google-meet": "M",
    "google-docs": "D",
    "google-sheets": "S",
    "google-drive": "D",
    "google-forms": "F",
    "google-sites": "S",
    "outlook": "O",
    "outlook-calendar": "O",
    "microsoft-teams": "T",
    "microsoft-word": "W",
    "microsoft-excel": "X",
    "microsoft-forms": "F",
    "microsoft-planner": "P",
    "onedrive": "1D",
    "sharepoint": "S",
    "orange-mail": "O",
    "free-mail": "F",
    "yahoo-mail": "Y!",
    "wordpress-com": "W",
    "wordpress": "W",
    "la-suite-meet": "V",
    "la-suite-docs": "D",
    "go-vocal": "GV",
    "cap-collectif": "CC",
}

# Deterministic fallbacks for tools added in the admin (all ≥ 4.5:1 against white).
FALLBACK_COLOURS = ("#3d4359", "#1f3a93", "#0b6b52", "#8a4b00", "#6b2fa3", "#a11d4b", "#00606b")


@dataclass(frozen=True)
class Badge:
    letters: str
    background: str
    foreground: str


def _relative_luminance(hex_colour: str) -> float:
    hex_colour = hex_colour.lstrip("#")
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(a: str, b: str) -> float:
    la, lb = sorted((_relative_luminance(a), _relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _initials(name: str) -> str:
    words = [w for w in name.replace("/", " ").replace("(", " ").split() if w[:1].isalnum()]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:1].upper()
    return (words[0][:1] + words[1][:1]).upper()


def badge_for(slug: str, name: str) -> Badge:
    background = BRAND_COLOURS.get(slug)
    if background is None:
        digest = int(hashlib.sha256(slug.encode()).hexdigest(), 16)
        background = FALLBACK_COLOURS[digest % len(FALLBACK_COLOURS)]
    foreground = "#ffffff" if contrast_ratio(background, "#ffffff") >= 3 else "#171b2e"
    return Badge(MONOGRAMS.get(slug) or _initials(name), background, foreground)
