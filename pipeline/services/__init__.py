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
from pipeline.services.deliverability import (
    BounceOutcome,
    apply_bounce_report,
    clear_bounce,
    dismiss_notification,
    flag_address,
    retry_notification,
)
from pipeline.services.emails import (
    EmailError,
    discard_draft,
    draft_from_template,
    preview_email,
    save_draft,
    send_email,
    send_from_template,
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
    "BounceOutcome",
    "EmailError",
    "IllegalTransition",
    "ImportFileError",
    "ImportReport",
    "IntakeResult",
    "MergeResult",
    "add_note",
    "add_task",
    "apply_bounce_report",
    "apply_retention",
    "assign",
    "clear_bounce",
    "complete_task",
    "discard_draft",
    "dismiss_notification",
    "draft_from_template",
    "erase_contact",
    "erase_organisation",
    "export_contact",
    "export_organisation",
    "find_organisation",
    "flag_address",
    "import_leads",
    "intake_submission",
    "mark_lost",
    "merge_organisations",
    "move_stage",
    "open_engagement",
    "pick_owner",
    "preview_email",
    "reopen",
    "reopen_task",
    "require",
    "require_organisation",
    "retry_notification",
    "save_draft",
    "send_email",
    "send_from_template",
    "set_next_action",
]
