"""Organisations, their contacts and their audit journeys (engagements), with full history."""

from __future__ import annotations

import secrets
from email.utils import make_msgid

from django import forms
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from simple_history.models import HistoricalRecords
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.models import Orderable

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
    # The language of the e-mails, invitations and links sent to this person: the one of the
    # questionnaire they answered last; consultants may change it.
    language = models.CharField(
        _("langue de correspondance"), max_length=8, choices=settings.LANGUAGES, default="fr"
    )
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
    # Campaign attribution of the first questionnaire (audience/attribution.py validates it).
    landing_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page de campagne"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    utm_source = models.CharField(_("source (utm_source)"), max_length=100, blank=True)
    utm_medium = models.CharField(_("support (utm_medium)"), max_length=100, blank=True)
    utm_campaign = models.CharField(_("campagne (utm_campaign)"), max_length=100, blank=True)
    utm_content = models.CharField(_("contenu (utm_content)"), max_length=100, blank=True)
    utm_term = models.CharField(_("mot-clé (utm_term)"), max_length=100, blank=True)
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
        indexes = [
            models.Index(fields=["stage", "owner"]),
            # The list's default order (newest first, id to break ties), read from the index:
            # its first page at 100,000 organisations costs no sort of the whole table.
            models.Index(fields=["created_at", "id"], name="engagement_created_idx"),
        ]

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
    MEETING = "meeting", pgettext_lazy("one meeting", "Rendez-vous")
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


# --- Transition roadmaps (issue 7) -------------------------------------------------------------


class MonthInput(forms.DateInput):
    """`<input type="month">`: browsers that lack it show a text box taking "2027-03"."""

    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs={"placeholder": "AAAA-MM", **(attrs or {})}, format="%Y-%m")


class MonthFormField(forms.DateField):
    widget = MonthInput
    input_formats = ["%Y-%m", "%m/%Y", "%Y-%m-%d", "%d/%m/%Y"]
    default_error_messages = {
        "invalid": _("Indiquez un mois au format AAAA-MM, par exemple 2027-03."),
    }

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace(day=1) if value else value


class MonthField(models.DateField):
    """A calendar month, stored as its first day."""

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if value:
            value = value.replace(day=1)
            setattr(model_instance, self.attname, value)
        return value

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": MonthFormField, **kwargs})


class RoadmapPhase(models.IntegerChoices):
    """The phases of domain.md §4c (titles as in the catalogue's Phase snippets)."""

    DIAGNOSIS = 0, _("Diagnostic et cadrage")
    QUICK_WINS = 1, _("Gains rapides")
    COLLABORATION = 2, _("Cœur collaboratif")
    DATA = 3, _("Données et fichiers")
    MAIL = 4, _("Messagerie et agenda")
    AUTONOMY = 5, _("Consolidation et autonomie")


class RoadmapItemStatus(models.TextChoices):
    PLANNED = "planned", _("Prévue")
    IN_PROGRESS = "in_progress", _("En cours")
    DONE = "done", _("Faite")
    SKIPPED = "skipped", _("Écartée")


class Effort(models.TextChoices):
    LOW = "low", _("faible")
    MEDIUM = "medium", _("moyen")
    HIGH = "high", _("élevé")


class RoadmapQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(engagement__in=Engagement.objects.visible_to(user))


class ClusterHistoricalRecords(HistoricalRecords):
    """History for a model with a ParentalKey: the historical copy gets a plain ForeignKey
    (modelcluster refuses the hidden related name that history tables need)."""

    def copy_fields(self, model):
        fields = super().copy_fields(model)
        for name, field in list(fields.items()):
            if isinstance(field, ParentalKey):
                swappable, field.swappable = field.swappable, False
                try:
                    _name, _path, args, kwargs = field.deconstruct()
                finally:
                    field.swappable = swappable
                plain = models.ForeignKey(*args, **kwargs)
                plain.name = field.name
                fields[name] = plain
        return fields


