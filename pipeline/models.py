"""Organisations, their contacts and their audit journeys (engagements), with full history."""

from __future__ import annotations

import secrets
from email.utils import make_msgid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pipeline.stages import OPEN_STAGES, LostReason, Stage


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("créé le"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        abstract = True


class OrganisationType(models.TextChoices):
    COMMUNE = "commune_intercommunalite", _("Commune / intercommunalité")
    DEPARTEMENT_REGION = "departement_region", _("Département / Région")
    PUBLIC_BODY = "autre_etablissement_public", _("Autre établissement public")
    ASSOCIATION = "association", _("Association")
    COOPERATIVE = "cooperative", _("Coopérative")
    COMPANY = "entreprise", _("Entreprise")
    OTHER = "autre", _("Autre")


PUBLIC_ORGANISATION_TYPES = frozenset(
    {OrganisationType.COMMUNE, OrganisationType.DEPARTEMENT_REGION, OrganisationType.PUBLIC_BODY}
)


class Organisation(TimeStampedModel):
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(
        _("type de structure"), max_length=32, choices=OrganisationType.choices, blank=True
    )
    headcount = models.CharField(_("effectif"), max_length=16, blank=True)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, db_index=True)
    domain = models.CharField(
        _("domaine e-mail"),
        max_length=253,
        blank=True,
        db_index=True,
        help_text=_(
            "Domaine des adresses professionnelles, vide pour les messageries grand public."
        ),
    )
    postcode = models.CharField(_("code postal"), max_length=10, blank=True)
    territory = models.CharField(
        _("territoire"), max_length=3, blank=True, db_index=True, help_text=_("Département")
    )
    website = models.URLField(_("site internet"), blank=True)
    time_zone = models.CharField(_("fuseau horaire"), max_length=64, default="Europe/Paris")
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("fusionnée dans"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
    )
    anonymised_at = models.DateTimeField(_("anonymisée le"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        indexes = [models.Index(fields=["name", "postcode"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public_body(self) -> bool:
        return self.kind in PUBLIC_ORGANISATION_TYPES


class Contact(TimeStampedModel):
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="contacts",
    )
    name = models.CharField(_("prénom et nom"), max_length=200)
    role = models.CharField(_("fonction"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, db_index=True)
    phone = models.CharField(_("téléphone"), max_length=40, blank=True)
    consent_contact = models.BooleanField(_("accepte d'être recontacté·e"), default=False)
    consent_contact_at = models.DateTimeField(_("consentement donné le"), null=True, blank=True)
    consent_newsletter = models.BooleanField(_("lettre d'information"), default=False)
    consent_newsletter_at = models.DateTimeField(
        _("inscription à la lettre le"), null=True, blank=True
    )
    erased_at = models.DateTimeField(_("données effacées le"), null=True, blank=True)
    # A permanent delivery failure (SMTP 5xx refusal or a bounce report) for `bounced_email`.
    # Kept as the address that failed: a corrected address is no longer flagged.
    bounced_email = models.EmailField(_("adresse en échec"), max_length=254, blank=True)
    bounced_at = models.DateTimeField(_("échec de distribution le"), null=True, blank=True)
    bounce_reason = models.CharField(_("motif de l'échec"), max_length=300, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name"]
        permissions = [
            ("export_personal_data", _("Exporter les données personnelles")),
            ("erase_personal_data", _("Effacer les données personnelles")),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def has_bounced(self) -> bool:
        """Its current address was refused for good (new e-mails skip it by default)."""
        return bool(
            self.bounced_at and self.email and self.bounced_email.lower() == self.email.lower()
        )

    @property
    def can_be_emailed(self) -> bool:
        """Consultants may write to this person: consent given, data not erased."""
        return bool(self.consent_contact and not self.erased_at and self.email)


class EngagementQuerySet(models.QuerySet):
    def open(self):
        return self.filter(stage__in=OPEN_STAGES)

    def visible_to(self, user):
        """Engagements a user may see: all, or only their own when the setting restricts it."""
        if user.is_superuser:
            return self
        if not user.has_perm("pipeline.view_engagement"):
            return self.none()
        if getattr(settings, "PIPELINE_CONSULTANTS_SEE_OWN_ONLY", False) and not user.has_perm(
            "pipeline.view_all_engagements"
        ):
            return self.filter(owner=user)
        return self


class Engagement(TimeStampedModel):
    """One audit journey of one organisation, from questionnaire to transition."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="engagements",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consultant·e"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="engagements",
    )
    stage = models.CharField(
        _("étape"), max_length=32, choices=Stage.choices, default=Stage.NEW, db_index=True
    )
    stage_changed_at = models.DateTimeField(_("dans cette étape depuis"), default=timezone.now)
    lost_from_stage = models.CharField(
        _("perdu à l'étape"), max_length=32, choices=Stage.choices, blank=True
    )
    lost_reason = models.CharField(
        _("raison de la perte"), max_length=32, choices=LostReason.choices, blank=True
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    answers = models.JSONField(_("réponses au questionnaire"), default=dict, blank=True)
    score = models.PositiveSmallIntegerField(_("score d'exposition"), null=True, blank=True)
    score_details = models.JSONField(_("détail du score"), default=dict, blank=True)
    next_action = models.CharField(_("prochaine action"), max_length=200, blank=True)
    next_action_due = models.DateField(_("échéance"), null=True, blank=True)

    objects = EngagementQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("accompagnement")
        verbose_name_plural = _("accompagnements")
        ordering = ["-created_at"]
        permissions = [("view_all_engagements", _("Voir tous les accompagnements"))]
        indexes = [models.Index(fields=["stage", "owner"])]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.get_stage_display()}"

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES


class StageChange(models.Model):
    """Append-only record of every stage change; the basis of time-in-stage reports."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.CASCADE, related_name="stage_changes"
    )
    from_stage = models.CharField(_("de"), max_length=32, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("vers"), max_length=32, choices=Stage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(_("le"), default=timezone.now, db_index=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("changement d'étape")
        verbose_name_plural = _("changements d'étape")
        ordering = ["changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_stage or '∅'} → {self.to_stage}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.pop("allow_update", False):
            raise ValidationError(_("L'historique des étapes ne se modifie pas."))
        super().save(*args, **kwargs)


class ActivityKind(models.TextChoices):
    SUBMISSION = "submission", _("Questionnaire reçu")
    STAGE_CHANGE = "stage_change", _("Changement d'étape")
    ASSIGNMENT = "assignment", _("Attribution")
    EMAIL = "email", _("E-mail")
    MEETING = "meeting", _("Rendez-vous")
    NOTE = "note", _("Note")
    TASK = "task", _("Tâche")
    ROADMAP = "roadmap", _("Feuille de route")
    MERGE = "merge", _("Fusion")
    IMPORT = "import", _("Import")
    PRIVACY = "privacy", _("Données personnelles")
    ALERT = "alert", _("Alerte")


class Activity(models.Model):
    """The engagement's timeline."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("type"), max_length=32, choices=ActivityKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    occurred_at = models.DateTimeField(_("le"), default=timezone.now, db_index=True)
    summary = models.CharField(_("résumé"), max_length=300)
    body = models.TextField(_("détail"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    notification = models.ForeignKey(
        "Notification", null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )

    class Meta:
        verbose_name = _("activité")
        verbose_name_plural = _("activités")
        ordering = ["-occurred_at", "-pk"]

    def __str__(self) -> str:
        return self.summary


class Task(TimeStampedModel):
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("titre"), max_length=200)
    due_date = models.DateField(_("échéance"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignée à"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pipeline_tasks",
    )
    done = models.BooleanField(_("faite"), default=False)
    done_at = models.DateTimeField(_("faite le"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("tâche")
        verbose_name_plural = _("tâches")
        ordering = ["done", "due_date", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return not self.done and self.due_date is not None and self.due_date < timezone.localdate()


class TerritoryRule(models.Model):
    """New engagements from this territory go to this consultant (else round robin)."""

    territory = models.CharField(
        _("territoire"),
        max_length=3,
        unique=True,
        help_text=_("Numéro de département : 69, 2A, 974…"),
    )
    consultant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("consultant·e"),
        on_delete=models.CASCADE,
        related_name="territory_rules",
    )

    class Meta:
        verbose_name = _("règle d'attribution par territoire")
        verbose_name_plural = _("règles d'attribution par territoire")
        ordering = ["territory"]

    def __str__(self) -> str:
        return f"{self.territory} → {self.consultant}"


class PrivacyAction(models.TextChoices):
    EXPORT = "export", _("Export")
    ERASURE = "erasure", _("Effacement")
    RETENTION = "retention", _("Anonymisation (durée de conservation)")


class PrivacyLog(models.Model):
    """Who exported or erased whose data, when. Holds identifiers and counts only: no personal
    data, so it survives the erasure it records."""

    action = models.CharField(_("action"), max_length=16, choices=PrivacyAction.choices)
    subject_type = models.CharField(_("objet"), max_length=32)
    subject_id = models.PositiveBigIntegerField(_("identifiant"))
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    performed_at = models.DateTimeField(_("le"), default=timezone.now, db_index=True)
    details = models.JSONField(_("détail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("action sur les données personnelles")
        verbose_name_plural = _("registre des données personnelles")
        ordering = ["-performed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} — {self.subject_type} #{self.subject_id}"


# --- Outbox (design.md §4) ---------------------------------------------------------------------


class NotificationKind(models.TextChoices):
    AUDIT_CONFIRMATION = "audit_confirmation", _("Confirmation du questionnaire")
    CONSULTANT_ALERT = "consultant_alert", _("Alerte consultant·e")
    MEETING_REQUEST = "meeting_request", _("Invitation au rendez-vous")
    MEETING_UPDATE = "meeting_update", _("Rendez-vous déplacé")
    MEETING_CANCEL = "meeting_cancel", _("Rendez-vous annulé")
    MEETING_REMINDER = "meeting_reminder", _("Rappel de rendez-vous")
    CALENDAR_PUSH = "calendar_push", _("Synchronisation d'agenda (CalDAV)")
    ROADMAP_SHARED = "roadmap_shared", _("Feuille de route partagée")
    ROADMAP_DIGEST = "roadmap_digest", _("Nouvelles de la feuille de route")
    CONSULTANT_MESSAGE = "consultant_message", _("Message du consultant·e")
    INTERNAL_ALERT = "internal_alert", _("Alerte interne")
    OTHER = "other", _("Autre")


class NotificationChannel(models.TextChoices):
    """How a row leaves: by e-mail, or pushed to a consultant's CalDAV calendar."""

    EMAIL = "email", _("E-mail")
    CALDAV = "caldav", _("Agenda CalDAV")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    SENDING = "sending", _("En cours d'envoi")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec, nouvel essai prévu")
    DEAD = "dead", _("Abandonné")


def new_message_id() -> str:
    from urllib.parse import urlsplit

    domain = urlsplit(settings.SITE_URL).hostname or "passerelle.localhost"
    return make_msgid(idstring=secrets.token_hex(4), domain=domain)


class NotificationQuerySet(models.QuerySet):
    def due(self, now=None):
        now = now or timezone.now()
        return self.filter(
            status__in=[NotificationStatus.PENDING, NotificationStatus.FAILED],
            next_attempt_at__lte=now,
        )


class Notification(models.Model):
    """An outgoing message, written in the same transaction as the change that caused it."""

    kind = models.CharField(_("type"), max_length=32, choices=NotificationKind.choices)
    idempotency_key = models.CharField(_("clé d'idempotence"), max_length=200, unique=True)
    engagement = models.ForeignKey(
        Engagement,
        verbose_name=_("accompagnement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    recipients = models.JSONField(_("destinataires"), default=list)
    reply_to = models.JSONField(_("répondre à"), default=list, blank=True)
    from_email = models.CharField(_("expéditeur"), max_length=254, blank=True)
    subject = models.CharField(_("objet"), max_length=255)
    body_text = models.TextField(_("texte"), blank=True)
    body_html = models.TextField(_("HTML"), blank=True)
    # Extra parts of multipart/alternative, e.g. text/calendar; method=REQUEST.
    alternatives = models.JSONField(default=list, blank=True)
    # [{"filename", "content", "mimetype"}]
    attachments = models.JSONField(default=list, blank=True)
    # Non-e-mail channels (outbox.register_sender) read what they need from `payload`.
    channel = models.CharField(
        _("canal"),
        max_length=16,
        choices=NotificationChannel.choices,
        default=NotificationChannel.EMAIL,
    )
    payload = models.JSONField(_("données"), default=dict, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, default=new_message_id)

    status = models.CharField(
        _("état"),
        max_length=16,
        choices=NotificationStatus.choices,
        default=NotificationStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("essais"), default=0)
    next_attempt_at = models.DateTimeField(_("prochain essai"), default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    redacted_at = models.DateTimeField(_("contenu effacé le"), null=True, blank=True)
    # A person looked at a dead message and closed the alert (it leaves the dashboard).
    dismissed_at = models.DateTimeField(_("alerte classée le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now, db_index=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("message sortant")
        verbose_name_plural = _("messages sortants")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="notification_due_idx",
                condition=Q(status__in=["pending", "failed"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {', '.join(self.recipients)}"


# --- Capability links ------------------------------------------------------------------------


class AccessTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class AccessToken(models.Model):
    """An unguessable link (booking, roadmap, results, feed…). Only its SHA-256 is stored."""

    purpose = models.CharField(_("usage"), max_length=40, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)
    expires_at = models.DateTimeField(_("expire le"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)

    objects = AccessTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("lien d'accès")
        verbose_name_plural = _("liens d'accès")
        indexes = [models.Index(fields=["content_type", "object_id", "purpose"])]

    def __str__(self) -> str:
        return f"{self.purpose} → {self.content_type.model} #{self.object_id}"


# --- E-mails written by consultants (issue 10) -------------------------------------------------


class EmailPurpose(models.TextChoices):
    GENERAL = "general", _("Message libre")
    BOOKING_INVITE = "booking_invite", _("Invitation à prendre rendez-vous")
    NO_SHOW = "no_show", _("Rendez-vous manqué : nouveaux créneaux")
    FOLLOW_UP = "follow_up", _("Suite du rendez-vous")


class EmailTemplate(TimeStampedModel):
    """A reusable message with placeholders ({prenom}, {organisation}…), edited by consultants."""

    name = models.CharField(_("nom du modèle"), max_length=120)
    purpose = models.CharField(
        _("usage"),
        max_length=32,
        choices=EmailPurpose.choices,
        default=EmailPurpose.GENERAL,
        db_index=True,
        help_text=_(
            "« Rendez-vous manqué » sert au bouton « proposer de nouveaux créneaux », « Suite du "
            "rendez-vous » au brouillon préparé quand un rendez-vous est marqué tenu."
        ),
    )
    language = models.CharField(_("langue"), max_length=8, choices=settings.LANGUAGES, default="fr")
    subject = models.CharField(_("objet"), max_length=200)
    body = models.TextField(_("message"), max_length=10_000)

    class Meta:
        verbose_name = _("modèle d'e-mail")
        verbose_name_plural = _("modèles d'e-mail")
        ordering = ["purpose", "name", "pk"]

    def __str__(self) -> str:
        return self.name


class EngagementEmailStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SENT = "sent", _("Envoyé")


class EngagementEmail(TimeStampedModel):
    """A message a consultant wrote to the organisation's contacts (a draft, or sent: then one
    outbox row per recipient, each with its own delivery state)."""

    engagement = models.ForeignKey(
        Engagement,
        verbose_name=_("accompagnement"),
        on_delete=models.CASCADE,
        related_name="emails",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rédigé par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        _("état"),
        max_length=16,
        choices=EngagementEmailStatus.choices,
        default=EngagementEmailStatus.DRAFT,
        db_index=True,
    )
    purpose = models.CharField(
        _("usage"), max_length=32, choices=EmailPurpose.choices, default=EmailPurpose.GENERAL
    )
    template = models.ForeignKey(
        EmailTemplate,
        verbose_name=_("modèle"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    language = models.CharField(_("langue"), max_length=8, choices=settings.LANGUAGES, default="fr")
    subject = models.CharField(_("objet"), max_length=200, blank=True)
    body = models.TextField(_("message"), blank=True)
    # What the placeholders refer to, e.g. {"meeting_id": 12} for {date_rendez_vous}.
    data = models.JSONField(default=dict, blank=True)
    # The compose form's one-time key: a double click sends one message, not two.
    send_key = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail d'accompagnement")
        verbose_name_plural = _("e-mails d'accompagnement")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.subject or str(_("(sans objet)"))


class EngagementEmailRecipient(models.Model):
    email = models.ForeignKey(EngagementEmail, on_delete=models.CASCADE, related_name="recipients")
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(_("nom"), max_length=200)
    address = models.EmailField(_("adresse"), max_length=254)
    notification = models.OneToOneField(
        Notification,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="engagement_email_recipient",
    )

    class Meta:
        verbose_name = _("destinataire")
        verbose_name_plural = _("destinataires")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name} <{self.address}>"
