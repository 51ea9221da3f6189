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
from pipeline.services.roadmaps import RoadmapError, save_roadmap_form
from pipeline.services.roadmaps import complete as complete_roadmap
from pipeline.services.roadmaps import generate_draft as generate_roadmap_draft
from pipeline.services.roadmaps import opt_out as opt_out_of_roadmap_digests
from pipeline.services.roadmaps import organisation_comment as comment_roadmap_item
from pipeline.services.roadmaps import organisation_set_status as organisation_set_item_status
from pipeline.services.roadmaps import progress as roadmap_progress
from pipeline.services.roadmaps import publish as publish_roadmap
from pipeline.services.roadmaps import regenerate_link as regenerate_roadmap_link
from pipeline.services.roadmaps import resend_links as resend_roadmap_links
from pipeline.services.roadmaps import send_due_digests as send_roadmap_digests
from pipeline.services.roadmaps import set_item_status as set_roadmap_item_status
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
    "RoadmapError",
    "add_note",
    "add_task",
    "apply_bounce_report",
    "apply_retention",
    "assign",
    "clear_bounce",
    "comment_roadmap_item",
    "complete_roadmap",
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
    "generate_roadmap_draft",
    "import_leads",
    "intake_submission",
    "mark_lost",
    "merge_organisations",
    "move_stage",
    "open_engagement",
    "opt_out_of_roadmap_digests",
    "organisation_set_item_status",
    "pick_owner",
    "preview_email",
    "publish_roadmap",
    "regenerate_roadmap_link",
    "reopen",
    "reopen_task",
    "require",
    "require_organisation",
    "resend_roadmap_links",
    "retry_notification",
    "roadmap_progress",
    "save_draft",
    "save_roadmap_form",
    "send_email",
    "send_from_template",
    "send_roadmap_digests",
    "set_next_action",
    "set_roadmap_item_status",
]
