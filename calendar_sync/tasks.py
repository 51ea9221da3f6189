"""Celery tasks: thin wrappers over calendar_sync services."""

from celery import shared_task

from calendar_sync import busy, services


@shared_task(name="calendar_sync.tasks.send_due_reminders", ignore_result=True)
def send_due_reminders() -> int:
    return services.send_due_reminders()


@shared_task(name="calendar_sync.tasks.sync_busy_times", ignore_result=True)
def sync_busy_times() -> int:
    return busy.sync_all()
