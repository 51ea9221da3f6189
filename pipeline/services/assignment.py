"""Who gets a new engagement: the consultant of its territory, else round robin."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Max

from pipeline.models import TerritoryRule
from pipeline.services.base import CONSULTANTS_GROUP

User = get_user_model()


def active_consultants():
    return User.objects.filter(is_active=True, groups__name=CONSULTANTS_GROUP).distinct()


def pick_owner(territory: str = "") -> AbstractBaseUser | None:
    """The consultant for a new engagement.

    A territory rule (e.g. "974" → the consultant based in La Réunion) wins when its consultant
    is still active; otherwise round robin: the active consultant who was given a new
    engagement the longest ago (never first).
    """
    if territory:
        rule = (
            TerritoryRule.objects.filter(territory=territory.upper())
            .select_related("consultant")
            .first()
        )
        if rule and active_consultants().filter(pk=rule.consultant_id).exists():
            return rule.consultant
    consultants = active_consultants().annotate(last_assigned=Max("engagements__created_at"))
    consultants = list(consultants.order_by("last_assigned", "pk"))
    # NULLs (never assigned) first on every database.
    never = [user for user in consultants if user.last_assigned is None]
    if never:
        return never[0]
    return min(consultants, key=lambda user: (user.last_assigned, user.pk), default=None)
