"""Campaign attribution without cookies: where a visitor came from, carried in links.

A visitor lands on a campaign page with UTM parameters (``?utm_source=lettre&utm_medium=email``).
The page's "start the audit" links carry them on, with the page itself (``depuis=<page id>``);
the questionnaire keeps them in its signed step token and in the server-side draft, and the
submission and the engagement store them. Nothing is kept in the visitor's browser.

Every value is checked before it is used or stored: a known parameter, at most
``MAX_LENGTH`` characters, letters, digits and a few separators only (no ``@``, so no e-mail
address slips in, no markup, no control characters). Anything else is dropped silently: a
visitor never sees an error because of a link's tracking parameters.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any
from urllib.parse import urlencode

UTM_PARAMETERS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")
# Grouped in reports: "Newsletter" and "newsletter" are the same source.
CASE_INSENSITIVE = frozenset({"utm_source", "utm_medium", "utm_campaign"})
LANDING_PARAMETER = "depuis"
MAX_LENGTH = 100
MAX_PAGE_ID = 2**31 - 1

_ALLOWED = re.compile(r"[\w\-.+~:/ ]+")
_SPACES = re.compile(r" {2,}")


def clean_value(raw: Any, *, lower: bool = False) -> str:
    """The value if it is short and made of harmless characters, else ""."""
    if not isinstance(raw, str):
        return ""
    value = _SPACES.sub(" ", unicodedata.normalize("NFC", raw)).strip()
    if not value or len(value) > MAX_LENGTH or not _ALLOWED.fullmatch(value):
        return ""
    return value.lower() if lower else value


def clean_page_id(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 10:
        value = int(raw)
    else:
        return None
    return value if 0 < value <= MAX_PAGE_ID else None


@dataclass(frozen=True)
class Attribution:
    landing_page_id: int | None = None
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""
    utm_content: str = ""
    utm_term: str = ""

    def __bool__(self) -> bool:
        return any(getattr(self, f.name) for f in fields(self))

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> Attribution:
        """From a landing URL's query string (``request.GET``)."""
        return cls(
            landing_page_id=clean_page_id(query.get(LANDING_PARAMETER)),
            **{name: clean_value(query.get(name), lower=name in CASE_INSENSITIVE)
               for name in UTM_PARAMETERS},
        )  # fmt: skip

    @classmethod
    def from_payload(cls, payload: Any) -> Attribution:
        """From what `as_payload` stored (a step token, a draft), checked again all the same."""
        if not isinstance(payload, Mapping):
            return cls()
        return cls(
            landing_page_id=clean_page_id(payload.get("landing_page_id")),
            **{name: clean_value(payload.get(name), lower=name in CASE_INSENSITIVE)
               for name in UTM_PARAMETERS},
        )  # fmt: skip

    def as_payload(self) -> dict[str, Any]:
        """Only what is set: small enough for a signed token."""
        return {name: value for name, value in asdict(self).items() if value}

    def as_query(self) -> str:
        """For links to the questionnaire: ``depuis=12&utm_source=…``."""
        params = [(LANDING_PARAMETER, self.landing_page_id)] if self.landing_page_id else []
        params += [(name, getattr(self, name)) for name in UTM_PARAMETERS if getattr(self, name)]
        return urlencode(params)

    def with_landing_page(self, page_id: int | None) -> Attribution:
        """The page a visitor started from wins over one carried from further back."""
        if not page_id:
            return self
        return Attribution(**{**asdict(self), "landing_page_id": page_id})

    def utm_fields(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in UTM_PARAMETERS}
