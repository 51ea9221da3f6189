"""Capability links: ≥128-bit secrets from `secrets`, stored hashed, compared in constant time,
revocable and optionally expiring (design.md §5, issue "reliability").

    raw = tokens.issue("roadmap", roadmap, expires_at=None)   # put raw in the e-mailed URL
    roadmap = tokens.resolve("roadmap", raw, Roadmap)          # None when unknown/expired/revoked
    tokens.revoke_all("roadmap", roadmap)                      # "regenerate the link"
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from pipeline.models import AccessToken

TOKEN_BYTES = 32  # 256 bits
LAST_USE_PRECISION = timedelta(minutes=5)
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("ascii")).hexdigest()


def issue(purpose: str, target: models.Model, *, expires_at: datetime | None = None) -> str:
    """Create a new link for `target` and return the raw token (shown once, never stored)."""
    raw = secrets.token_urlsafe(TOKEN_BYTES)
    AccessToken.objects.create(
        purpose=purpose,
        token_hash=_digest(raw),
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        expires_at=expires_at,
    )
    return raw


def lookup(purpose: str, raw: str) -> AccessToken | None:
    """The usable token row for a raw token, or None (malformed, unknown, expired, revoked)."""
    if not isinstance(raw, str) or not _TOKEN_SHAPE.match(raw):
        return None
    digest = _digest(raw)
    row = AccessToken.objects.usable().filter(purpose=purpose, token_hash=digest).first()
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None
    return row


def touch(row: AccessToken) -> None:
    """Record the last use, to within LAST_USE_PRECISION: a calendar polling its feed, or a
    page under load, does not write to the database at every request."""
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USE_PRECISION:
        AccessToken.objects.filter(pk=row.pk).update(last_used_at=now)


def link(purpose: str, raw: str, model: type[models.Model]) -> AccessToken | None:
    """The usable link a raw token is, when it opens a `model` object (its id is
    `object_id`); records the last use. For callers that need the id, not the object."""
    row = lookup(purpose, raw)
    if row is None or ContentType.objects.get_for_id(row.content_type_id).model_class() is not (
        model
    ):
        return None
    touch(row)
    return row


def resolve(purpose: str, raw: str, model: type[models.Model]):
    """The object a raw token opens, or None. Records the last use."""
    row = link(purpose, raw, model)
    if row is None:
        return None
    return model._default_manager.filter(pk=row.object_id).first()


def revoke_all(purpose: str, target: models.Model) -> int:
    """Invalidate every link of this purpose for `target` (e.g. "regenerate the link")."""
    return AccessToken.objects.filter(
        purpose=purpose,
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        revoked_at__isnull=True,
    ).update(revoked_at=timezone.now())


def expire_all(purpose: str, target: models.Model, when: datetime) -> int:
    """Set an expiry on every live link of this purpose for `target`."""
    return AccessToken.objects.filter(
        purpose=purpose,
        content_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        revoked_at__isnull=True,
    ).update(expires_at=when)
