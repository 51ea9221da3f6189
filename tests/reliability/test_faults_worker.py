"""A worker killed while sending: the message still goes out, and only once."""

import os
import time

import pytest
from django.db import transaction

from config.celery import app as celery_app
from pipeline import outbox
from pipeline.models import Notification, NotificationKind, NotificationStatus
from pipeline.tasks import dispatch_due_notifications
from tests.services import PrivateRedis, SmtpSink, WorkerProcess, use_broker

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def wait_for(condition, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_worker_killed_mid_send_does_not_duplicate_the_email(demo_site):
    """SIGKILL while the worker talks to SMTP (before any message data: outside the crash window
    no system can close); the row is released after the timeout and delivered exactly once,
    as counted by the SMTP server."""
    redis = PrivateRedis().start()
    sink = SmtpSink().start()
    queue = f"passerelle-kill-{os.getpid()}-{time.monotonic_ns()}"
    worker_env = {"EMAIL_URL": sink.url, "OUTBOX_SENDING_TIMEOUT_SECONDS": "1"}
    first = second = None
    try:
        with use_broker(celery_app, redis.url):
            saved_queue = celery_app.conf.task_default_queue
            celery_app.conf.task_default_queue = queue
            try:
                first = WorkerProcess(redis.url, queue, **worker_env).start()
                sink.hold_mail_from.set()
                with transaction.atomic():
                    notification = outbox.queue_email(
                        kind=NotificationKind.OTHER,
                        to=["jeanne@amis-du-velo.fr"],
                        template="consultant_assigned",
                        context={"organisation": {"name": "Asso"}, "engagement": {"pk": 1}},
                        idempotency_key="kill-test",
                    )
                assert sink.client_waiting.wait(30), "".join(first.output[-30:])
                first.kill()
                sink.hold_mail_from.clear()
                notification.refresh_from_db()
                assert notification.status == NotificationStatus.SENDING
                assert sink.accepted == []

                second = WorkerProcess(redis.url, queue, **worker_env).start()
                time.sleep(1.2)  # past OUTBOX_SENDING_TIMEOUT_SECONDS
                dispatch_due_notifications.apply_async()
                assert wait_for(
                    lambda: (
                        Notification.objects.get(pk=notification.pk).status
                        == NotificationStatus.SENT
                    )
                ), "".join(second.output[-30:])
                dispatch_due_notifications.apply_async()
                time.sleep(1.5)
            finally:
                celery_app.conf.task_default_queue = saved_queue
    finally:
        for worker in (first, second):
            if worker:
                worker.stop()
        sink.stop()
        redis.stop()
    notification.refresh_from_db()
    assert sink.accepted == [notification.message_id]
    assert notification.attempts == 2
