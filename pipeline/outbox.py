"""The transactional outbox (design.md §4).

A message is a `Notification` row written inside the business transaction. After commit a
Celery task sends it; a periodic task sends whatever is still due (broker down, SMTP failed)
with exponential backoff. A row is claimed with a conditional UPDATE before sending, so two
workers never send the same row, on SQLite as on PostgreSQL.

The one window nobody can close: the SMTP server accepted the message and the process died
before the row was marked `sent`. The row then goes back to `failed` after
OUTBOX_SENDING_TIMEOUT_SECONDS and is sent again with the same Message-ID, which mail clients
and MTAs use to drop the duplicate (at-least-once delivery).
"""

from __future__ import annotations

import contextvars
import logging
import re
import smtplib
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from email import encoders
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.text import MIMEText
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from config.languages import clean_language
from pipeline.models import (
    Activity,
    ActivityKind,
    Engagement,
    Notification,
    NotificationChannel,
    NotificationKind,
    NotificationStatus,
)

logger = logging.getLogger(__name__)

_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x00-\x1f\x7f]+")


class InvalidRecipient(ValueError):
    """No usable address for a message; the business operation decides what to do."""


def single_line(value: str, max_length: int = 255) -> str:
    """Collapse anything that could split an e-mail header into a plain space."""
    return " ".join(_LINE_BREAKS.sub(" ", str(value)).split())[:max_length]


def clean_addresses(addresses: Iterable[str]) -> list[str]:
    """Valid, de-duplicated addresses; raises InvalidRecipient on a malformed one."""
    cleaned: list[str] = []
    seen: set[str] = set()
    for address in addresses:
        address = (address or "").strip()
        if not address:
            continue
        if _LINE_BREAKS.search(address):
            raise InvalidRecipient(address)
        try:
            validate_email(address)
        except ValidationError as exc:
            raise InvalidRecipient(address) from exc
        if address.lower() not in seen:
            seen.add(address.lower())
            cleaned.append(address)
    return cleaned


def base_email_context() -> dict[str, Any]:
    return {"site_url": settings.SITE_URL, "site_name": settings.WAGTAIL_SITE_NAME}


def render_email(template: str, context: Mapping[str, Any]) -> tuple[str, str, str]:
    """Render `emails/<template>_subject.txt`, `.txt` and `.html` into subject, text, html."""
    full_context = {**base_email_context(), **context}
    subject = render_to_string(f"emails/{template}_subject.txt", full_context)
    text = render_to_string(f"emails/{template}.txt", full_context)
    html = render_to_string(f"emails/{template}.html", full_context)
    return single_line(subject), text.strip() + "\n", html


def queue_email(
    *,
    kind: NotificationKind | str,
    to: Sequence[str],
    template: str,
    context: Mapping[str, Any],
    idempotency_key: str,
    engagement: Engagement | None = None,
    reply_to: Sequence[str] = (),
    alternatives: Sequence[Mapping[str, str]] = (),
    attachments: Sequence[Mapping[str, str]] = (),
    language: str | None = None,
    from_email: str = "",
) -> Notification:
    """Write a rendered e-mail to the outbox, in the caller's transaction; send after commit.

    Calling it again with the same idempotency key returns the first row and sends nothing more.
    """
    existing = Notification.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    recipients = clean_addresses(to)
    if not recipients:
        raise InvalidRecipient(_("Aucun destinataire valide."))
    with translation.override(clean_language(language)):
        subject, text, html = render_email(template, context)
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                kind=kind,
                idempotency_key=idempotency_key,
                engagement=engagement,
                recipients=recipients,
                reply_to=clean_addresses(reply_to),
                from_email=single_line(from_email, 254) or settings.DEFAULT_FROM_EMAIL,
                subject=subject,
                body_text=text,
                body_html=html,
                alternatives=list(alternatives),
                attachments=list(attachments),
            )
    except IntegrityError:
        return Notification.objects.get(idempotency_key=idempotency_key)
    transaction.on_commit(lambda: publish(notification.pk))
    return notification


