from audits.models.catalogue import (
    Alternative,
    AlternativeTarget,
    Host,
    Phase,
    Tool,
    Usage,
    UsageQuestionnaireTool,
)
from audits.models.questionnaire import (
    AuditDraft,
    AuditFieldType,
    AuditFormField,
    AuditPage,
    AuditSubmission,
    RejectionReason,
    SpamRejection,
)

__all__ = [
    "Alternative",
    "AlternativeTarget",
    "AuditDraft",
    "AuditFieldType",
    "AuditFormField",
    "AuditPage",
    "AuditSubmission",
    "Host",
    "Phase",
    "RejectionReason",
    "SpamRejection",
    "Tool",
    "Usage",
    "UsageQuestionnaireTool",
]
