from celery import shared_task

from audits import services


@shared_task
def purge_expired_drafts() -> int:
    return services.purge_expired_drafts()