class BrokerBreaker:
    """After a failed hand-off, skip the broker for a while in this process: each visitor would
    otherwise wait for a connection timeout during an outage. The rows stay pending and the
    periodic dispatch sends them once the broker is back."""

    def __init__(self):
        self.open_until = 0.0

    def is_open(self) -> bool:
        return time.monotonic() < self.open_until

    def trip(self) -> None:
        self.open_until = time.monotonic() + settings.OUTBOX_BROKER_RETRY_SECONDS

    def reset(self) -> None:
        self.open_until = 0.0


broker_breaker = BrokerBreaker()


# Inside a web request, hand-offs wait until the response has gone to the visitor: the request
# itself then does no network I/O at all (DeferredPublishMiddleware).
_deferred: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar(
    "outbox_deferred", default=None
)


class DeferredPublishMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.OUTBOX_DEFER_PUBLISH:
            return self.get_response(request)
        pending: list[int] = []
        token = _deferred.set(pending)
        try:
            response = self.get_response(request)
        finally:
            _deferred.reset(token)
        if pending:
            # Run by the WSGI server once the body is sent (HttpResponse.close()).
            response._resource_closers.append(lambda: [publish(pk) for pk in pending])
        return response


def publish(notification_id: int) -> None:
    """Hand the row to a worker; if the broker is down the periodic dispatch will send it."""
    from kombu.exceptions import OperationalError

    pending = _deferred.get()
    if pending is not None:
        pending.append(notification_id)
        return

    from pipeline.tasks import send_notification_task

    if broker_breaker.is_open():
        logger.info(
            "Broker recently unreachable: notification %s left to the dispatch", notification_id
        )
        return
    try:
        send_notification_task.apply_async((notification_id,), retry=False)
    except (OperationalError, OSError, ConnectionError):
        broker_breaker.trip()
        logger.warning(
            "Broker unreachable: notification %s stays pending for the periodic dispatch",
            notification_id,
        )


class OutboxEmail(EmailMultiAlternatives):
    """Django's message, plus parts whose MIME type carries parameters.

    Django turns "text/calendar; method=REQUEST; charset=utf-8" into a broken Content-Type;
    iMIP (RFC 6047) needs a real `method` parameter, and base64 keeps the CRLF line ends and
    75-octet folding of the calendar intact through every MTA.
    """

    def _create_mime_attachment(self, content, mimetype):
        if ";" not in mimetype and (mimetype.startswith("text/") or isinstance(content, bytes)):
            return super()._create_mime_attachment(content, mimetype)
        header = Message()
        header["Content-Type"] = mimetype
        maintype, subtype = header.get_content_maintype(), header.get_content_subtype()
        params = [(k, v) for k, v in header.get_params()[1:] if k.lower() != "charset"]
        if maintype == "text":
            part = MIMEText(str(content), subtype, "utf-8")  # base64 for utf-8
        else:
            if isinstance(content, str):
                content = content.encode("utf-8")
            part = MIMEBase(maintype, subtype)
            part.set_payload(content)
            encoders.encode_base64(part)
        for key, value in params:
            part.set_param(key, value)
        return part


def build_message(notification: Notification) -> EmailMultiAlternatives:
    message = OutboxEmail(
        subject=notification.subject,
        body=notification.body_text,
        from_email=notification.from_email or settings.DEFAULT_FROM_EMAIL,
        to=notification.recipients,
        reply_to=notification.reply_to or None,
        headers={"Message-ID": notification.message_id},
    )
    if notification.body_html:
        message.attach_alternative(notification.body_html, "text/html")
    for part in notification.alternatives:
        message.attach_alternative(part["content"], part["mimetype"])
    for attachment in notification.attachments:
        message.attach(attachment["filename"], attachment["content"], attachment["mimetype"])
    return message


def send_email(notification: Notification) -> None:
    build_message(notification).send()


# Channels other than e-mail (e.g. "caldav") register the function that delivers their rows.
# It receives the Notification and raises on failure; the outbox retries with backoff, unless
# it raises PermanentFailure (retrying cannot help: the row goes dead and alerts at once).
SENDERS: dict[str, Callable[[Notification], None]] = {NotificationChannel.EMAIL: send_email}


def register_sender(channel: str, sender: Callable[[Notification], None]) -> None:
    SENDERS[channel] = sender


def deliver(notification: Notification) -> None:
    sender = SENDERS.get(notification.channel)
    if sender is None:
        raise LookupError(f"No sender registered for channel {notification.channel!r}")
    sender(notification)


