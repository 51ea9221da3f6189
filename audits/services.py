"""Recording a questionnaire submission: saved, taken into the pipeline, confirmed by e-mail,
all in one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction

from pipeline import outbox
from pipeline import services as pipeline_services
from pipeline.models import NotificationKind

if TYPE_CHECKING:
    from audits.models import AuditPage, AuditSubmission


@transaction.atomic
def record_submission(page: AuditPage, cleaned_data: Mapping[str, Any]) -> AuditSubmission:
    answers = page.mapped_answers(cleaned_data)
    submission = page.get_submission_class().objects.create(page=page, form_data=dict(cleaned_data))
    intake = pipeline_services.intake_submission(answers, source=page.title)
    submission.engagement = intake.engagement
    submission.save(update_fields=["engagement"])
    outbox.queue_email(
        kind=NotificationKind.AUDIT_CONFIRMATION,
        to=[intake.contact.email],
        template="audit_confirmation",
        context={
            "contact": intake.contact,
            "organisation": intake.organisation,
            "engagement": intake.engagement,
        },
        idempotency_key=f"audit-confirmation:{submission.pk}",
        engagement=intake.engagement,
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
    return submission
