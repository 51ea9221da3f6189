"""The site's languages, for code that writes in one: French first, English second."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language


def clean_language(value: str | None) -> str:
    """`value` if it is one of the site's languages, else the default (French)."""
    return value if value in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def english_active() -> bool:
    return (get_language() or "").startswith("en")


def localized(french: str, english: str) -> str:
    """For content kept in two fields (not translated pages): the English text while English
    is active and it is filled in, else the French."""
    return english if english and english_active() else french
