from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from pipeline import outbox
from pipeline.factories import EngagementFactory
from pipeline.models import ActivityKind, Notification, NotificationKind, NotificationStatus

pytestmark = pytest.mark.django_db


def queue(key="k1", **kwargs):
    params = {
        "kind": NotificationKind.OTHER,
        "to": ["someone@example.org"],
        "template": "consultant_assigned",
        "context": {"organisation": {"name": "Asso"}, "engagement": {"pk": 1}},
        "idempotency_key": key,
    }
    params.update(kwargs)
    return outbox.queue_email(**params)


class FailingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP down")


def test_message_is_sent_after_commit_not_before(run_on_commit):
    """Nothing leaves before the business transaction commits; then it goes out once."""
    with run_on_commit() as callbacks:
        notification = queue()
        assert mail.outbox == []
    assert len(callbacks) == 1
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    assert len(mail.outbox) == 1


def test_same_idempotency_key_queues_one_message(run_on_commit):
    """Queuing twice with the same key returns the first row and sends one e-mail."""
    with run_on_commit():
        first = queue()
        second = queue()
    assert first.pk == second.pk
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_a_claimed_row_is_never_sent_twice():
    """Two workers racing for one row: the conditional claim lets only one send."""
    notification = queue()
    assert outbox.send_notification(notification.pk).status == "sent"
    assert outbox.send_notification(notification.pk).skipped
    assert len(mail.outbox) == 1


def test_smtp_failure_backs_off_then_gives_up_and_alerts(settings):
    """Failures are retried later with growing delays, then marked dead with an alert."""
    settings.EMAIL_BACKEND = "tests.pipeline.test_outbox.FailingBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 3
    engagement = EngagementFactory()
    notification = queue(engagement=engagement)

    outcome = outbox.send_notification(notification.pk)
    notification.refresh_from_db()
    assert outcome.status == NotificationStatus.FAILED
    first_delay = notification.next_attempt_at - timezone.now()
    assert timedelta(seconds=50) < first_delay <= timedelta(seconds=60)
    assert "SMTP down" in notification.last_error

    assert outbox.send_notification(notification.pk).skipped  # not due yet
    outbox.send_notification(notification.pk, ignore_schedule=True)
    notification.refresh_from_db()
    assert notification.next_attempt_at - timezone.now() > timedelta(seconds=100)

    outbox.send_notification(notification.pk, ignore_schedule=True)
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.DEAD
    assert notification.attempts == 3
    alert = engagement.activities.get(kind=ActivityKind.ALERT)
    assert alert.notification == notification


def test_periodic_dispatch_sends_what_is_due_once(settings):
    """The beat task sends due rows and leaves the others for later."""
    due = queue("due")
    later = queue("later")
    Notification.objects.filter(pk=later.pk).update(
        status=NotificationStatus.FAILED, next_attempt_at=timezone.now() + timedelta(hours=1)
    )
    outcomes = outbox.dispatch_due()
    assert [o.notification_id for o in outcomes] == [due.pk]
    assert outbox.dispatch_due() == []
    assert len(mail.outbox) == 1


def test_rows_stuck_in_sending_are_retried_with_the_same_message_id(settings):
    """A worker that died mid-send leaves a row that goes back to the queue, same Message-ID."""
    notification = queue()
    Notification.objects.filter(pk=notification.pk).update(
        status=NotificationStatus.SENDING,
        claimed_at=timezone.now() - timedelta(seconds=settings.OUTBOX_SENDING_TIMEOUT_SECONDS + 1),
    )
    outbox.dispatch_due()
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    assert mail.outbox[0].extra_headers["Message-ID"] == notification.message_id


def test_send_outbox_command_ignores_backoff_and_prints_each_message(settings):
    """`send_outbox` sends pending and failed rows now; dead ones only with --include-dead."""
    failed = queue("failed")
    dead = queue("dead")
    Notification.objects.filter(pk=failed.pk).update(
        status=NotificationStatus.FAILED, next_attempt_at=timezone.now() + timedelta(hours=5)
    )
    Notification.objects.filter(pk=dead.pk).update(status=NotificationStatus.DEAD)

    output = StringIO()
    call_command("send_outbox", stdout=output)
    assert f"#{failed.pk}" in output.getvalue()
    assert f"#{dead.pk}" not in output.getvalue()
    assert len(mail.outbox) == 1

    call_command("send_outbox", "--include-dead", stdout=StringIO())
    assert len(mail.outbox) == 2
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


def test_invalid_or_injected_recipients_are_refused():
    """A recipient with a line break or no @ never reaches the outbox."""
    with pytest.raises(outbox.InvalidRecipient):
        queue(to=["victim@example.org\r\nBcc: other@example.org"])
    with pytest.raises(outbox.InvalidRecipient):
        queue(to=["nobody"])
    assert not Notification.objects.exists()


def test_bodies_are_redacted_after_the_retention_period(settings):
    """Sent messages lose their bodies (which may hold private links) after retention."""
    notification = queue()
    outbox.send_notification(notification.pk)
    Notification.objects.filter(pk=notification.pk).update(
        sent_at=timezone.now() - timedelta(days=settings.OUTBOX_RETENTION_DAYS + 1)
    )
    assert outbox.redact_sent() == 1
    notification.refresh_from_db()
    assert notification.body_text == "" and notification.body_html == ""
    assert notification.redacted_at is not None


def test_an_unreachable_broker_is_tried_once_then_left_alone_for_a_while(
    monkeypatch, run_on_commit
):
    """During an outage only the first request waits for the broker; the rows stay pending."""
    from kombu.exceptions import OperationalError

    from pipeline.tasks import send_notification_task

    attempts = []

    def unreachable(*args, **kwargs):
        attempts.append(args)
        raise OperationalError("connection refused")

    monkeypatch.setattr(send_notification_task, "apply_async", unreachable)
    with run_on_commit():
        for index in range(5):
            queue(f"outage-{index}")
    assert len(attempts) == 1
    assert set(Notification.objects.values_list("status", flat=True)) == {"pending"}
    assert len(outbox.dispatch_due()) == 5  # beat sends them


@pytest.mark.django_db(transaction=True)
def test_inside_a_request_the_hand_off_waits_for_the_response_to_be_sent(
    demo_site, settings, monkeypatch
):
    """The questionnaire POST does no network I/O: the broker is called when the server closes
    the response, after the visitor has it."""
    from django.http.response import HttpResponseBase
    from django.test import Client

    from pipeline.tasks import send_notification_task
    from tests.audits.helpers import submit_questionnaire

    settings.OUTBOX_DEFER_PUBLISH = True
    events = []
    monkeypatch.setattr(
        send_notification_task, "apply_async", lambda *a, **k: events.append("publish")
    )
    original_close = HttpResponseBase.close

    def close(response):
        events.append("response sent")
        original_close(response)

    monkeypatch.setattr(HttpResponseBase, "close", close)

    class RecordingClient(Client):
        def request(self, **request):
            events.append("request")
            return super().request(**request)

    assert submit_questionnaire(RecordingClient()).status_code == 303
    last_request = len(events) - 1 - events[::-1].index("request")
    assert events[last_request:][:2] == ["request", "response sent"]
    assert "publish" in events[last_request:]