class Roadmap(ClusterableModel, TimeStampedModel):
    """The organisation's transition roadmap: one per engagement, drafted from the answers,
    edited by the consultant, then published on a private page and followed over time."""

    engagement = models.OneToOneField(
        Engagement,
        verbose_name=_("accompagnement"),
        on_delete=models.CASCADE,
        related_name="roadmap",
    )
    summary = models.TextField(
        _("synthèse"),
        blank=True,
        help_text=_("Le mot d'introduction que l'organisation lit en premier."),
    )
    start_date = MonthField(
        _("mois de départ"),
        default=timezone.localdate,
        help_text=_("Les échéances des étapes se comptent à partir de ce mois."),
    )
    pace = models.CharField(_("rythme choisi"), max_length=32, blank=True)
    vigilance = models.TextField(
        _("points de vigilance"),
        blank=True,
        help_text=_("Un point par ligne (RGPD, HDS, SecNumCloud, échéances, partenaires…)."),
    )
    next_steps = models.TextField(
        _("prochaines étapes"),
        blank=True,
        help_text=_("Un point par ligne : validation, groupe pilote, devis…"),
    )
    version = models.PositiveIntegerField(_("version publiée"), default=0, editable=False)
    first_published_at = models.DateTimeField(
        _("publiée pour la première fois le"), null=True, blank=True, editable=False
    )
    published_at = models.DateTimeField(
        _("version publiée le"), null=True, blank=True, editable=False
    )
    content_updated_at = models.DateTimeField(
        _("mise à jour le"), null=True, blank=True, editable=False
    )
    # Bumped by every service that changes what the page shows: the PDF cache key.
    revision = models.PositiveIntegerField(default=0, editable=False)
    current_score = models.PositiveSmallIntegerField(
        _("score d'exposition actuel"), null=True, blank=True, editable=False
    )
    digest_enabled = models.BooleanField(
        _("envoyer les nouvelles par e-mail"),
        default=True,
        help_text=_(
            "Un seul e-mail regroupe les changements d'état et de date des étapes, au plus "
            "une fois par période (réglage ROADMAP_DIGEST_MINUTES)."
        ),
    )
    digest_unsubscribed = models.ManyToManyField(
        Contact,
        verbose_name=_("contacts désabonnés des nouvelles"),
        blank=True,
        related_name="+",
    )
    last_emailed_at = models.DateTimeField(
        _("dernier e-mail aux contacts"), null=True, blank=True, editable=False
    )

    objects = RoadmapQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "revision"])

    panels = [
        FieldPanel("summary"),
        FieldRowPanel([FieldPanel("start_date", widget=MonthInput), FieldPanel("digest_enabled")]),
        InlinePanel("items", heading=_("Étapes"), label=pgettext_lazy("roadmap step", "Étape")),
        FieldPanel("vigilance"),
        FieldPanel("next_steps"),
    ]

    class Meta:
        verbose_name = _("feuille de route")
        verbose_name_plural = _("feuilles de route")
        ordering = ["-updated_at", "-pk"]

    def __str__(self) -> str:
        return str(_("Feuille de route de %(organisation)s") % {"organisation": self.organisation})

    @property
    def organisation(self) -> Organisation:
        return self.engagement.organisation

    @property
    def is_published(self) -> bool:
        return self.version > 0


