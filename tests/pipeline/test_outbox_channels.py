"""Outbox extensions: MIME parts with parameters, and non-e-mail channels with retries."""

import email
import email.policy

import pytest
from django.core import mail

from pipeline import outbox
from pipeline.models import Notification, NotificationKind, NotificationStatus

pytestmark = pytest.mark.django_db

CALENDAR = "text/calendar; method=REQUEST; charset=utf-8"


def test_alternative_with_parameters_becomes_a_real_mime_part(run_on_commit):
    """ "text/calendar; method=REQUEST; charset=utf-8" keeps its parameters, base64-encoded."""
    body = "BEGIN:VCALENDAR\r\nSUMMARY:Réunion\r\nEND:VCALENDAR\r\n"
    with run_on_commit():
        outbox.queue_email(
            kind=NotificationKind.OTHER, to=["a@example.org"], template="consultant_assigned",
            context={"organisation": {"name": "Asso"}, "engagement": {"pk": 1}},
            idempotency_key="mime",
            alternatives=[{"content": body, "mimetype": CALENDAR}],
            attachments=[{"filename": "x.ics", "content": body, "mimetype": "application/ics"}],
        )  # fmt: skip
    parsed = email.message_from_bytes(
        mail.outbox[0].message().as_bytes(), policy=email.policy.default
    )
    part = next(p for p in parsed.walk() if p.get_content_type() == "text/calendar")
    assert part.get_param("method") == "REQUEST"
    assert part["Content-Transfer-Encoding"] == "base64"
    assert part.get_payload(decode=True).decode("utf-8") == body
    attachment = next(p for p in parsed.walk() if p.get_content_type() == "application/ics")
    assert attachment.get_payload(decode=True).decode("utf-8") == body


def test_other_channels_use_their_sender_and_are_retried(run_on_commit):
    """A registered sender delivers its rows; when it raises, the row fails and is retried."""
    delivered = []

    def flaky(notification):
        if not delivered:
            delivered.append("boom")
            raise ConnectionError("server down")
        delivered.append(notification.payload["n"])

    outbox.register_sender("test-channel", flaky)
    try:
        with run_on_commit():
            row = outbox.queue_message(
                kind=NotificationKind.OTHER, channel="test-channel", subject="push",
                payload={"n": 7}, idempotency_key="push-1",
            )  # fmt: skip
        row.refresh_from_db()
        assert row.status == NotificationStatus.FAILED and "server down" in row.last_error
        outbox.send_all_now()
        row.refresh_from_db()
        assert row.status == NotificationStatus.SENT
        assert delivered == ["boom", 7]
        assert mail.outbox == []
        assert outbox.queue_message(
            kind=NotificationKind.OTHER, channel="test-channel", subject="push",
            payload={"n": 8}, idempotency_key="push-1",
        ).pk == row.pk  # fmt: skip
        assert Notification.objects.count() == 1
    finally:
        outbox.SENDERS.pop("test-channel", None)
