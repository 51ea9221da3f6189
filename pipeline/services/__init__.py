"""Business operations on the pipeline. Each is one transaction with its permission check,
its timeline entry and its outbox messages (design.md §2–3).

Callers import from here: `from pipeline import services; services.move_stage(...)`.
"""

from pipeline.services.base import (
    CONSULTANTS_GROUP,
    MARKETING_GROUP,
    IllegalTransition,
    require,
)
from pipeline.services.engagements import add_note, assign
from pipeline.services.intake import (
    IntakeResult,
    find_organisation,
    intake_submission,
    pick_owner,
)
from pipeline.services.stages import mark_lost, move_stage, reopen

__all__ = [
    "CONSULTANTS_GROUP",
    "MARKETING_GROUP",
    "IllegalTransition",
    "IntakeResult",
    "add_note",
    "assign",
    "find_organisation",
    "intake_submission",
    "mark_lost",
    "move_stage",
    "pick_owner",
    "reopen",
    "require",
]