def queue_message(
    *,
    kind: NotificationKind | str,
    channel: str,
    subject: str,
    payload: Mapping[str, Any],
    idempotency_key: str,
    engagement: Engagement | None = None,
    recipients: Sequence[str] = (),
) -> Notification:
    """Write a non-e-mail message (e.g. a CalDAV push) to the outbox, like `queue_email`."""
    existing = Notification.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                kind=kind,
                channel=channel,
                idempotency_key=idempotency_key,
                engagement=engagement,
                recipients=[single_line(r) for r in recipients],
                subject=single_line(subject),
                payload=dict(payload),
            )
    except IntegrityError:
        return Notification.objects.get(idempotency_key=idempotency_key)
    transaction.on_commit(lambda: publish(notification.pk))
    return notification


def backoff_delay(attempts: int) -> timedelta:
    seconds = settings.OUTBOX_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.OUTBOX_BACKOFF_MAX_SECONDS))


@dataclass(frozen=True)
class SendOutcome:
    notification_id: int
    status: str  # a NotificationStatus value, or "skipped" when another worker had it

    @property
    def skipped(self) -> bool:
        return self.status == "skipped"


def send_notification(
    notification_id: int, *, ignore_schedule: bool = False, include_dead: bool = False
) -> SendOutcome:
    """Claim one row, send it, record the result. Safe to call twice: the second call skips."""
    now = timezone.now()
    claimable = [NotificationStatus.PENDING, NotificationStatus.FAILED]
    if include_dead:
        claimable.append(NotificationStatus.DEAD)
    rows = Notification.objects.filter(pk=notification_id, status__in=claimable)
    if not ignore_schedule:
        rows = rows.filter(next_attempt_at__lte=now)
    claimed = rows.update(
        status=NotificationStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if claimed != 1:
        return SendOutcome(notification_id, "skipped")
    notification = Notification.objects.get(pk=notification_id)
    try:
        deliver(notification)
    except Exception as exc:  # any failure of the sender must leave the row retryable
        return SendOutcome(notification_id, record_failure(notification, exc))
    Notification.objects.filter(pk=notification_id, status=NotificationStatus.SENDING).update(
        status=NotificationStatus.SENT, sent_at=timezone.now(), last_error=""
    )
    return SendOutcome(notification_id, NotificationStatus.SENT)


class PermanentFailure(Exception):
    """Raised by a sender when retrying cannot help (e.g. the recipient does not exist).

    `refused` maps each address refused for good to the server's reason; those addresses are
    flagged on the contacts that use them.
    """

    def __init__(self, message: str, refused: Mapping[str, str] | None = None):
        super().__init__(message)
        self.refused = dict(refused or {})


def _smtp_text(message: bytes | str) -> str:
    if isinstance(message, bytes):
        message = message.decode("utf-8", errors="replace")
    return single_line(message, 250)


def classify_failure(exc: Exception) -> tuple[bool, dict[str, str]]:
    """(permanent, {address: reason}) for a sender's exception.

    Permanent: every recipient refused with a 5xx reply at RCPT TO, or a 5xx reply to the
    message itself (DATA). Everything else — connection, authentication, sender refused, 4xx
    greylisting — is worth retrying. Django's SMTP backend raises SMTPRecipientsRefused only
    when *all* recipients are refused; consultants' e-mails have one recipient each.
    """
    if isinstance(exc, PermanentFailure):
        return True, exc.refused
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        refused = {
            address: f"{code} {_smtp_text(message)}"
            for address, (code, message) in exc.recipients.items()
            if 500 <= int(code) < 600
        }
        return bool(refused) and len(refused) == len(exc.recipients), refused
    if isinstance(exc, smtplib.SMTPDataError) and 500 <= int(exc.smtp_code) < 600:
        return True, {}
    return False, {}


def record_failure(notification: Notification, exc: Exception) -> str:
    error = single_line(f"{type(exc).__name__}: {exc}", 2000)
    permanent, refused = classify_failure(exc)
    if permanent or notification.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        status = NotificationStatus.DEAD
        next_attempt_at = notification.next_attempt_at
        if permanent:
            error = single_line(_("Refus définitif : %(error)s") % {"error": error}, 2000)
    else:
        status = NotificationStatus.FAILED
        next_attempt_at = timezone.now() + backoff_delay(notification.attempts)
    Notification.objects.filter(pk=notification.pk).update(
        status=status, last_error=error, next_attempt_at=next_attempt_at
    )
    logger.warning(
        "Notification %s failed (attempt %s): %s", notification.pk, notification.attempts, error
    )
    if refused:
        from pipeline.services import deliverability

        for address, reason in refused.items():
            deliverability.flag_address(address, reason, notification=notification)
    if status == NotificationStatus.DEAD:
        alert_dead(notification, error)
    return status


# Outbox rows that are themselves "this message was not delivered" alerts: when one of them
# dies, nobody is e-mailed about it (that would loop); the dashboard still shows it.
DEAD_ALERT_KEY = "dead-alert:"


@transaction.atomic
def alert_dead(notification: Notification, error: str) -> None:
    """A human must look at it: log loudly, put it on the engagement's timeline and e-mail the
    engagement's owner. The alert is a new outbox row, independent of the failed one; no alert
    is e-mailed about a dead alert, nor to an address the dead message could not reach."""
    logger.error(
        "Notification %s given up after %s attempts", notification.pk, notification.attempts
    )
    if not notification.engagement_id:
        return
    Activity.objects.create(
        engagement_id=notification.engagement_id,
        kind=ActivityKind.ALERT,
        summary=single_line(
            _("Message non distribué : %(subject)s") % {"subject": notification.subject}, 300
        ),
        body=error,
        notification=notification,
    )
    if notification.idempotency_key.startswith(DEAD_ALERT_KEY):
        return
    engagement = Engagement.objects.select_related("owner", "organisation").get(
        pk=notification.engagement_id
    )
    owner = engagement.owner
    if owner is None or not owner.is_active or not owner.email:
        logger.error("Dead notification %s: its engagement has no owner to alert", notification.pk)
        return
    if owner.email.lower() in {address.lower() for address in notification.recipients}:
        return  # the owner's own address is what failed: the dashboard panel tells them
    queue_email(
        kind=NotificationKind.INTERNAL_ALERT,
        to=[owner.email],
        template="delivery_failed",
        context={
            "engagement": engagement,
            "organisation": engagement.organisation,
            "message": notification,
            "error": error,
        },
        idempotency_key=f"{DEAD_ALERT_KEY}{notification.pk}:{notification.attempts}:"
        f"{timezone.now():%Y%m%d%H%M%S}",
        engagement=engagement,
    )


def release_stuck(now=None) -> int:
    """Rows left in `sending` by a dead worker become retryable again."""
    now = now or timezone.now()
    limit = now - timedelta(seconds=settings.OUTBOX_SENDING_TIMEOUT_SECONDS)
    return Notification.objects.filter(
        status=NotificationStatus.SENDING, claimed_at__lt=limit
    ).update(
        status=NotificationStatus.FAILED,
        next_attempt_at=now,
        last_error=_("Interrompu pendant l'envoi ; nouvel essai avec le même Message-ID."),
    )


def dispatch_due(limit: int | None = None) -> list[SendOutcome]:
    """Send what is due now (the periodic task). Returns one outcome per row tried."""
    release_stuck()
    limit = limit or settings.OUTBOX_BATCH_SIZE
    due_ids = list(
        Notification.objects.due()
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return [send_notification(pk) for pk in due_ids]


def send_all_now(*, include_dead: bool = False) -> list[SendOutcome]:
    """Send every pending or failed row now, ignoring backoff (operators, after an outage)."""
    release_stuck()
    statuses = [NotificationStatus.PENDING, NotificationStatus.FAILED]
    if include_dead:
        statuses.append(NotificationStatus.DEAD)
    ids = list(
        Notification.objects.filter(status__in=statuses)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
    )
    return [send_notification(pk, ignore_schedule=True, include_dead=include_dead) for pk in ids]


def redact_sent(now=None) -> int:
    """Blank the bodies of messages sent long ago: they may hold capability links."""
    now = now or timezone.now()
    limit = now - timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    return Notification.objects.filter(
        status=NotificationStatus.SENT, sent_at__lt=limit, redacted_at__isnull=True
    ).update(body_text="", body_html="", alternatives=[], attachments=[], redacted_at=now)
