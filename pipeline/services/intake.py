"""Intake: questionnaire answers become an organisation, a contact and an engagement."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pipeline import identity, outbox
from pipeline.models import (
    Activity,
    ActivityKind,
    Contact,
    Engagement,
    NotificationKind,
    Organisation,
    OrganisationType,
    StageChange,
)
from pipeline.services.assignment import pick_owner
from pipeline.stages import Stage


@dataclass(frozen=True)
class IntakeResult:
    organisation: Organisation
    contact: Contact
    engagement: Engagement
    created_organisation: bool
    created_engagement: bool


def find_organisation(
    *, email: str, name: str, postcode: str = "", siren: str = ""
) -> Organisation | None:
    """The organisation these answers belong to: by SIREN, else own e-mail domain, else name
    and postcode. Merged organisations point at the one that absorbed them."""
    candidates = Organisation.objects.filter(merged_into__isnull=True)
    siren = identity.normalise_siren(siren)
    if siren:
        match = candidates.filter(siren=siren).order_by("pk").first()
        if match:
            return match
    domain = identity.organisation_domain(email)
    if domain:
        match = candidates.filter(domain=domain).order_by("pk").first()
        if match:
            return match
    postcode = identity.normalise_postcode(postcode)
    wanted = identity.normalise_name(name)
    if wanted:
        for organisation in candidates.filter(postcode=postcode).order_by("pk"):
            if identity.normalise_name(organisation.name) == wanted:
                return organisation
    return None


def _text(answers: Mapping[str, Any], key: str) -> str:
    """An answer as text; a missing or empty (None) answer is "", never "None"."""
    value = answers.get(key)
    return "" if value is None else str(value).strip()


@transaction.atomic
def intake_submission(
    answers: Mapping[str, Any],
    *,
    source: str = "",
    score: int | None = None,
    score_details: Mapping[str, Any] | None = None,
    attribution: Mapping[str, Any] | None = None,
    language: str = "",
) -> IntakeResult:
    """Turn questionnaire answers (keyed by `maps_to`) into organisation, contact and engagement.

    An organisation with an open engagement gets the new answers (and the new diagnosis) on
    that engagement rather than a second one. `attribution` (``landing_page_id`` and the
    ``utm_*`` fields, already validated) is the campaign the engagement is credited to: the
    first one that brought it (a later questionnaire fills it only when it was unknown).
    """
    attribution_fields = _attribution_fields(attribution)
    email = _text(answers, "email")
    name = _text(answers, "organisation_name") or email
    postcode = identity.normalise_postcode(_text(answers, "postcode"))
    siren = identity.normalise_siren(_text(answers, "siren"))

    organisation = find_organisation(email=email, name=name, postcode=postcode, siren=siren)
    created_organisation = organisation is None
    if organisation is None:
        territory = identity.territory_from_postcode(postcode)
        organisation = Organisation.objects.create(
            name=name[:200],
            kind=_known_choice(answers.get("organisation_type"), OrganisationType),
            headcount=_text(answers, "headcount")[:16],
            siren=siren,
            domain=identity.organisation_domain(email),
            postcode=postcode,
            territory=territory,
            time_zone=identity.time_zone_for_territory(territory),
        )
    else:
        _complete_organisation(organisation, answers, siren=siren, postcode=postcode)

    contact = _upsert_contact(organisation, answers, email=email, language=language)

    engagement = organisation.engagements.open().order_by("-created_at").first()
    created_engagement = engagement is None
    if engagement is None:
        engagement = Engagement.objects.create(
            organisation=organisation,
            owner=pick_owner(organisation.territory),
            stage=Stage.NEW,
            source=source[:200],
            answers=dict(answers),
            score=score,
            score_details=dict(score_details or {}),
            **attribution_fields,
        )
        StageChange.objects.create(
            engagement=engagement, from_stage="", to_stage=Stage.NEW, note=_("Questionnaire reçu")
        )
    else:
        engagement.answers = dict(answers)
        fields = ["answers", "updated_at"]
        if score is not None:
            engagement.score = score
            engagement.score_details = dict(score_details or {})
            fields += ["score", "score_details"]
        if attribution_fields and not _has_attribution(engagement):
            for name, value in attribution_fields.items():
                setattr(engagement, name, value)
            fields += list(attribution_fields)
        engagement.save(update_fields=fields)

    activity = Activity.objects.create(
        engagement=engagement,
        kind=ActivityKind.SUBMISSION,
        summary=_("Questionnaire rempli par %(name)s") % {"name": contact.name},
        data={
            "contact_id": contact.pk,
            "new_engagement": created_engagement,
            "score": score,
        },
    )
    if engagement.owner and engagement.owner.email:
        outbox.queue_email(
            kind=NotificationKind.CONSULTANT_ALERT,
            to=[engagement.owner.email],
            template="consultant_new_submission",
            context={"engagement": engagement, "organisation": organisation, "contact": contact},
            idempotency_key=f"consultant-alert:submission:{activity.pk}",
            engagement=engagement,
        )
    return IntakeResult(organisation, contact, engagement, created_organisation, created_engagement)


ATTRIBUTION_FIELDS = (
    "landing_page_id",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
)


def _attribution_fields(attribution: Mapping[str, Any] | None) -> dict[str, Any]:
    """The known attribution fields that carry a value."""
    if not attribution:
        return {}
    fields = {name: attribution.get(name) for name in ATTRIBUTION_FIELDS}
    return {name: value for name, value in fields.items() if value}


def _has_attribution(engagement: Engagement) -> bool:
    return any(getattr(engagement, name) for name in ATTRIBUTION_FIELDS)


def _known_choice(value: Any, choices) -> str:
    return value if value in choices.values else ""


def _complete_organisation(organisation: Organisation, answers, *, siren: str, postcode: str):
    """Fill what we did not know yet; never overwrite what a consultant entered."""
    updates = {
        "kind": _known_choice(answers.get("organisation_type"), OrganisationType),
        "headcount": _text(answers, "headcount")[:16],
        "siren": siren,
        "postcode": postcode,
    }
    changed = [f for f, v in updates.items() if v and not getattr(organisation, f)]
    for field in changed:
        setattr(organisation, field, updates[field])
    if "postcode" in changed and not organisation.territory:
        organisation.territory = identity.territory_from_postcode(postcode)
        organisation.time_zone = identity.time_zone_for_territory(organisation.territory)
        changed += ["territory", "time_zone"]
    if changed:
        organisation.save(update_fields=[*changed, "updated_at"])


def _upsert_contact(
    organisation: Organisation, answers, *, email: str, language: str = ""
) -> Contact:
    now = timezone.now()
    contact = organisation.contacts.filter(email__iexact=email).first() or Contact(
        organisation=organisation, email=email
    )
    contact.name = _text(answers, "contact_name")[:200] or contact.name or email
    contact.role = _text(answers, "role")[:200] or contact.role
    contact.phone = _text(answers, "phone")[:40] or contact.phone
    if language in dict(settings.LANGUAGES):
        contact.language = language
    if answers.get("consent_contact") and not contact.consent_contact:
        contact.consent_contact, contact.consent_contact_at = True, now
    if answers.get("consent_newsletter") and not contact.consent_newsletter:
        contact.consent_newsletter, contact.consent_newsletter_at = True, now
    contact.save()
    return contact
