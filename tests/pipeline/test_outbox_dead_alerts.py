"""Delivery problems: a dead message alerts its owner (dashboard, e-mail, engagement page), a
permanent SMTP refusal flags the address, and alerts never loop."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from pipeline import outbox, services
from pipeline.factories import ConsultantFactory, ContactFactory, EngagementFactory
from pipeline.models import (
    Activity,
    ActivityKind,
    Notification,
    NotificationKind,
    NotificationStatus,
)
from tests.services import SmtpSink

pytestmark = pytest.mark.django_db


class FailingBackend:
    """An SMTP server that is down: every send raises, nothing is delivered."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP down")


class FailForOneAddress:
    """Delivers everything except to `contact@failing.fr` (the locmem outbox records it)."""

    def __init__(self, *args, **kwargs):
        from django.core.mail.backends.locmem import EmailBackend

        self.inner = EmailBackend()

    def send_messages(self, messages):
        for message in messages:
            if "karim@failing.fr" in message.to:
                raise ConnectionRefusedError("SMTP down for this domain")
        return self.inner.send_messages(messages)


@pytest.fixture
def engagement(consultant):
    engagement = EngagementFactory(owner=consultant, organisation__name="Jardins Partagés")
    ContactFactory(organisation=engagement.organisation, name="Karim", email="karim@failing.fr")
    return engagement


def queue(engagement, key="k1", to="karim@failing.fr", kind=NotificationKind.CONSULTANT_MESSAGE):
    return outbox.queue_email(
        kind=kind,
        to=[to],
        template="consultant_message",
        context={"subject": "Votre audit", "body": "Bonjour", "engagement": engagement},
        idempotency_key=key,
        engagement=engagement,
    )


def give_up(notification):
    """Send until the outbox gives up (OUTBOX_MAX_ATTEMPTS)."""
    for _ in range(10):
        outcome = outbox.send_notification(notification.pk, ignore_schedule=True)
        if outcome.status == NotificationStatus.DEAD:
            return
    raise AssertionError("never dead")


def test_a_dead_message_raises_the_alert(client, settings, consultant, engagement):
    """Dead → a timeline alert, an e-mail to the engagement's owner (a new outbox row that
    goes out on its own), the dashboard panel and the banner on the engagement page."""
    settings.EMAIL_BACKEND = "tests.pipeline.test_outbox_dead_alerts.FailForOneAddress"
    settings.OUTBOX_MAX_ATTEMPTS = 2
    notification = queue(engagement)
    give_up(notification)

    notification.refresh_from_db()
    assert notification.status == NotificationStatus.DEAD
    alert = Activity.objects.get(engagement=engagement, kind=ActivityKind.ALERT)
    assert alert.notification == notification and "Votre audit" in alert.summary
    alert_mail = Notification.objects.get(kind=NotificationKind.INTERNAL_ALERT)
    assert alert_mail.recipients == [consultant.email]
    outbox.dispatch_due()  # the alert does not depend on the failed message
    [sent] = mail.outbox
    assert sent.to == [consultant.email]
    assert sent.subject == "Message non distribué — Jardins Partagés"
    assert "karim@failing.fr" in sent.body and "SMTP down for this domain" in sent.body

    client.force_login(consultant)
    dashboard = client.get("/admin/").content.decode()
    assert "Messages non distribués (1)" in dashboard and "Votre audit" in dashboard
    page = client.get(f"/admin/pipeline/engagements/inspect/{engagement.pk}/").content.decode()
    assert "Un message n'a pas été distribué" in page
    assert "SMTP down for this domain" in page


def test_the_dashboard_panel_is_for_the_owner_and_disappears_once_dealt_with(
    client, settings, consultant, engagement, run_on_commit
):
    """A colleague sees nothing; "Classer" closes the alert; "Renvoyer" sends it again."""
    settings.EMAIL_BACKEND = "tests.pipeline.test_outbox_dead_alerts.FailingBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 1
    first, second = queue(engagement, "a"), queue(engagement, "b")
    give_up(first)
    give_up(second)
    client.force_login(ConsultantFactory())
    assert "Messages non distribués" not in client.get("/admin/").content.decode()

    client.force_login(consultant)
    action = f"/admin/pipeline/engagements/{engagement.pk}/"
    client.post(action + "dismiss-message/", {"notification": first.pk})
    assert "Messages non distribués (1)" in client.get("/admin/").content.decode()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with run_on_commit():
        response = client.post(action + "retry-message/", {"notification": second.pk})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == NotificationStatus.SENT
    assert "Messages non distribués" not in client.get("/admin/").content.decode()
    assert client.post(action + "retry-message/", {"notification": "x"}).status_code == 302
    assert client.post(action + "retry-message/", {"notification": 10**30}).status_code == 302


