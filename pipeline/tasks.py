"""Celery tasks: thin wrappers over pipeline.outbox."""

from celery import shared_task

from pipeline import outbox


@shared_task(name="pipeline.tasks.send_notification", acks_late=True, ignore_result=True)
def send_notification_task(notification_id: int) -> str:
    return outbox.send_notification(notification_id).status


@shared_task(name="pipeline.tasks.dispatch_due_notifications", ignore_result=True)
def dispatch_due_notifications() -> int:
    return len(outbox.dispatch_due())


@shared_task(name="pipeline.tasks.redact_sent_notifications", ignore_result=True)
def redact_sent_notifications() -> int:
    return outbox.redact_sent()


@shared_task(name="pipeline.tasks.apply_retention", ignore_result=True)
def apply_retention() -> int:
    from pipeline.services import gdpr

    return gdpr.apply_retention()


@shared_task(name="pipeline.tasks.send_roadmap_digests", ignore_result=True)
def send_roadmap_digests() -> int:
    from pipeline.services import roadmaps

    return roadmaps.send_due_digests()
