"""E-mails consultants write to the organisation's contacts, from the engagement page.

One message per recipient goes through the outbox (personalised placeholders, and a delivery
state per person), with Reply-To the consultant and From "Camille Durand (Passerelle)" on our
own address (SPF/DKIM stay aligned). The timeline gets one entry per sending, whose delivery
states are read live from the outbox rows.

Recipients are the contacts who agreed to be contacted; an address refused for good is left
out unless the consultant ticks it on purpose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from config.languages import clean_language
from pipeline import outbox, placeholders
from pipeline.models import (
    Activity,
    ActivityKind,
    Contact,
    EmailPurpose,
    EmailTemplate,
    Engagement,
    EngagementEmail,
    EngagementEmailRecipient,
    EngagementEmailStatus,
    NotificationKind,
)
from pipeline.services.base import actor_name, require

SUBJECT_MAX_LENGTH = 200
BODY_MAX_LENGTH = 10_000
MAX_RECIPIENTS = 20
_SEND_KEY = re.compile(r"^[0-9a-f]{32}$")
_LINE_BREAK = re.compile(r"[\r\n\u2028\u2029\x00-\x1f\x7f]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class EmailError(ValueError):
    """A message that cannot be written or sent as is; the text says why, in French."""


# --- Validation ------------------------------------------------------------------------------


def clean_subject(value: str) -> str:
    value = (value or "").strip()
    if _LINE_BREAK.search(value):
        raise EmailError(_("L'objet doit tenir sur une seule ligne."))
    if len(value) > SUBJECT_MAX_LENGTH:
        raise EmailError(
            _("L'objet est trop long (%(max)s caractères au maximum).")
            % {"max": SUBJECT_MAX_LENGTH}
        )
    placeholders.validate(value)
    return value


def clean_body(value: str) -> str:
    value = _CONTROL.sub("", (value or "").replace("\r\n", "\n").replace("\r", "\n")).strip()
    if len(value) > BODY_MAX_LENGTH:
        raise EmailError(
            _("Le message est trop long (%(max)s caractères au maximum).")
            % {"max": BODY_MAX_LENGTH}
        )
    placeholders.validate(value)
    return value


def sender_parts(user) -> tuple[str, str]:
    """("Camille Durand (Passerelle)", "audit@…"): the consultant's name on our own address,
    so SPF/DKIM stay aligned while the message reads as theirs."""
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    label = outbox.single_line(_("%(name)s (Passerelle)") % {"name": actor_name(user)}, 120)
    return label, address or "audit@passerelle.localhost"


def sender_address(user) -> str:
    return formataddr(sender_parts(user))


def _reply_to(user, engagement: Engagement) -> str:
    person = user if user is not None else engagement.owner
    address = (getattr(person, "email", "") or "").strip()
    if not address:
        raise EmailError(
            _(
                "Votre compte n'a pas d'adresse e-mail : les réponses ne pourraient pas vous "
                "parvenir. Ajoutez-la dans « Mon compte »."
            )
        )
    try:
        outbox.clean_addresses([address])
    except outbox.InvalidRecipient as exc:
        raise EmailError(_("L'adresse e-mail de votre compte n'est pas valide.")) from exc
    return address


# --- Recipients ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecipientChoice:
    contact: Contact
    selectable: bool
    selected_by_default: bool
    note: str


def recipient_choices(engagement: Engagement) -> list[RecipientChoice]:
    """Every contact of the organisation, with whether and why it may be chosen."""
    choices = []
    for contact in engagement.organisation.contacts.order_by("name", "pk"):
        if contact.erased_at:
            continue
        if not contact.consent_contact:
            choices.append(
                RecipientChoice(contact, False, False, _("n'a pas accepté d'être recontacté·e"))
            )
        elif contact.has_bounced:
            choices.append(
                RecipientChoice(
                    contact,
                    True,
                    False,
                    _("adresse refusée le %(date)s : %(reason)s")
                    % {
                        "date": timezone.localtime(contact.bounced_at).strftime("%d/%m/%Y"),
                        "reason": contact.bounce_reason,
                    },
                )
            )
        else:
            choices.append(RecipientChoice(contact, True, True, ""))
    return choices


def default_recipients(engagement: Engagement, preferred: list[Contact] | None = None):
    """Contacts an automatic message goes to: `preferred` (e.g. a meeting's attendees) when
    some may receive it, else every contact who may; never a refused address."""
    eligible = [c.contact for c in recipient_choices(engagement) if c.selected_by_default]
    if preferred:
        wanted = {c.pk for c in preferred if c is not None}
        chosen = [c for c in eligible if c.pk in wanted]
        if chosen:
            return chosen
    return eligible


def _clean_recipients(engagement: Engagement, contacts) -> list[Contact]:
    contacts = list(dict.fromkeys(contacts))
    if not contacts:
        raise EmailError(_("Choisissez au moins un destinataire."))
    if len(contacts) > MAX_RECIPIENTS:
        raise EmailError(_("Trop de destinataires (%(max)s au maximum).") % {"max": MAX_RECIPIENTS})
    allowed = {c.contact.pk: c for c in recipient_choices(engagement) if c.selectable}
    for contact in contacts:
        if contact.organisation_id != engagement.organisation_id or contact.pk not in allowed:
            raise EmailError(
                _("%(name)s ne peut pas recevoir d'e-mail (pas de consentement au contact).")
                % {"name": contact.name}
            )
        try:
            outbox.clean_addresses([contact.email])
        except outbox.InvalidRecipient as exc:
            raise EmailError(
                _("L'adresse de %(name)s n'est pas valide : corrigez-la sur sa fiche.")
                % {"name": contact.name}
            ) from exc
    return contacts


# --- Rendering ---------------------------------------------------------------------------------


@dataclass
class RenderedMessage:
    contact: Contact
    subject: str
    body: str
    html: str = ""
    warnings: list[str] = field(default_factory=list)


def _context(engagement, contact, user, data, *, preview: bool):
    return placeholders.PlaceholderContext(
        engagement=engagement, contact=contact, sender=user, data=dict(data or {}), preview=preview
    )


def render_for(
    engagement: Engagement,
    contact: Contact,
    *,
    subject: str,
    body: str,
    user,
    data: dict | None = None,
    language: str = "fr",
    preview: bool = False,
) -> RenderedMessage:
    with translation.override(clean_language(language)):
        context = _context(engagement, contact, user, data, preview=preview)
        rendered = RenderedMessage(
            contact=contact,
            subject=outbox.single_line(placeholders.render(subject, context), 255),
            body=placeholders.render(body, context),
        )
        rendered.warnings = [
            _("{%(name)s} est vide pour %(contact)s.") % {"name": name, "contact": contact.name}
            for name in placeholders.empty_values([subject, body], context)
        ]
        if preview:
            _s, _t, rendered.html = outbox.render_email(
                "consultant_message",
                {"subject": rendered.subject, "body": rendered.body, "engagement": engagement},
            )
    return rendered


def preview_email(
    engagement: Engagement,
    *,
    subject: str,
    body: str,
    contacts,
    user: AbstractBaseUser | None,
    language: str = "fr",
    data: dict | None = None,
) -> list[RenderedMessage]:
    """What each recipient would receive; nothing is written, no link is issued."""
    require(user, "pipeline.change_engagement", engagement)
    subject, body = clean_subject(subject), clean_body(body)
    if not subject:
        raise EmailError(_("Indiquez un objet."))
    if not body:
        raise EmailError(_("Le message est vide."))
    contacts = _clean_recipients(engagement, contacts)
    _reply_to(user, engagement)
    return [
        render_for(
            engagement,
            contact,
            subject=subject,
            body=body,
            user=user,
            data=data,
            language=language,
            preview=True,
        )
        for contact in contacts
    ]


# --- Sending -----------------------------------------------------------------------------------


def _set_recipients(email: EngagementEmail, contacts) -> None:
    email.recipients.all().delete()
    EngagementEmailRecipient.objects.bulk_create(
        EngagementEmailRecipient(
            email=email,
            contact=contact,
            name=outbox.single_line(contact.name or contact.email, 200),
            address=contact.email,
        )
        for contact in contacts
    )


def _locked_draft(draft: EngagementEmail | None, engagement: Engagement) -> EngagementEmail | None:
    if draft is None:
        return None
    draft = EngagementEmail.objects.select_for_update(of=("self",)).get(pk=draft.pk)
    if draft.engagement_id != engagement.pk:
        raise EmailError(_("Ce brouillon appartient à un autre accompagnement."))
    if draft.status != EngagementEmailStatus.DRAFT:
        raise EmailError(_("Ce message a déjà été envoyé."))
    return draft


@transaction.atomic
def send_email(
    engagement: Engagement,
    *,
    subject: str,
    body: str,
    contacts,
    user: AbstractBaseUser | None,
    language: str = "fr",
    purpose: str = EmailPurpose.GENERAL,
    template: EmailTemplate | None = None,
    data: dict | None = None,
    draft: EngagementEmail | None = None,
    send_key: str | None = None,
) -> EngagementEmail:
    """Queue one e-mail per recipient and log the sending on the timeline.

    `send_key` (the compose form's one-time key) makes a second identical submission return
    the first sending instead of mailing everyone twice.
    """
    require(user, "pipeline.change_engagement", engagement)
    if send_key is not None and not _SEND_KEY.match(send_key):
        send_key = None
    if send_key and (done := EngagementEmail.objects.filter(send_key=send_key).first()):
        if done.engagement_id != engagement.pk:
            raise EmailError(_("Formulaire invalide : rechargez la page."))
        return done
    engagement = Engagement.objects.select_related("organisation", "owner").get(pk=engagement.pk)
    subject, body = clean_subject(subject), clean_body(body)
    if not subject:
        raise EmailError(_("Indiquez un objet."))
    if not body:
        raise EmailError(_("Le message est vide."))
    contacts = _clean_recipients(engagement, contacts)
    reply_to = _reply_to(user, engagement)
    language = clean_language(language)
    sender = user if user is not None else engagement.owner
    email = _locked_draft(draft, engagement) or EngagementEmail(engagement=engagement)
    email.author = user
    email.status = EngagementEmailStatus.SENT
    email.purpose = purpose if purpose in EmailPurpose.values else EmailPurpose.GENERAL
    email.template = template
    email.language = language
    email.subject, email.body = subject, body
    email.data = dict(data or {})
    email.send_key = send_key
    email.sent_at = timezone.now()
    try:
        with transaction.atomic():
            email.save()
    except IntegrityError:  # the same form sent twice at the same moment
        return EngagementEmail.objects.get(send_key=send_key)
    _set_recipients(email, contacts)
    recipients = {r.contact_id: r for r in email.recipients.all()}
    first_notification = None
    first_body = first_subject = ""
    for contact in contacts:
        rendered = render_for(
            engagement,
            contact,
            subject=subject,
            body=body,
            user=sender,
            data=data,
            language=language,
        )
        notification = outbox.queue_email(
            kind=NotificationKind.CONSULTANT_MESSAGE,
            to=[contact.email],
            template="consultant_message",
            context={"subject": rendered.subject, "body": rendered.body, "engagement": engagement},
            idempotency_key=f"engagement-email:{email.pk}:{contact.pk}",
            engagement=engagement,
            reply_to=[reply_to],
            from_email=sender_address(sender),
            language=language,
        )
        recipient = recipients[contact.pk]
        recipient.notification = notification
        recipient.save(update_fields=["notification"])
        if first_notification is None:
            first_notification, first_body = notification, rendered.body
            first_subject = rendered.subject
    names = ", ".join(contact.name for contact in contacts)
    Activity.objects.create(
        engagement=engagement,
        kind=ActivityKind.EMAIL,
        actor=user,
        summary=outbox.single_line(
            _("E-mail « %(subject)s » à %(names)s") % {"subject": first_subject, "names": names},
            300,
        ),
        body=first_body,
        notification=first_notification,
        data={"email_id": email.pk, "purpose": email.purpose},
    )
    return email


@transaction.atomic
def save_draft(
    engagement: Engagement,
    *,
    subject: str,
    body: str,
    contacts,
    user: AbstractBaseUser | None,
    language: str = "fr",
    purpose: str = EmailPurpose.GENERAL,
    template: EmailTemplate | None = None,
    data: dict | None = None,
    draft: EngagementEmail | None = None,
) -> EngagementEmail:
    """Keep a message to finish later (placeholders are checked, recipients need not be)."""
    require(user, "pipeline.change_engagement", engagement)
    subject, body = clean_subject(subject), clean_body(body)
    contacts = list(dict.fromkeys(contacts))
    if contacts:
        contacts = _clean_recipients(engagement, contacts)
    email = _locked_draft(draft, engagement) or EngagementEmail(engagement=engagement, author=user)
    email.purpose = purpose if purpose in EmailPurpose.values else EmailPurpose.GENERAL
    email.template = template
    email.language = clean_language(language)
    email.subject, email.body = subject, body
    email.data = dict(data or {})
    email.save()
    _set_recipients(email, contacts)
    return email


@transaction.atomic
def discard_draft(draft: EngagementEmail, *, user: AbstractBaseUser | None) -> None:
    require(user, "pipeline.change_engagement", draft.engagement)
    draft = EngagementEmail.objects.select_for_update(of=("self",)).get(pk=draft.pk)
    if draft.status != EngagementEmailStatus.DRAFT:
        raise EmailError(_("Ce message a déjà été envoyé : il reste dans la chronologie."))
    draft.delete()


def template_for(purpose: str, language: str = "fr") -> EmailTemplate:
    """The consultants' template for this use; the built-in text when none exists any more."""
    from pipeline.email_defaults import default_template

    template = (
        EmailTemplate.objects.filter(purpose=purpose, language=language).order_by("pk").first()
        or EmailTemplate.objects.filter(purpose=purpose).order_by("pk").first()
    )
    return template or default_template(purpose, language)


def draft_from_template(
    engagement: Engagement,
    purpose: str,
    *,
    user: AbstractBaseUser | None,
    contacts=None,
    data: dict | None = None,
    language: str = "fr",
) -> EngagementEmail:
    """A draft whose meeting-specific placeholders are already filled in (the consultant edits
    real text), keeping per-recipient ones ({prenom}) and links issued at sending."""
    template = template_for(purpose, language)
    sender = user if user is not None else engagement.owner
    context = _context(engagement, None, sender, data, preview=False)
    keep = placeholders.per_recipient_names() | {"lien_rendez_vous"}
    with translation.override(clean_language(template.language)):
        subject = outbox.single_line(placeholders.render(template.subject, context, keep=keep), 200)
        body = placeholders.render(template.body, context, keep=keep)
    return save_draft(
        engagement,
        subject=subject,
        body=body,
        contacts=contacts if contacts is not None else default_recipients(engagement),
        user=user,
        language=template.language,
        purpose=purpose,
        template=template if template.pk else None,
        data=data,
    )


def send_from_template(
    engagement: Engagement,
    purpose: str,
    *,
    user: AbstractBaseUser | None,
    contacts,
    data: dict | None = None,
    language: str = "fr",
) -> EngagementEmail:
    """One click: the template for this use, sent as is to `contacts`."""
    template = template_for(purpose, language)
    if not contacts:
        raise EmailError(
            _(
                "Aucun contact ne peut recevoir cet e-mail (consentement absent ou adresse "
                "refusée). Écrivez-lui autrement, ou corrigez sa fiche."
            )
        )
    return send_email(
        engagement,
        subject=template.subject,
        body=template.body,
        contacts=contacts,
        user=user,
        language=template.language,
        purpose=purpose,
        template=template if template.pk else None,
        data=data,
    )


def delivery_rows(email_ids) -> dict[int, list[dict[str, Any]]]:
    """For the timeline: each sending's recipients with their live outbox state (one query)."""
    rows: dict[int, list[dict[str, Any]]] = {}
    recipients = EngagementEmailRecipient.objects.filter(
        email_id__in=list(email_ids)
    ).select_related("notification")
    for recipient in recipients:
        notification = recipient.notification
        rows.setdefault(recipient.email_id, []).append(
            {
                "name": recipient.name,
                "address": recipient.address,
                "status": notification.status if notification else "",
                "status_label": notification.get_status_display() if notification else "",
                "error": notification.last_error if notification else "",
                "notification_id": notification.pk if notification else None,
            }
        )
    return rows
