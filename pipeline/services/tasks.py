"""Tasks and the next action of an engagement."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pipeline import outbox
from pipeline.models import Activity, ActivityKind, Engagement, NotificationKind, Task
from pipeline.services.base import actor_name, record_history_user, require


@transaction.atomic
def add_task(
    engagement: Engagement,
    title: str,
    *,
    user: AbstractBaseUser | None,
    due_date: datetime.date | None = None,
    assignee: AbstractBaseUser | None = None,
) -> Task:
    """A to-do on the engagement; someone else who is given it gets an e-mail."""
    require(user, "pipeline.add_task", engagement)
    title = outbox.single_line(title or "", 200)
    if not title:
        raise ValueError(_("Donnez un titre à la tâche."))
    task = Task(engagement=engagement, title=title, due_date=due_date, assignee=assignee)
    record_history_user(task, user)
    task.save()
    summary = _("Tâche ajoutée : %(title)s") % {"title": title}
    if assignee is not None:
        summary += " — " + _("pour %(name)s") % {"name": actor_name(assignee)}
    activity = Activity.objects.create(
        engagement=engagement,
        kind=ActivityKind.TASK,
        actor=user,
        summary=outbox.single_line(summary, 300),
        data={"task_id": task.pk, "event": "added"},
    )
    if assignee is not None and assignee != user and assignee.email:
        outbox.queue_email(
            kind=NotificationKind.CONSULTANT_ALERT,
            to=[assignee.email],
            template="task_assigned",
            context={
                "task": task,
                "engagement": engagement,
                "organisation": engagement.organisation,
                "by": actor_name(user),
            },
            idempotency_key=f"task-assigned:{task.pk}:{activity.pk}",
            engagement=engagement,
        )
    return task


@transaction.atomic
def complete_task(task: Task, *, user: AbstractBaseUser | None) -> Task:
    require(user, "pipeline.change_task", task.engagement)
    task = Task.objects.select_for_update(of=("self",)).get(pk=task.pk)
    if task.done:
        return task
    task.done = True
    task.done_at = timezone.now()
    record_history_user(task, user)
    task.save()
    Activity.objects.create(
        engagement_id=task.engagement_id,
        kind=ActivityKind.TASK,
        actor=user,
        summary=outbox.single_line(_("Tâche faite : %(title)s") % {"title": task.title}, 300),
        data={"task_id": task.pk, "event": "done"},
    )
    return task


@transaction.atomic
def reopen_task(task: Task, *, user: AbstractBaseUser | None) -> Task:
    require(user, "pipeline.change_task", task.engagement)
    task = Task.objects.select_for_update(of=("self",)).get(pk=task.pk)
    if not task.done:
        return task
    task.done = False
    task.done_at = None
    record_history_user(task, user)
    task.save()
    Activity.objects.create(
        engagement_id=task.engagement_id,
        kind=ActivityKind.TASK,
        actor=user,
        summary=outbox.single_line(_("Tâche rouverte : %(title)s") % {"title": task.title}, 300),
        data={"task_id": task.pk, "event": "reopened"},
    )
    return task


@transaction.atomic
def set_next_action(
    engagement: Engagement,
    text: str,
    due: datetime.date | None,
    *,
    user: AbstractBaseUser | None,
) -> Engagement:
    """What happens next and by when; shown on the board, highlighted once overdue."""
    require(user, "pipeline.change_engagement", engagement)
    engagement = Engagement.objects.select_for_update(of=("self",)).get(pk=engagement.pk)
    text = outbox.single_line(text or "", 200)
    if due is not None and not text:
        raise ValueError(_("Décrivez la prochaine action avant de lui donner une échéance."))
    if (engagement.next_action, engagement.next_action_due) == (text, due):
        return engagement
    engagement.next_action = text
    engagement.next_action_due = due
    record_history_user(engagement, user)
    engagement.save()
    return engagement
