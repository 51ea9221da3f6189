"""Engagement stages and the moves allowed between them (design.md §3)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    NEW = "new", _("Nouveau")
    QUALIFIED = "qualified", _("Qualifié")
    MEETING_SCHEDULED = "meeting_scheduled", _("Rendez-vous planifié")
    MEETING_HELD = "meeting_held", _("Rendez-vous tenu")
    ROADMAP_DRAFT = "roadmap_draft", _("Feuille de route en préparation")
    ROADMAP_SHARED = "roadmap_shared", _("Feuille de route partagée")
    IN_TRANSITION = "in_transition", _("En transition")
    COMPLETED = "completed", _("Terminé")
    LOST = "lost", _("Perdu")


OPEN_STAGES = frozenset(Stage) - {Stage.COMPLETED, Stage.LOST}

# Board and funnel order.
PIPELINE_ORDER: tuple[Stage, ...] = (
    Stage.NEW,
    Stage.QUALIFIED,
    Stage.MEETING_SCHEDULED,
    Stage.MEETING_HELD,
    Stage.ROADMAP_DRAFT,
    Stage.ROADMAP_SHARED,
    Stage.IN_TRANSITION,
    Stage.COMPLETED,
    Stage.LOST,
)

ALLOWED_MOVES: dict[Stage, frozenset[Stage]] = {
    Stage.NEW: frozenset({Stage.QUALIFIED, Stage.MEETING_SCHEDULED, Stage.LOST}),
    Stage.QUALIFIED: frozenset({Stage.MEETING_SCHEDULED, Stage.LOST}),
    Stage.MEETING_SCHEDULED: frozenset(
        {Stage.MEETING_HELD, Stage.QUALIFIED, Stage.NEW, Stage.LOST}
    ),
    Stage.MEETING_HELD: frozenset({Stage.ROADMAP_DRAFT, Stage.MEETING_SCHEDULED, Stage.LOST}),
    Stage.ROADMAP_DRAFT: frozenset({Stage.ROADMAP_SHARED, Stage.LOST}),
    Stage.ROADMAP_SHARED: frozenset({Stage.IN_TRANSITION, Stage.ROADMAP_DRAFT, Stage.LOST}),
    Stage.IN_TRANSITION: frozenset({Stage.COMPLETED, Stage.LOST}),
    Stage.COMPLETED: frozenset(),
    # A lost engagement goes back to the stage it was lost from; checked in services.
    Stage.LOST: frozenset(OPEN_STAGES),
}


class LostReason(models.TextChoices):
    NO_ANSWER = "no_answer", _("Sans réponse")
    NOT_A_FIT = "not_a_fit", _("Pas le bon moment / pas adapté")
    BUDGET = "budget", _("Budget")
    CHOSE_OTHER = "chose_other", _("A choisi une autre solution")
    STAYS = "stays", _("Reste sur ses outils actuels")
    DUPLICATE = "duplicate", _("Doublon")
    SPAM = "spam", _("Indésirable")
    OTHER = "other", _("Autre")


def is_allowed_move(from_stage: str, to_stage: str, lost_from: str = "") -> bool:
    """True when an engagement in `from_stage` may move to `to_stage`."""
    if from_stage == Stage.LOST:
        return bool(lost_from) and to_stage == lost_from
    return Stage(to_stage) in ALLOWED_MOVES.get(Stage(from_stage), frozenset())
