"""Periodic jobs of the campaign site (scheduled by Celery beat, see settings)."""

from celery import shared_task
from django.core.management import call_command


@shared_task(ignore_result=True)
def publish_scheduled_pages() -> None:
    """Publish pages whose go-live time has come and unpublish expired ones (Wagtail's own
    command; each publication also retires the page cache)."""
    call_command("publish_scheduled", verbosity=0)
