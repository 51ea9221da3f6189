"""Business operations of the questionnaire: drafts, and recording a submission (saved, scored,
taken into the pipeline, confirmed by e-mail) in one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audits import scoring
from audits.catalogue_data import scoring_catalogue
from audits.steps import to_json
from calendar_sync.links import booking_url
from pipeline import outbox, tokens
from pipeline import services as pipeline_services
from pipeline.models import NotificationKind
from pipeline.services.base import team_language

if TYPE_CHECKING:
    from audience.attribution import Attribution
    from audits.models import AuditDraft, AuditPage, AuditSubmission

DRAFT_PURPOSE = "audit_draft"
RESULTS_PURPOSE = "audit_results"


@dataclass(frozen=True)
class RecordedSubmission:
    submission: AuditSubmission
    results_token: str


def page_url(page: AuditPage, route: str, *args: str) -> str:
    """Absolute URL of one of the questionnaire's sub-pages (links in e-mails)."""
    return urljoin(
        settings.SITE_URL + "/", page.url.lstrip("/") + page.reverse_subpage(route, args=args)
    )


# --- Drafts ------------------------------------------------------------------------------------


def draft_expiry(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) + timedelta(days=settings.AUDIT_DRAFT_DAYS)


@transaction.atomic
def save_draft(
    page: AuditPage,
    draft: AuditDraft | None,
    *,
    answers: Mapping[str, Any],
    step: int,
    started_at: datetime | None,
    attribution: Attribution | None = None,
) -> tuple[AuditDraft, str | None]:
    """Create or update the draft; returns it and, when just created, its raw link token.

    Each save pushes the expiry back: a draft expires AUDIT_DRAFT_DAYS after its last change.
    The campaign attribution is kept from the start, so a "resume" link still credits it.
    """
    from audits.models import AuditDraft

    expires_at = draft_expiry()
    if draft is None:
        draft = AuditDraft.objects.create(
            page=page,
            answers=to_json(dict(answers)),
            step=step,
            furthest_step=step,
            started_at=started_at or timezone.now(),
            expires_at=expires_at,
            attribution=attribution.as_payload() if attribution else {},
        )
        return draft, tokens.issue(DRAFT_PURPOSE, draft, expires_at=expires_at)
    if attribution and not draft.attribution:
        draft.attribution = attribution.as_payload()
    draft.answers = to_json(dict(answers))
    draft.step = step
    draft.furthest_step = max(draft.furthest_step, step)
    draft.expires_at = expires_at
    draft.save()
    tokens.expire_all(DRAFT_PURPOSE, draft, expires_at)
    return draft, None


def resolve_draft(page: AuditPage, raw: str) -> AuditDraft | None:
    from audits.models import AuditDraft

    draft = tokens.resolve(DRAFT_PURPOSE, raw, AuditDraft)
    if draft is None or draft.page_id != page.pk or draft.expires_at <= timezone.now():
        return None
    return draft


@transaction.atomic
def purge_expired_drafts(now: datetime | None = None) -> int:
    """Drafts hold personal data: they go when they expire, with their links."""
    from audits.models import AuditDraft

    expired = list(AuditDraft.objects.filter(expires_at__lte=now or timezone.now()))
    for draft in expired:
        tokens.revoke_all(DRAFT_PURPOSE, draft)
        draft.delete()
    return len(expired)


# --- Campaign attribution ---------------------------------------------------------------------


def attribution_fields(attribution: Attribution | None) -> dict[str, Any]:
    """Model fields for a validated attribution; a landing page that no longer exists (or
    never did: the id came from a URL) is left out."""
    if not attribution:
        return {}
    from wagtail.models import Page

    fields: dict[str, Any] = attribution.utm_fields()
    page_id = attribution.landing_page_id
    if page_id and Page.objects.filter(pk=page_id).exists():
        fields["landing_page_id"] = page_id
    return fields


# --- Submission --------------------------------------------------------------------------------