class RoadmapItem(Orderable, TimeStampedModel):
    """One step of a roadmap: leave a tool for another (or a free step), when, with whom."""

    roadmap = ParentalKey(Roadmap, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(_("titre"), max_length=200)
    usage = models.ForeignKey(
        "audits.Usage",
        verbose_name=_("usage"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    current_tool = models.ForeignKey(
        "audits.Tool",
        verbose_name=_("outil actuel"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    target_tool = models.ForeignKey(
        "audits.Tool",
        verbose_name=_("outil cible"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    host = models.ForeignKey(
        "audits.Host",
        verbose_name=_("hébergeur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state_instance = models.BooleanField(
        _("instance de l'État"),
        default=False,
        help_text=_("Service fourni par l'État (DINUM) ou La Suite territoriale (ANCT)."),
    )
    phase = models.PositiveSmallIntegerField(
        _("phase"), choices=RoadmapPhase.choices, default=RoadmapPhase.QUICK_WINS
    )
    target_month = MonthField(_("mois cible"))
    effort = models.CharField(
        _("effort"), max_length=8, choices=Effort.choices, default=Effort.MEDIUM
    )
    owner = models.CharField(
        _("responsable côté organisation"),
        max_length=120,
        blank=True,
        help_text=_("Une personne ou un service."),
    )
    change_actions = models.TextField(
        _("conduite du changement"),
        blank=True,
        help_text=_("Formation, ambassadeurs, documentation : une action par ligne."),
    )
    next_step = models.CharField(_("prochaine étape"), max_length=300, blank=True)
    status = models.CharField(
        _("état"),
        max_length=16,
        choices=RoadmapItemStatus.choices,
        default=RoadmapItemStatus.PLANNED,
        db_index=True,
    )
    status_changed_at = models.DateTimeField(_("état changé le"), null=True, blank=True)
    note = models.TextField(_("note de la consultante ou du consultant"), blank=True)

    history = ClusterHistoricalRecords(excluded_fields=["updated_at", "sort_order"])

    panels = [
        FieldPanel("title"),
        FieldRowPanel(
            [
                FieldPanel("phase"),
                FieldPanel("target_month", widget=MonthInput),
                FieldPanel("status"),
            ]
        ),
        FieldRowPanel([FieldPanel("usage"), FieldPanel("current_tool"), FieldPanel("target_tool")]),
        FieldRowPanel([FieldPanel("host"), FieldPanel("state_instance"), FieldPanel("effort")]),
        FieldRowPanel([FieldPanel("owner"), FieldPanel("next_step")]),
        FieldPanel("change_actions"),
        FieldPanel("note"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("étape de la feuille de route")
        verbose_name_plural = _("étapes de la feuille de route")
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.title

    def clean(self):
        from pipeline.outbox import single_line

        self.title = single_line(self.title, 200)
        self.owner = single_line(self.owner, 120)
        self.next_step = single_line(self.next_step, 300)
        if not self.title:
            raise ValidationError({"title": _("Donnez un titre à cette étape.")})
        if self.host_id and self.state_instance:
            raise ValidationError(
                {"host": _("Choisissez un hébergeur ou l'instance de l'État, pas les deux.")}
            )

    @property
    def is_closed(self) -> bool:
        return self.status in (RoadmapItemStatus.DONE, RoadmapItemStatus.SKIPPED)

    def change_action_list(self) -> list[str]:
        return [line.strip() for line in self.change_actions.splitlines() if line.strip()]


class RoadmapComment(models.Model):
    """A comment left on a step, by the organisation (private page) or the consultant."""

    item = models.ForeignKey(RoadmapItem, on_delete=models.CASCADE, related_name="comments")
    author_name = models.CharField(_("auteur"), max_length=120, blank=True)
    from_organisation = models.BooleanField(_("de l'organisation"), default=True)
    body = models.TextField(_("commentaire"))
    created_at = models.DateTimeField(_("le"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("commentaire sur une étape")
        verbose_name_plural = _("commentaires sur les étapes")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.body[:60]


class RoadmapUpdateKind(models.TextChoices):
    STATUS = "status", _("État")
    DATE = "date", _("Échéance")
    ADDED = "added", _("Étape ajoutée")
    REMOVED = "removed", _("Étape retirée")


class RoadmapUpdate(models.Model):
    """A change the organisation hears about: grouped into one digest e-mail per period, and
    listed on the page as "since our last e-mail"."""

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="updates")
    item = models.ForeignKey(
        RoadmapItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("type"), max_length=16, choices=RoadmapUpdateKind.choices)
    item_title = models.CharField(pgettext_lazy("roadmap step", "étape"), max_length=200)
    old_value = models.CharField(_("avant"), max_length=120, blank=True)
    new_value = models.CharField(_("après"), max_length=120, blank=True)
    by_organisation = models.BooleanField(default=False)
    created_at = models.DateTimeField(_("le"), default=timezone.now, db_index=True)
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    digested_at = models.DateTimeField(_("envoyée le"), null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("nouvelle de la feuille de route")
        verbose_name_plural = _("nouvelles des feuilles de route")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.item_title} : {self.old_value} → {self.new_value}"


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
