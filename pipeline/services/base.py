"""What every pipeline service shares: the permission check and the acting user."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.utils import translation
from django.utils.translation import gettext as _

from pipeline.models import Engagement

CONSULTANTS_GROUP = "Consultants"
MARKETING_GROUP = "Marketing"


def team_language() -> translation.override:
    """Texts written for the team (timeline, stage notes, alerts) are in the site's language,
    even when the organisation acts from an English page; what the visitor reads (errors,
    pages, their own e-mails) stays in theirs."""
    return translation.override(settings.LANGUAGE_CODE)


class IllegalTransition(ValueError):
    """A stage move that design.md §3 does not allow."""


def require(user: AbstractBaseUser | None, permission: str, engagement: Engagement | None = None):
    """System actions (user=None) are always allowed; people need the permission, and may be
    limited to their own engagements."""
    if user is None:
        return
    if not user.has_perm(permission):
        raise PermissionDenied(_("Vous n'avez pas le droit de faire cette action."))
    if (
        engagement is not None
        and not Engagement.objects.visible_to(user).filter(pk=engagement.pk).exists()
    ):
        raise PermissionDenied(_("Cet accompagnement ne vous est pas attribué."))


def record_history_user(instance, user) -> None:
    # simple-history takes the request user from its middleware; services also run in tasks.
    if user is not None:
        instance._history_user = user


def require_organisation(user: AbstractBaseUser | None, permission: str, organisation) -> None:
    """Like `require`, for operations on an organisation: consultants limited to their own
    engagements may only touch organisations they follow."""
    if user is None:
        return
    if not user.has_perm(permission):
        raise PermissionDenied(_("Vous n'avez pas le droit de faire cette action."))
    from pipeline import access

    if not access.can_see_organisation(user, organisation):
        raise PermissionDenied(_("Cette organisation ne vous est pas attribuée."))


def actor_name(user: AbstractBaseUser | None) -> str:
    if user is None:
        return _("Passerelle")
    return user.get_full_name() or user.get_username()
