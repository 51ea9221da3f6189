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
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
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
