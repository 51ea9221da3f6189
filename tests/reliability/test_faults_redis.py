"""Redis (the Celery broker) stops in the middle of 100 questionnaire submissions."""

import os
import time
from collections import Counter

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail

from audits.models import AuditSubmission
from config.celery import app as celery_app
from pipeline.models import Notification, NotificationStatus
from pipeline.tasks import dispatch_due_notifications
from tests.audits.helpers import submit_questionnaire, valid_answers
from tests.services import PrivateRedis, use_broker

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

BEFORE, DURING, AFTER = 30, 40, 30


def wait_for(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def submit(client, index: int) -> None:
    answers = valid_answers(
        email=f"personne{index}@structure{index}.fr", organisation_name=f"Structure {index}"
    )
    response = submit_questionnaire(client, answers)
    assert response.status_code == 303, index  # straight to the results page, outage or not


def confirmations() -> Counter:
    return Counter(m.to[0] for m in mail.outbox if m.subject.startswith("Vos réponses") and m.to)


def test_redis_stopped_during_100_submissions_loses_and_duplicates_nothing(
    client, demo_site, settings
):
    """30 submissions, Redis stops, 40 more, Redis restarts, 30 more, beat ticks: 100 saved,
    100 confirmations, each sent exactly once."""
    settings.SPAM_PROTECTION = False  # one test client sends 100 questionnaires in a minute
    redis = PrivateRedis().start()
    queue = f"passerelle-redis-fault-{os.getpid()}-{time.monotonic_ns()}"
    saved_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        with use_broker(celery_app, redis.url):
            with start_worker(celery_app, pool="solo", perform_ping_check=False, queues=[queue]):
                for index in range(BEFORE):
                    submit(client, index)
                assert wait_for(lambda: sum(confirmations().values()) == BEFORE)

            redis.stop()
            for index in range(BEFORE, BEFORE + DURING):
                submit(client, index)
            stuck = Notification.objects.filter(
                kind="audit_confirmation", status=NotificationStatus.PENDING
            ).count()
            assert stuck == DURING
            assert sum(confirmations().values()) == BEFORE

            redis.start()
            with start_worker(celery_app, pool="solo", perform_ping_check=False, queues=[queue]):
                for index in range(BEFORE + DURING, BEFORE + DURING + AFTER):
                    submit(client, index)
                dispatch_due_notifications.apply_async()  # beat's next tick
                assert wait_for(lambda: sum(confirmations().values()) == 100)
                dispatch_due_notifications.apply_async()  # and the one after: nothing left
                time.sleep(1)
    finally:
        celery_app.conf.task_default_queue = saved_queue
        redis.stop()

    assert AuditSubmission.objects.count() == 100
    sent = confirmations()
    assert len(sent) == 100 and set(sent.values()) == {1}
    assert set(
        Notification.objects.filter(kind="audit_confirmation").values_list("status", flat=True)
    ) == {NotificationStatus.SENT}
