"""Aggregate questionnaire statistics for marketing: counts only, never a respondent."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from audits.catalogue_data import questionnaire_grid
from audits.models import AuditDraft, AuditFieldType, AuditPage, AuditSubmission, SpamRejection

# Free text and identities are personal data: statistics never read them.
PERSONAL_KINDS = {"singleline", "multiline", "email", "number", "url", "date", "datetime", "hidden"}


@dataclass
class AnswerCount:
    label: str
    count: int
    percent: int


@dataclass
class QuestionStats:
    label: str
    answered: int
    answers: list[AnswerCount] = field(default_factory=list)


@dataclass
class Statistics:
    page: AuditPage | None
    since: date
    total: int
    per_day: list[tuple[date, int]]
    max_per_day: int
    average_score: int | None
    drafts_in_progress: int
    questions: list[QuestionStats]
    rejections: list[tuple[str, int]]


def _count(values: Counter, labels: dict[str, str], answered: int) -> list[AnswerCount]:
    ordered = [(labels.get(value, value), count) for value, count in values.most_common()]
    return [
        AnswerCount(label, count, round(100 * count / answered) if answered else 0)
        for label, count in ordered
    ]


def compute(page: AuditPage | None, *, days: int = 30) -> Statistics:
    today = timezone.localdate()
    since = today - timedelta(days=days - 1)
    submissions = AuditSubmission.objects.filter(submit_time__date__gte=since)
    if page is not None:
        submissions = submissions.filter(page=page)

    by_day = dict(
        submissions.annotate(day=TruncDate("submit_time"))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    per_day = [
        (since + timedelta(days=i), by_day.get(since + timedelta(days=i), 0)) for i in range(days)
    ]
    scores = [s for s in submissions.values_list("score", flat=True) if s is not None]

    questions: list[QuestionStats] = []
    if page is not None:
        fields = [f for f in page.get_form_fields() if not f.is_layout]
        rows = list(submissions.values_list("form_data", flat=True))
        grid = None
        for item in fields:
            if item.field_type in PERSONAL_KINDS:
                continue
            values: Counter = Counter()
            answered = 0
            if item.field_type == AuditFieldType.TOOLS_BY_USAGE:
                grid = grid or questionnaire_grid()
                labels = {}
                for row in grid:
                    for option in row.options:
                        labels[f"{row.usage}:{option.value}"] = f"{row.label} — {option.label}"
                for data in rows:
                    picked = data.get(item.clean_name) or {}
                    if picked:
                        answered += 1
                    for usage, tools in picked.items():
                        values.update(f"{usage}:{tool}" for tool in tools)
            else:
                labels = item.choice_labels()
                if item.field_type == "checkbox":
                    labels = {"True": "Oui", "False": "Non"}
                for data in rows:
                    value = data.get(item.clean_name)
                    if value in (None, "", []):
                        continue
                    answered += 1
                    values.update(
                        [str(v) for v in value] if isinstance(value, list) else [str(value)]
                    )
            questions.append(QuestionStats(item.label, answered, _count(values, labels, answered)))

    rejections = SpamRejection.objects.filter(day__gte=since)
    if page is not None:
        rejections = rejections.filter(page=page)
    rejected = [
        (label, rejections.filter(reason=value).aggregate(n=Sum("count"))["n"] or 0)
        for value, label in SpamRejection._meta.get_field("reason").choices
    ]
    drafts = AuditDraft.objects.filter(expires_at__gt=timezone.now())
    if page is not None:
        drafts = drafts.filter(page=page)
    return Statistics(
        page=page,
        since=since,
        total=submissions.count(),
        per_day=per_day,
        max_per_day=max([n for _, n in per_day] or [0]),
        average_score=round(sum(scores) / len(scores)) if scores else None,
        drafts_in_progress=drafts.count(),
        questions=questions,
        rejections=rejected,
    )
