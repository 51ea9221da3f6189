"""Counting: add one to a day's counter, atomically, whatever the number of processes.

The usual case is one statement, ``UPDATE … SET views = views + 1`` on the day's row (the
database does the addition, so concurrent views are never lost). The first view of a page on
a given day inserts the row; if another process inserted it in between, the unique constraint
says so and the update runs again.

Counting never breaks a page: a database error while counting is logged and the visitor gets
the page all the same.
"""

from __future__ import annotations

import datetime
import logging

from django.db import DatabaseError, IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from audience.models import PageViewCount, QuestionnaireStepCount

logger = logging.getLogger(__name__)


def _increment(model: type[models.Model], field: str, **keys) -> None:
    if model.objects.filter(**keys).update(**{field: F(field) + 1}):
        return
    try:
        with transaction.atomic():
            model.objects.create(**keys, **{field: 1})
    except IntegrityError:  # created by a concurrent request in between
        model.objects.filter(**keys).update(**{field: F(field) + 1})


def _safely(model: type[models.Model], field: str, **keys) -> bool:
    try:
        _increment(model, field, **keys)
    except DatabaseError:
        logger.warning("audience counter not updated", exc_info=True, extra={"keys": keys})
        return False
    return True


def record_page_view(page_id: int, *, day: datetime.date | None = None) -> bool:
    """One more view of this page today (Paris time)."""
    return _safely(PageViewCount, "views", page_id=page_id, day=day or timezone.localdate())


def record_questionnaire_step(page_id: int, step: int, *, day: datetime.date | None = None) -> bool:
    """One more visitor sent screen `step` (1-based) of this questionnaire for the first time."""
    if step < 1:
        raise ValueError("steps are numbered from 1")
    return _safely(
        QuestionnaireStepCount, "count", page_id=page_id, step=step,
        day=day or timezone.localdate(),
    )  # fmt: skip