def find_by_nonce(nonce: str | None) -> AuditSubmission | None:
    from audits.models import AuditSubmission

    if not nonce:
        return None
    return AuditSubmission.objects.filter(nonce=nonce).first()


def issue_results_link(submission: AuditSubmission) -> str:
    expires_at = timezone.now() + timedelta(days=settings.AUDIT_RESULTS_LINK_DAYS)
    return tokens.issue(RESULTS_PURPOSE, submission, expires_at=expires_at)


def resolve_results(page: AuditPage, raw: str) -> AuditSubmission | None:
    from audits.models import AuditSubmission

    submission = tokens.resolve(RESULTS_PURPOSE, raw, AuditSubmission)
    if submission is None or submission.page_id != page.pk:
        return None
    return submission


def results_summary(submission: AuditSubmission) -> dict[str, Any]:
    """The diagnosis shown on the results page. A submission saved without one (imported, or
    recorded before scoring existed) is diagnosed from its answers rather than failing."""
    if submission.score_details and "exposed_tools" in submission.score_details:
        return submission.score_details
    return diagnose(submission.page.specific.mapped_answers(submission.form_data)).as_dict()


def diagnose(answers: Mapping[str, Any]) -> scoring.ScoreResult:
    grid = answers.get("tools_by_usage") or {}
    slugs = (
        {slug for picked in grid.values() for slug in picked} if isinstance(grid, dict) else set()
    )
    return scoring.score_answers(answers, scoring_catalogue(slugs), today=timezone.localdate())


@transaction.atomic
def record_submission(
    page: AuditPage,
    cleaned_data: Mapping[str, Any],
    *,
    nonce: str | None = None,
    draft: AuditDraft | None = None,
    attribution: Attribution | None = None,
) -> RecordedSubmission:
    """Save the answers, score them, open or update the engagement, queue the e-mails.

    The nonce is unique: a second POST of the same screen raises IntegrityError before
    anything else is written (the caller then shows the first submission's results).
    `attribution` (validated) is stored on the submission and credited to the engagement."""
    form_data = to_json(dict(cleaned_data))
    credited = attribution_fields(attribution)
    submission = page.get_submission_class().objects.create(
        page=page, form_data=form_data, nonce=nonce or None, **credited
    )
    answers = page.mapped_answers(form_data)
    result = diagnose(answers)
    details = result.as_dict()
    # The respondent reads the e-mails, and the pages they link to, in the questionnaire's
    # language; the contact keeps it for the meeting's invitations.
    language = page.locale.language_code
    with team_language():
        intake = pipeline_services.intake_submission(
            answers, source=page.title, score=result.score, score_details=details,
            attribution=credited, language=language,
        )  # fmt: skip
    submission.engagement = intake.engagement
    submission.score = result.score
    submission.score_details = details
    submission.save(update_fields=["engagement", "score", "score_details"])

    raw = issue_results_link(submission)
    outbox.queue_email(
        kind=NotificationKind.AUDIT_CONFIRMATION,
        to=[intake.contact.email],
        template="audit_confirmation",
        context={
            "contact": intake.contact,
            "organisation": intake.organisation,
            "engagement": intake.engagement,
            "summary": details,
            "results_url": page_url(page, "results", raw),
            "booking_url": booking_url(intake.engagement, language=language),
        },
        idempotency_key=f"audit-confirmation:{submission.pk}",
        engagement=intake.engagement,
        language=language,
    )
    if page.to_address:
        outbox.queue_email(
            kind=NotificationKind.INTERNAL_ALERT,
            to=[address.strip() for address in page.to_address.split(",")],
            template="internal_new_submission",
            context={"organisation": intake.organisation, "engagement": intake.engagement},
            idempotency_key=f"audit-internal-alert:{submission.pk}",
            engagement=intake.engagement,
        )
    if draft is not None and draft.pk:
        tokens.revoke_all(DRAFT_PURPOSE, draft)
        draft.delete()
    return RecordedSubmission(submission, raw)
