"""Stage changes: the only place an engagement's stage moves (design.md §3)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pipeline.models import Activity, ActivityKind, Engagement, StageChange
from pipeline.services.base import IllegalTransition, record_history_user, require
from pipeline.stages import LostReason, Stage, is_allowed_move


@transaction.atomic
def move_stage(
    engagement: Engagement,
    to_stage: Stage | str,
    *,
    user: AbstractBaseUser | None,
    note: str = "",
) -> StageChange:
    """Move an engagement to another stage, if design.md §3 allows it."""
    require(user, "pipeline.change_engagement", engagement)
    engagement = Engagement.objects.select_for_update(of=("self",)).get(pk=engagement.pk)
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
    require(user, "pipeline.change_engagement", engagement)
    engagement = Engagement.objects.select_for_update(of=("self",)).get(pk=engagement.pk)
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
    record_history_user(engagement, user)
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