def test_an_alert_about_a_dead_alert_is_never_emailed(settings, engagement):
    """If the alert e-mail itself dies, nobody is e-mailed about it (no loop), and no alert
    goes to the address that just failed."""
    settings.EMAIL_BACKEND = "tests.pipeline.test_outbox_dead_alerts.FailingBackend"
    settings.OUTBOX_MAX_ATTEMPTS = 1
    give_up(queue(engagement))
    alert_mail = Notification.objects.get(kind=NotificationKind.INTERNAL_ALERT)
    give_up(alert_mail)
    assert Notification.objects.filter(kind=NotificationKind.INTERNAL_ALERT).count() == 1
    owners_own = queue(engagement, "to-owner", to=engagement.owner.email)
    give_up(owners_own)
    assert Notification.objects.filter(kind=NotificationKind.INTERNAL_ALERT).count() == 1
    assert Activity.objects.filter(kind=ActivityKind.ALERT).count() == 3  # all on the timeline


def test_a_permanent_smtp_refusal_flags_the_contact_and_gives_up_at_once(settings, engagement):
    """A real SMTP server answering 550 to RCPT TO: no retry, the message is dead, the contact
    is flagged and left out of new e-mails by default."""
    sink = SmtpSink().start()
    sink.refuse["karim@failing.fr"] = "550 5.1.1 <karim@failing.fr>: Recipient address rejected"
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", sink.port, 5
        notification = queue(engagement)
        outcome = outbox.send_notification(notification.pk)
        other = queue(engagement, "other", to="ines@jardins.org")
        assert outbox.send_notification(other.pk).status == NotificationStatus.SENT
    finally:
        sink.stop()
    assert outcome.status == NotificationStatus.DEAD
    notification.refresh_from_db()
    assert notification.attempts == 1 and "Refus définitif" in notification.last_error
    contact = engagement.organisation.contacts.get(email="karim@failing.fr")
    assert contact.has_bounced and contact.bounce_reason.startswith("550")
    assert Activity.objects.filter(
        kind=ActivityKind.ALERT, summary__contains="refusée définitivement"
    ).exists()
    choices = {c.contact.pk: c for c in services.emails.recipient_choices(engagement)}
    assert choices[contact.pk].selectable and not choices[contact.pk].selected_by_default


def test_temporary_refusals_are_retried(settings, engagement):
    """A 450 (greylisting, mailbox busy) is not permanent: the message stays retryable."""
    sink = SmtpSink().start()
    sink.refuse["karim@failing.fr"] = "450 4.2.1 Mailbox busy, try later"
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", sink.port, 5
        notification = queue(engagement)
        assert outbox.send_notification(notification.pk).status == NotificationStatus.FAILED
    finally:
        sink.stop()
    assert not engagement.organisation.contacts.get().has_bounced


def test_a_flagged_contact_is_shown_and_can_be_unflagged(client, consultant, engagement):
    """The engagement page says the address failed; "works again" clears the flag; a
    corrected address is no longer flagged."""
    contact = engagement.organisation.contacts.get()
    services.flag_address("KARIM@failing.fr", "550 5.1.1 User unknown")
    contact.refresh_from_db()
    assert contact.has_bounced
    client.force_login(consultant)
    page = client.get(f"/admin/pipeline/engagements/inspect/{engagement.pk}/").content.decode()
    assert "Adresse en échec" in page and "550 5.1.1 User unknown" in page
    detail = client.get(f"/admin/pipeline/contacts/inspect/{contact.pk}/").content.decode()
    assert "Adresse e-mail refusée définitivement" in detail
    client.post(
        f"/admin/pipeline/engagements/{engagement.pk}/clear-bounce/", {"contact": contact.pk}
    )
    contact.refresh_from_db()
    assert not contact.has_bounced
    services.flag_address(contact.email, "550")
    contact.email = "karim@jardins.org"
    contact.save()
    assert not contact.has_bounced


def test_old_dead_messages_stay_until_someone_acts(client, consultant, engagement):
    """The panel is not a time window: a dead message from last month still shows."""
    notification = queue(engagement)
    Notification.objects.filter(pk=notification.pk).update(
        status=NotificationStatus.DEAD, created_at=timezone.now() - timedelta(days=40)
    )
    client.force_login(consultant)
    assert "Messages non distribués (1)" in client.get("/admin/").content.decode()


def test_a_channel_sender_can_say_retrying_is_useless(monkeypatch, engagement):
    """Any channel (CalDAV…) raising PermanentFailure gives up at once, with the alert."""

    def refuse(notification):
        raise outbox.PermanentFailure("403 Forbidden: calendar is read-only")

    monkeypatch.setitem(outbox.SENDERS, "caldav", refuse)
    row = outbox.queue_message(
        kind=NotificationKind.CALENDAR_PUSH,
        channel="caldav",
        subject="Agenda",
        payload={},
        idempotency_key="push",
        engagement=engagement,
    )
    assert outbox.send_notification(row.pk).status == NotificationStatus.DEAD
    row.refresh_from_db()
    assert row.attempts == 1 and "read-only" in row.last_error
    assert Activity.objects.filter(kind=ActivityKind.ALERT, notification=row).exists()
