"""Delivery problems: addresses refused for good, bounce reports, dead messages.

- `flag_address`: a permanent failure (SMTP 5xx at sending, or a bounce report) flags every
  contact using that address; new e-mails leave them out by default.
- `apply_bounce_report`: reads a DSN (RFC 3464) uploaded in the admin or given to
  `manage.py import_bounces`, flags the addresses and marks our message dead (which alerts).
- `retry_notification` / `dismiss_notification`: what a consultant does with a dead message.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from pipeline import access, dsn, outbox
from pipeline.models import (
    Activity,
    ActivityKind,
    Contact,
    Engagement,
    Notification,
    NotificationStatus,
)
from pipeline.services.base import record_history_user, require


def _engagement_for(contact: Contact, notification: Notification | None) -> Engagement | None:
    if notification is not None and notification.engagement_id:
        engagement = notification.engagement
        if engagement.organisation_id == contact.organisation_id:
            return engagement
    engagements = contact.organisation.engagements.order_by("-created_at", "-pk")
    return engagements.open().first() or engagements.first()


@transaction.atomic
def flag_address(
    address: str,
    reason: str,
    *,
    notification: Notification | None = None,
    user: AbstractBaseUser | None = None,
) -> list[Contact]:
    """Every contact using `address` is flagged; the first flag writes an alert on the timeline."""
    address = (address or "").strip()
    if not address:
        return []
    reason = outbox.single_line(reason or _("Adresse refusée par le serveur du destinataire"), 300)
    now = timezone.now()
    flagged = []
    contacts = (
        Contact.objects.select_for_update(of=("self",))
        .filter(email__iexact=address, erased_at__isnull=True)
        .select_related("organisation")
    )
    for contact in contacts:
        first_time = not contact.has_bounced
        contact.bounced_email = contact.email
        contact.bounced_at = now
        contact.bounce_reason = reason
        record_history_user(contact, user)
        contact.save(update_fields=["bounced_email", "bounced_at", "bounce_reason", "updated_at"])
        flagged.append(contact)
        engagement = _engagement_for(contact, notification)
        if first_time and engagement is not None:
            Activity.objects.create(
                engagement=engagement,
                kind=ActivityKind.ALERT,
                actor=user,
                summary=outbox.single_line(
                    _("Adresse e-mail refusée définitivement : %(name)s <%(email)s>")
                    % {"name": contact.name, "email": contact.email},
                    300,
                ),
                body=reason,
                notification=notification,
                data={"contact_id": contact.pk, "bounce": True},
            )
    return flagged


@transaction.atomic
def clear_bounce(contact: Contact, *, user: AbstractBaseUser | None) -> Contact:
    """The address works again (the person fixed their mailbox): e-mails may go to it."""
    require(user, "pipeline.change_contact")
    if user is not None and not access.contacts_for(user).filter(pk=contact.pk).exists():
        raise PermissionDenied(_("Ce contact ne vous est pas attribué."))
    contact = Contact.objects.select_for_update(of=("self",)).get(pk=contact.pk)
    if not contact.bounced_at:
        return contact
    contact.bounced_email, contact.bounced_at, contact.bounce_reason = "", None, ""
    record_history_user(contact, user)
    contact.save(update_fields=["bounced_email", "bounced_at", "bounce_reason", "updated_at"])
    return contact


def _require_message(user, notification: Notification) -> None:
    if notification.engagement_id:
        require(user, "pipeline.change_engagement", notification.engagement)
    elif user is not None and not user.is_superuser:
        raise PermissionDenied(_("Seul un·e administrateur·rice peut agir sur ce message."))


@transaction.atomic
def retry_notification(
    notification: Notification, *, user: AbstractBaseUser | None
) -> Notification:
    """Send a dead message again, from scratch (same Message-ID: a copy that did arrive is
    recognised as a duplicate)."""
    _require_message(user, notification)
    notification = Notification.objects.select_for_update(of=("self",)).get(pk=notification.pk)
    if notification.status != NotificationStatus.DEAD:
        raise ValueError(_("Seul un message abandonné peut être renvoyé."))
    if notification.redacted_at:
        raise ValueError(_("Le contenu de ce message a été effacé : il ne peut plus être renvoyé."))
    refused = Contact.objects.filter(bounced_at__isnull=False, erased_at__isnull=True).filter(
        _address_in("bounced_email", notification.recipients)
    )
    refused = [c for c in refused if c.has_bounced]
    if refused:
        raise ValueError(
            _(
                "L'adresse %(email)s a été refusée définitivement : corrigez-la sur la fiche du "
                "contact (ou indiquez qu'elle fonctionne de nouveau) avant de renvoyer."
            )
            % {"email": refused[0].email}
        )
    now = timezone.now()
    Notification.objects.filter(pk=notification.pk).update(
        status=NotificationStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        claimed_at=None,
        dismissed_at=None,
    )
    if notification.engagement_id:
        Activity.objects.create(
            engagement_id=notification.engagement_id,
            kind=ActivityKind.EMAIL,
            actor=user,
            summary=outbox.single_line(
                _("Nouvel envoi demandé : %(subject)s") % {"subject": notification.subject}, 300
            ),
            notification=notification,
        )
    pk = notification.pk
    transaction.on_commit(lambda: outbox.publish(pk))
    notification.refresh_from_db()
    return notification


@transaction.atomic
def dismiss_notification(
    notification: Notification, *, user: AbstractBaseUser | None
) -> Notification:
    """The alert about a dead message is dealt with: it leaves the dashboard."""
    _require_message(user, notification)
    if notification.status != NotificationStatus.DEAD:
        raise ValueError(_("Seul un message abandonné peut être classé."))
    Notification.objects.filter(pk=notification.pk).update(dismissed_at=timezone.now())
    notification.refresh_from_db()
    return notification


def _address_in(field: str, addresses) -> Q:
    query = Q(pk__in=[])
    for address in addresses:
        query |= Q(**{f"{field}__iexact": address})
    return query


# --- Bounce reports (DSN) ---------------------------------------------------------------------


@dataclass(frozen=True)
class BounceOutcome:
    recipient: str
    status: str
    applied: bool
    message: str
    contacts: tuple[Contact, ...] = ()
    notification: Notification | None = None


@transaction.atomic
def apply_bounce_report(data: bytes, *, user: AbstractBaseUser | None) -> list[BounceOutcome]:
    """Read a DSN and act on each permanent failure it reports; temporary ones are listed
    only (the sending server keeps trying)."""
    require(user, "pipeline.change_contact")
    reports = dsn.parse_report(data)
    outcomes = []
    for report in reports:
        if not report.permanent:
            label = (
                _("Retard de distribution : le serveur réessaie, rien à faire.")
                if report.action == "delayed"
                else _("Pas un échec définitif (%(action)s) : rien à faire.")
                % {"action": report.action or "?"}
            )
            outcomes.append(BounceOutcome(report.recipient, report.status, False, label))
            continue
        notification = None
        if report.original_message_id:
            notification = (
                Notification.objects.select_related("engagement")
                .filter(message_id=report.original_message_id)
                .first()
            )
        if notification is not None and user is not None:
            visible = access.notifications_for(user).filter(pk=notification.pk).exists()
            notification = notification if visible else None
        contacts = flag_address(
            report.recipient, report.reason, notification=notification, user=user
        )
        if user is not None:
            visible_contacts = set(access.contacts_for(user).values_list("pk", flat=True))
            contacts = [c for c in contacts if c.pk in visible_contacts]
        if notification is not None and notification.status != NotificationStatus.DEAD:
            error = outbox.single_line(
                _("Rejeté par le serveur du destinataire (avis de non-distribution) : %(reason)s")
                % {"reason": report.reason},
                2000,
            )
            Notification.objects.filter(pk=notification.pk).update(
                status=NotificationStatus.DEAD, last_error=error
            )
            notification.refresh_from_db()
            outbox.alert_dead(notification, error)
        if contacts:
            message = _("Adresse signalée en échec sur %(count)s contact(s).") % {
                "count": len(contacts)
            }
        else:
            message = _("Aucun contact n'utilise cette adresse.")
        if notification is not None:
            message += " " + _("Message retrouvé et marqué « abandonné ».")
        outcomes.append(
            BounceOutcome(
                report.recipient, report.status, True, message, tuple(contacts), notification
            )
        )
    return outcomes
