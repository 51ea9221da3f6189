"""Business operations on the pipeline. Each is one transaction with its permission check,
its timeline entry and its outbox messages (design.md §2–3)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
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
from pipeline.stages import LostReason, Stage, is_allowed_move

CONSULTANTS_GROUP = "Consultants"
MARKETING_GROUP = "Marketing"

User = get_user_model()


class IllegalTransition(ValueError):
    """A stage move that design.md §3 does not allow."""


def _require(user: AbstractBaseUser | None, permission: str, engagement: Engagement | None = None):
    """System actions (user=None) are always allowed; people need the permission."""
    if user is None:
        return
    if not user.has_perm(permission):
        raise PermissionDenied(_("Vous n'avez pas le droit de faire cette action."))
    if (
        engagement is not None
        and not Engagement.objects.visible_to(user).filter(pk=engagement.pk).exists()
    ):
        raise PermissionDenied(_("Cet accompagnement ne vous est pas attribué."))


def _record_history_user(instance, user) -> None:
    # simple-history takes the request user from its middleware; services also run in tasks.
    if user is not None:
        instance._history_user = user


# --- Intake ------------------------------------------------------------------------------------


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


def pick_owner() -> AbstractBaseUser | None:
    """Round robin: the active consultant who was given a new engagement the longest ago."""
    consultants = (
        User.objects.filter(is_active=True, groups__name=CONSULTANTS_GROUP)
        .annotate(last_assigned=Max("engagements__created_at"))
        .order_by("last_assigned", "pk")
    )
    # NULLs (never assigned) first on every database.
    never = [user for user in consultants if user.last_assigned is None]
    return never[0] if never else consultants.first()


@transaction.atomic
def intake_submission(answers: Mapping[str, Any], *, source: str = "") -> IntakeResult:
    """Turn questionnaire answers (keyed by `maps_to`) into organisation, contact and engagement.

    An organisation with an open engagement gets the new answers on that engagement rather than
    a second one.
    """
    email = str(answers.get("email", "")).strip()
    name = str(answers.get("organisation_name", "")).strip() or email
    postcode = identity.normalise_postcode(str(answers.get("postcode", "")))
    siren = identity.normalise_siren(str(answers.get("siren", "")))

    organisation = find_organisation(email=email, name=name, postcode=postcode, siren=siren)
    created_organisation = organisation is None
    if organisation is None:
        territory = identity.territory_from_postcode(postcode)
        organisation = Organisation.objects.create(
            name=name[:200],
            kind=_known_choice(answers.get("organisation_type"), OrganisationType),
            headcount=str(answers.get("headcount", ""))[:16],
            siren=siren,
            domain=identity.organisation_domain(email),
            postcode=postcode,
            territory=territory,
            time_zone=identity.time_zone_for_territory(territory),
        )
    else:
        _complete_organisation(organisation, answers, siren=siren, postcode=postcode)

    contact = _upsert_contact(organisation, answers, email=email)

    engagement = organisation.engagements.open().order_by("-created_at").first()
    created_engagement = engagement is None
    if engagement is None:
        engagement = Engagement.objects.create(
            organisation=organisation,
            owner=pick_owner(),
            stage=Stage.NEW,
            source=source[:200],
            answers=dict(answers),
        )
        StageChange.objects.create(
            engagement=engagement, from_stage="", to_stage=Stage.NEW, note=_("Questionnaire reçu")
        )
    else:
        engagement.answers = dict(answers)
        engagement.save(update_fields=["answers", "updated_at"])

    activity = Activity.objects.create(
        engagement=engagement,
        kind=ActivityKind.SUBMISSION,
        summary=_("Questionnaire rempli par %(name)s") % {"name": contact.name},
        data={"contact_id": contact.pk, "new_engagement": created_engagement},
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


def _known_choice(value: Any, choices) -> str:
    return value if value in choices.values else ""


def _complete_organisation(organisation: Organisation, answers, *, siren: str, postcode: str):
    """Fill what we did not know yet; never overwrite what a consultant entered."""
    updates = {
        "kind": _known_choice(answers.get("organisation_type"), OrganisationType),
        "headcount": str(answers.get("headcount", ""))[:16],
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


def _upsert_contact(organisation: Organisation, answers, *, email: str) -> Contact:
    now = timezone.now()
    contact = organisation.contacts.filter(email__iexact=email).first() or Contact(
        organisation=organisation, email=email
    )
    contact.name = str(answers.get("contact_name", "")).strip()[:200] or contact.name or email
    contact.role = str(answers.get("role", "")).strip()[:200] or contact.role
    contact.phone = str(answers.get("phone", "")).strip()[:40] or contact.phone
    if answers.get("consent_contact") and not contact.consent_contact:
        contact.consent_contact, contact.consent_contact_at = True, now
    if answers.get("consent_newsletter") and not contact.consent_newsletter:
        contact.consent_newsletter, contact.consent_newsletter_at = True, now
    contact.save()
    return contact


# --- Stages ------------------------------------------------------------------------------------


@transaction.atomic
def move_stage(
    engagement: Engagement,
    to_stage: Stage | str,
    *,
    user: AbstractBaseUser | None,
    note: str = "",
) -> StageChange:
    """Move an engagement to another stage, if design.md §3 allows it."""
    _require(user, "pipeline.change_engagement", engagement)
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    to_stage = Stage(to_stage)
    from_stage = Stage(engagement.stage)
    if to_stage == Stage.LOST:
        raise IllegalTransition(_("Utilisez « Marquer comme perdu » pour indiquer une raison."))
    if not is_allowed_move(from_stage, to_stage, engagement.lost_from_stage):
        raise IllegalTransition(
            _("Passage impossible de « %(from)s » à « %(to)s ».")
            % {"from": from_stage.label, "to": to_stage.label}
        )
    if from_stage == Stage.LOST:
        engagement.lost_from_stage = ""
        engagement.lost_reason = ""
    return _apply_stage(engagement, to_stage, user=user, note=note)


@transaction.atomic
def mark_lost(
    engagement: Engagement,
    reason: LostReason | str,
    *,
    user: AbstractBaseUser | None,
    note: str = "",
) -> StageChange:
    _require(user, "pipeline.change_engagement", engagement)
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if not engagement.is_open:
        raise IllegalTransition(_("Seul un accompagnement en cours peut être marqué comme perdu."))
    engagement.lost_from_stage = engagement.stage
    engagement.lost_reason = LostReason(reason)
    return _apply_stage(engagement, Stage.LOST, user=user, note=note)


def reopen(engagement: Engagement, *, user: AbstractBaseUser | None, note: str = ""):
    """A lost engagement goes back to the stage it was lost from."""
    if engagement.stage != Stage.LOST or not engagement.lost_from_stage:
        raise IllegalTransition(_("Seul un accompagnement perdu peut être rouvert."))
    return move_stage(engagement, engagement.lost_from_stage, user=user, note=note)


def _apply_stage(engagement: Engagement, to_stage: Stage, *, user, note: str) -> StageChange:
    from_stage = engagement.stage
    now = timezone.now()
    engagement.stage = to_stage
    engagement.stage_changed_at = now
    _record_history_user(engagement, user)
    engagement._change_reason = note[:100] if note else ""
    engagement.save()
    change = StageChange.objects.create(
        engagement=engagement,
        from_stage=from_stage,
        to_stage=to_stage,
        changed_by=user,
        changed_at=now,
        note=note,
    )
    Activity.objects.create(
        engagement=engagement,
        kind=ActivityKind.STAGE_CHANGE,
        actor=user,
        occurred_at=now,
        summary=_("Étape : %(from)s → %(to)s")
        % {"from": Stage(from_stage).label, "to": to_stage.label},
        body=note,
        data={"from": from_stage, "to": to_stage},
    )
    return change


# --- Ownership and notes -----------------------------------------------------------------------


@transaction.atomic
def assign(
    engagement: Engagement, owner: AbstractBaseUser | None, *, user: AbstractBaseUser | None
) -> Engagement:
    """Give the engagement to a consultant, who is told by e-mail."""
    _require(user, "pipeline.change_engagement", engagement)
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if engagement.owner_id == (owner.pk if owner else None):
        return engagement
    engagement.owner = owner
    _record_history_user(engagement, user)
    engagement.save()
    activity = Activity.objects.create(
        engagement=engagement,
        kind=ActivityKind.ASSIGNMENT,
        actor=user,
        summary=_("Attribué à %(owner)s")
        % {"owner": owner.get_full_name() or owner.get_username() if owner else _("personne")},
    )
    if owner is not None and owner.email and owner != user:
        outbox.queue_email(
            kind=NotificationKind.CONSULTANT_ALERT,
            to=[owner.email],
            template="consultant_assigned",
            context={"engagement": engagement, "organisation": engagement.organisation},
            idempotency_key=f"assigned:{engagement.pk}:{activity.pk}",
            engagement=engagement,
        )
    return engagement


@transaction.atomic
def add_note(engagement: Engagement, text: str, *, user: AbstractBaseUser | None) -> Activity:
    _require(user, "pipeline.change_engagement", engagement)
    text = text.strip()
    if not text:
        raise ValueError(_("La note est vide."))
    return Activity.objects.create(
        engagement=engagement,
        kind=ActivityKind.NOTE,
        actor=user,
        summary=outbox.single_line(text, 120),
        body=text,
    )
