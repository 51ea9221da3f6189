"""Capability links to a roadmap, for pages and e-mails (design.md §5), through pipeline.tokens.

Every e-mail carries a fresh link that expires after ROADMAP_LINK_DAYS; "regenerate the link"
revokes them all. An expired or revoked link shows the "send me my link again" form.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation

from config.languages import clean_language
from pipeline import tokens

if TYPE_CHECKING:
    from pipeline.models import Contact, Roadmap

ROADMAP = "roadmap"
DIGEST_OPT_OUT = "roadmap_optout"


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _reverse(name: str, *args, language: str | None = None) -> str:
    # French is served without prefix; links in e-mails are French whatever the request,
    # unless written to someone who reads another language (Contact.language).
    with translation.override(clean_language(language)):
        return reverse(name, args=args)


def new_token(roadmap: Roadmap) -> str:
    expires = timezone.now() + timedelta(days=settings.ROADMAP_LINK_DAYS)
    return tokens.issue(ROADMAP, roadmap, expires_at=expires)


def page_path(raw: str, *, language: str | None = None) -> str:
    return _reverse("roadmap:page", raw, language=language)


def page_url(roadmap: Roadmap, *, language: str | None = None) -> str:
    """Absolute URL of the roadmap's private page (a fresh capability link)."""
    return absolute(page_path(new_token(roadmap), language=language))


def opt_out_url(contact: Contact) -> str:
    """A link that stops the digest e-mails for this person (it never expires)."""
    raw = tokens.issue(DIGEST_OPT_OUT, contact)
    return absolute(_reverse("roadmap:opt_out", raw, language=contact.language))


def resend_path() -> str:
    return _reverse("roadmap:resend")


def resolve(raw: str) -> Roadmap | None:
    """The published roadmap a raw link opens, with its engagement, organisation and
    consultant (two queries), or None when the link is unknown, expired or revoked."""
    from django.contrib.contenttypes.models import ContentType

    from pipeline.models import Roadmap

    row = tokens.lookup(ROADMAP, raw)
    if row is None or ContentType.objects.get_for_id(row.content_type_id).model_class() is not (
        Roadmap
    ):
        return None
    tokens.touch(row)
    return (
        Roadmap.objects.select_related("engagement__organisation", "engagement__owner")
        .filter(pk=row.object_id, version__gt=0)
        .first()
    )
