"""The outbox with a real Celery worker and a real Redis broker."""

from __future__ import annotations

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from audits.models import AuditSubmission
from config.celery import app as celery_app
from pipeline.models import Notification, NotificationStatus
from pipeline.tasks import dispatch_due_notifications
from tests.audits.helpers import submit_questionnaire
from tests.services import PrivateRedis, free_port, use_broker

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def wait_for(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def confirmations():
    return [m for m in mail.outbox if m.to == ["jeanne@amis-du-velo.fr"]]


@pytest.fixture
def redis_broker_url():
    """CI's Redis when CELERY_BROKER_URL names one, else a private redis-server."""
    url = os.environ.get("CELERY_BROKER_URL", "")
    if url.startswith("redis://"):
        yield url
        return
    server = PrivateRedis().start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def private_queue(settings):
    """A queue of our own so parallel runs on a shared Redis never steal each other's tasks."""
    name = f"passerelle-test-{os.getpid()}-{time.monotonic_ns()}"
    saved = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = name
    yield name
    celery_app.conf.task_default_queue = saved


def test_real_worker_sends_the_confirmation_exactly_once(
    client, demo_site, redis_broker_url, private_queue
):
    """Submit with a real worker behind Redis: one confirmation, sent by the worker."""
    with (
        use_broker(celery_app, redis_broker_url),
        start_worker(celery_app, pool="solo", perform_ping_check=False, queues=[private_queue]),
    ):
        response = submit_questionnaire(client)
        assert response.status_code == 303
        assert wait_for(
            lambda: Notification.objects.filter(
                kind="audit_confirmation", status=NotificationStatus.SENT
            ).exists()
        )
        # A late beat tick must not send it again.
        dispatch_due_notifications.apply_async()
        time.sleep(1)
    assert len(confirmations()) == 1


def test_broker_outage_loses_nothing_and_sends_once_when_back(client, demo_site, private_queue):
    """Broker down at submit time: saved, success shown; sent once when the broker returns."""
    port = free_port()
    redis = PrivateRedis(port)
    with use_broker(celery_app, redis.url):
        response = submit_questionnaire(client)
        assert response.status_code == 303
        assert "Votre diagnostic" in client.get(response["Location"]).content.decode()
        assert AuditSubmission.objects.count() == 1
        pending = Notification.objects.get(kind="audit_confirmation")
        assert pending.status == NotificationStatus.PENDING
        assert confirmations() == []

        redis.start()
        try:
            with start_worker(
                celery_app, pool="solo", perform_ping_check=False, queues=[private_queue]
            ):
                # What beat does every OUTBOX_DISPATCH_INTERVAL seconds, twice.
                dispatch_due_notifications.apply_async()
                assert wait_for(lambda: len(confirmations()) == 1)
                dispatch_due_notifications.apply_async()
                time.sleep(1)
        finally:
            redis.stop()
    pending.refresh_from_db()
    assert pending.status == NotificationStatus.SENT
    assert len(confirmations()) == 1
