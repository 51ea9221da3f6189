"""Bounce reports (DSN, RFC 3464): uploaded in the admin or read by `import_bounces`, they flag
the address and mark our message dead, which alerts its owner."""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from pipeline import outbox
from pipeline.factories import ContactFactory, EngagementFactory
from pipeline.models import (
    Activity,
    ActivityKind,
    Notification,
    NotificationKind,
    NotificationStatus,
)

pytestmark = pytest.mark.django_db

URL = "/admin/pipeline/bounces/"


def report(recipient: str, message_id: str, *, action="failed", status="5.1.1") -> bytes:
    """A DSN as Postfix writes it: human part, delivery-status, returned headers."""
    return f"""From: MAILER-DAEMON@mx.example.org
To: audit@passerelle.localhost
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: {action}
Status: {status}
Diagnostic-Code: smtp; 550 {status} <{recipient}>: Recipient address
    rejected: User unknown in virtual mailbox table

--B
Content-Type: text/rfc822-headers

From: Passerelle <audit@passerelle.localhost>
To: {recipient}
Subject: Votre audit
Message-ID: {message_id}

--B--
""".replace("\n", "\r\n").encode()


@pytest.fixture
def sent_message(consultant):
    """A message our relay accepted, whose recipient's server later bounced it."""
    engagement = EngagementFactory(owner=consultant, organisation__name="Mairie de Valbonne")
    ContactFactory(organisation=engagement.organisation, name="Anne", email="anne@valbonne.fr")
    notification = outbox.queue_email(
        kind=NotificationKind.CONSULTANT_MESSAGE,
        to=["anne@valbonne.fr"],
        template="consultant_message",
        context={"subject": "Votre audit", "body": "Bonjour", "engagement": engagement},
        idempotency_key="bounced",
        engagement=engagement,
    )
    outbox.send_notification(notification.pk)
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT
    return notification


def upload(client, data: bytes, name="retour.eml"):
    return client.post(URL, {"file": SimpleUploadedFile(name, data, "message/rfc822")})


def test_an_uploaded_bounce_flags_the_contact_and_marks_the_message_dead(
    client, consultant, sent_message
):
    """The page lists what was done; the contact is flagged; the message is dead and alerts."""
    client.force_login(consultant)
    assert client.get(URL).status_code == 200
    response = upload(client, report("anne@valbonne.fr", sent_message.message_id))
    page = response.content.decode()
    assert response.status_code == 200
    assert "anne@valbonne.fr" in page and "5.1.1" in page and "abandonné" in page
    contact = sent_message.engagement.organisation.contacts.get()
    assert contact.has_bounced and "User unknown" in contact.bounce_reason
    sent_message.refresh_from_db()
    assert sent_message.status == NotificationStatus.DEAD
    assert "avis de non-distribution" in sent_message.last_error
    assert Notification.objects.filter(kind=NotificationKind.INTERNAL_ALERT).exists()
    assert Activity.objects.filter(kind=ActivityKind.ALERT).count() == 2  # address + message


def test_a_delay_report_changes_nothing(client, consultant, sent_message):
    """Action: delayed / 4.x.x — the remote server keeps trying; we only say so."""
    client.force_login(consultant)
    data = report("anne@valbonne.fr", sent_message.message_id, action="delayed", status="4.4.1")
    page = upload(client, data).content.decode()
    assert "Retard de distribution" in page
    assert not sent_message.engagement.organisation.contacts.get().has_bounced
    sent_message.refresh_from_db()
    assert sent_message.status == NotificationStatus.SENT


@pytest.mark.parametrize(
    "data",
    [
        b"Hello, this is just a text file",
        b"\xff\xfe\x00garbage\x00",
        b"",
        b"Content-Type: multipart/report; boundary=x\r\n\r\n--x\r\nContent-Type: "
        b"message/delivery-status\r\n\r\nReporting-MTA: dns; a\r\n\r\n--x--\r\n",
    ],
)
def test_anything_else_gets_a_clear_message(client, consultant, data):
    """Not a DSN, or one naming nobody: a French error on the form, never a 500."""
    client.force_login(consultant)
    response = upload(client, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "avis de non-distribution" in page or "Le fichier soumis est vide" in page
    assert "error-message" in page


def test_marketing_cannot_import_bounces(client, marketing_user, sent_message):
    """Flagging contacts is a pipeline operation."""
    client.force_login(marketing_user)
    response = upload(client, report("anne@valbonne.fr", sent_message.message_id))
    assert response.status_code in (302, 403)
    assert not sent_message.engagement.organisation.contacts.get().has_bounced


def test_the_command_reads_bounce_files(tmp_path, sent_message):
    """`manage.py import_bounces` does the same from files, and fails on unreadable ones."""
    good = tmp_path / "retour.eml"
    good.write_bytes(report("ANNE@valbonne.fr", sent_message.message_id))
    output = StringIO()
    call_command("import_bounces", str(good), stdout=output)
    assert "✓" in output.getvalue() and "ANNE@valbonne.fr" in output.getvalue()
    assert sent_message.engagement.organisation.contacts.get().has_bounced
    bad = tmp_path / "notes.txt"
    bad.write_text("rien à voir")
    with pytest.raises(CommandError):
        call_command("import_bounces", str(bad), stdout=StringIO(), stderr=StringIO())
