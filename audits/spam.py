"""Keeping robots out of the pipeline: honeypot, minimum time, rate limit per address.

`SPAM_PROTECTION=off` (load tests) turns off the minimum time and the rate limits, never the
honeypot. Rejections are counted per day and reason (no address, nothing personal), never
stored as leads.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django_ratelimit.core import is_ratelimited

from audits.models import AuditPage, RejectionReason, SpamRejection

HONEYPOT_FIELD = "hp_reference"


def protection_on() -> bool:
    return bool(getattr(settings, "SPAM_PROTECTION", True))


def honeypot_filled(request) -> bool:
    return bool(request.POST.get(HONEYPOT_FIELD, "").strip())


def too_fast(started_at: datetime | None) -> bool:
    if not protection_on() or started_at is None:
        return False
    elapsed = (timezone.now() - started_at).total_seconds()
    return elapsed < settings.AUDIT_MIN_SUBMIT_SECONDS


def _client_address(group: str, request) -> str:
    # Behind a proxy, set RATELIMIT_IP_META_KEY; here REMOTE_ADDR is the client.
    return request.META.get("REMOTE_ADDR") or "unknown"


def rate_limited(request, *, group: str, rate: str) -> bool:
    """Counts this request against `rate` for the client's address (django-ratelimit, on the
    default cache: shared in production with Redis, per process on local memory)."""
    if not protection_on() or not rate:
        return False
    return is_ratelimited(
        request, group=f"audits.{group}", key=_client_address, rate=rate, increment=True
    )


def count_rejection(page: AuditPage | None, reason: RejectionReason) -> None:
    day = timezone.localdate()
    updated = SpamRejection.objects.filter(page=page, day=day, reason=reason).update(
        count=F("count") + 1
    )
    if updated:
        return
    try:
        with transaction.atomic():
            SpamRejection.objects.create(page=page, day=day, reason=reason, count=1)
    except IntegrityError:  # created by a concurrent request in between
        SpamRejection.objects.filter(page=page, day=day, reason=reason).update(count=F("count") + 1)
