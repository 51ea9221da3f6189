"""Business operations on the pipeline. Each is one transaction with its permission check,
its timeline entry and its outbox messages (design.md §2–3).

Callers import from here: `from pipeline import services; services.move_stage(...)`.
"""

from pipeline.services.assignment import pick_owner
from pipeline.services.base import (
    CONSULTANTS_GROUP,
    MARKETING_GROUP,
    IllegalTransition,
    require,
    require_organisation,
)
from pipeline.services.engagements import add_note, assign, open_engagement
from pipeline.services.gdpr import (
    apply_retention,
    erase_contact,
    erase_organisation,
    export_contact,
    export_organisation,
)
from pipeline.services.importing import ImportFileError, ImportReport, import_leads
from pipeline.services.intake import IntakeResult, find_organisation, intake_submission
from pipeline.services.merge import MergeResult, merge_organisations
from pipeline.services.stages import mark_lost, move_stage, reopen
from pipeline.services.tasks import add_task, complete_task, reopen_task, set_next_action

__all__ = [
    "CONSULTANTS_GROUP",
    "MARKETING_GROUP",
    "IllegalTransition",
    "ImportFileError",
    "ImportReport",
    "IntakeResult",
    "MergeResult",
    "add_note",
    "add_task",
    "apply_retention",
    "assign",
    "complete_task",
    "erase_contact",
    "erase_organisation",
    "export_contact",
    "export_organisation",
    "find_organisation",
    "import_leads",
    "intake_submission",
    "mark_lost",
    "merge_organisations",
    "move_stage",
    "open_engagement",
    "pick_owner",
    "reopen",
    "reopen_task",
    "require",
    "require_organisation",
    "set_next_action",
]
