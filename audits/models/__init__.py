from audits.models.catalogue import (
    Alternative,
    AlternativeTarget,
    Host,
    Phase,
    Tool,
    Usage,
)
from audits.models.questionnaire import AuditFormField, AuditPage, AuditSubmission

__all__ = [
    "Alternative",
    "AlternativeTarget",
    "AuditFormField",
    "AuditPage",
    "AuditSubmission",
    "Host",
    "Phase",
    "Tool",
    "Usage",
]
