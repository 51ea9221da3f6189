"""The outbox against a real SMTP server that goes away and comes back."""

from collections import Counter

import pytest
from django.core.management import call_command

from pipeline import outbox
from pipeline.models import Notification, NotificationKind, NotificationStatus
from tests.services import SmtpSink, free_port

pytestmark = pytest.mark.django_db

MESSAGES = 25


def queue_many(count: int) -> list[Notification]:
    return [
        outbox.queue_email(
            kind=NotificationKind.OTHER,
            to=[f"personne{index}@example.org"],
            template="consultant_assigned",
            context={"organisation": {"name": f"Asso {index}"}, "engagement": {"pk": index}},
            idempotency_key=f"fault-smtp-{index}",
        )
        for index in range(count)
    ]


@pytest.fixture
def smtp_settings(settings):
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_TIMEOUT = 2
    return port


def test_smtp_down_then_up_delivers_every_pending_message_once(smtp_settings, capsys):
    """With the SMTP server down every send fails and is kept; back up, each goes out once."""
    queue_many(MESSAGES)
    outcomes = outbox.dispatch_due()
    assert Counter(o.status for o in outcomes) == {NotificationStatus.FAILED: MESSAGES}
    assert outbox.dispatch_due() == []  # backing off, nothing hammered

    sink = SmtpSink(smtp_settings).start()
    try:
        call_command("send_outbox")  # what an operator runs after the outage
        call_command("send_outbox")
        outbox.dispatch_due()
    finally:
        sink.stop()

    assert len(sink.accepted) == MESSAGES
    assert len(set(sink.accepted)) == MESSAGES
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
    printed = capsys.readouterr().out
    assert f"{MESSAGES}/{MESSAGES} envoyé(s)." in printed
    assert "0/0 envoyé(s)." in printed


def test_a_retry_reuses_the_message_id(smtp_settings):
    """A message resent after a failure carries the Message-ID of the first attempt."""
    [notification] = queue_many(1)
    outbox.dispatch_due()
    sink = SmtpSink(smtp_settings).start()
    try:
        outbox.send_all_now()
    finally:
        sink.stop()
    notification.refresh_from_db()
    assert sink.accepted == [notification.message_id]
    assert notification.attempts == 2
