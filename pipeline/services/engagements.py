"""Ownership of engagements and notes on their timeline."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from pipeline import outbox
from pipeline.models import Activity, ActivityKind, Engagement, NotificationKind
from pipeline.services.base import record_history_user, require


@transaction.atomic
def assign(
    engagement: Engagement, owner: AbstractBaseUser | None, *, user: AbstractBaseUser | None
) -> Engagement:
    """Give the engagement to a consultant, who is told by e-mail."""
    require(user, "pipeline.change_engagement", engagement)
    if owner is not None and not (owner.is_active and owner.has_perm("pipeline.change_engagement")):
        raise ValueError(
            _("%(name)s ne peut pas suivre d'accompagnement.")
            % {"name": owner.get_full_name() or owner.get_username()}
        )
    engagement = Engagement.objects.select_for_update(of=("self",)).get(pk=engagement.pk)
    if engagement.owner_id == (owner.pk if owner else None):
        return engagement
    engagement.owner = owner
    record_history_user(engagement, user)
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
    require(user, "pipeline.change_engagement", engagement)
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


@transaction.atomic
def open_engagement(
    organisation,
    *,
    user: AbstractBaseUser | None,
    owner: AbstractBaseUser | None = None,
    source: str = "",
) -> Engagement:
    """Start a new journey for a known organisation (a phone call, a fair, a referral).

    Refused while another one is open: the consultant continues that one instead.
    """
    from pipeline.models import Organisation, StageChange
    from pipeline.services.assignment import pick_owner
    from pipeline.services.base import require_organisation
    from pipeline.stages import Stage

    require_organisation(user, "pipeline.add_engagement", organisation)
    organisation = Organisation.objects.select_for_update(of=("self",)).get(pk=organisation.pk)
    if organisation.merged_into_id:
        raise ValueError(_("Cette organisation a été fusionnée dans une autre."))
    if organisation.engagements.open().exists():
        raise ValueError(_("Cette organisation a déjà un accompagnement en cours."))
    if owner is None:
        owner = user if user is not None and user.has_perm("pipeline.change_engagement") else None
        owner = owner or pick_owner(organisation.territory)
    engagement = Engagement(
        organisation=organisation,
        owner=owner,
        stage=Stage.NEW,
        source=outbox.single_line(source or _("Saisie manuelle"), 200),
    )
    record_history_user(engagement, user)
    engagement.save()
    StageChange.objects.create(
        engagement=engagement,
        from_stage="",
        to_stage=Stage.NEW,
        changed_by=user,
        note=_("Accompagnement ouvert à la main"),
    )
    Activity.objects.create(
        engagement=engagement,
        kind=ActivityKind.ASSIGNMENT,
        actor=user,
        summary=outbox.single_line(
            _("Accompagnement ouvert, attribué à %(owner)s")
            % {"owner": owner.get_full_name() or owner.get_username() if owner else _("personne")},
            300,
        ),
    )
    if owner is not None and owner != user and owner.email:
        outbox.queue_email(
            kind=NotificationKind.CONSULTANT_ALERT,
            to=[owner.email],
            template="consultant_assigned",
            context={"engagement": engagement, "organisation": organisation},
            idempotency_key=f"assigned:{engagement.pk}:opened",
            engagement=engagement,
        )
    return engagement
