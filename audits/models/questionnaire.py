"""The questionnaire page, its questions, drafts, submissions and the spam counter."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import (
    FORM_FIELD_CHOICES,
    AbstractEmailForm,
    AbstractFormField,
    AbstractFormSubmission,
)
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField

from audits.choices import parse_choices
from audits.forms import AuditPageAdminForm
from audits.mapping import MapsTo


class AuditFieldType(models.TextChoices):
    """Wagtail's field types plus the ones the questionnaire needs."""

    STEP = "step", _("— Nouvelle étape (titre = libellé) —")
    INFO = "info", _("Texte d'information (sans réponse)")
    TOOLS_BY_USAGE = "tools_by_usage", _("Outils par usage (grille du catalogue)")


FIELD_TYPE_CHOICES = [*FORM_FIELD_CHOICES, *AuditFieldType.choices]
# Types that are layout, not answers.
LAYOUT_TYPES = frozenset({AuditFieldType.STEP, AuditFieldType.INFO})


class AuditFormField(AbstractFormField):
    """A question; `maps_to` says what the answer means, so a relabelled question still lands
    in the right place."""

    page = ParentalKey("AuditPage", on_delete=models.CASCADE, related_name="form_fields")
    field_type = models.CharField(_("type de champ"), max_length=16, choices=FIELD_TYPE_CHOICES)
    field_type.required_on_save = True
    choices = models.TextField(
        _("choix"),
        blank=True,
        help_text=_(
            "Une réponse par ligne, sous la forme « valeur | Libellé ». La valeur (à gauche) est "
            "enregistrée et lue par l'accompagnement : ne la changez plus une fois publiée. Le "
            "libellé (à droite) peut être reformulé librement."
        ),
    )
    maps_to = models.CharField(
        _("correspondance"),
        max_length=40,
        choices=MapsTo.choices,
        blank=True,
        help_text=_("Ce que signifie la réponse pour l'accompagnement et la feuille de route."),
    )
    max_choices = models.PositiveSmallIntegerField(
        _("nombre maximum de réponses"),
        null=True,
        blank=True,
        help_text=_("Pour les cases à cocher : vide = sans limite."),
    )
    show_if_field = models.CharField(
        _("afficher seulement si la question"),
        max_length=40,
        choices=MapsTo.choices,
        blank=True,
        help_text=_("Une question placée avant celle-ci (par sa correspondance)."),
    )
    show_if_values = models.CharField(
        _("a pour réponse l'une de ces valeurs"),
        max_length=255,
        blank=True,
        help_text=_("Valeurs séparées par des virgules, ex. : sante"),
    )

    panels = [
        FieldPanel("label"),
        FieldPanel("help_text"),
        FieldRowPanel([FieldPanel("required"), FieldPanel("maps_to")]),
        FieldPanel("field_type", classname="formbuilder-type", required_on_save=True),
        FieldPanel("choices", classname="formbuilder-choices"),
        FieldRowPanel([FieldPanel("default_value"), FieldPanel("max_choices")]),
        FieldRowPanel([FieldPanel("show_if_field"), FieldPanel("show_if_values")]),
    ]

    def get_field_clean_name(self):
        return self.maps_to or super().get_field_clean_name()

    def save(self, *args, **kwargs):
        if self.maps_to:
            self.clean_name = self.maps_to
        super().save(*args, **kwargs)

    @property
    def is_layout(self) -> bool:
        return self.field_type in LAYOUT_TYPES

    @property
    def condition_values(self) -> frozenset[str]:
        return frozenset(v.strip() for v in self.show_if_values.split(",") if v.strip())

    def choice_labels(self) -> dict[str, str]:
        return {choice.value: choice.label for choice in parse_choices(self.choices)}


class AuditPage(RoutablePageMixin, AbstractEmailForm):
    """The questionnaire, edited by marketing with Wagtail's form builder, in a few steps."""

    intro = RichTextField(_("introduction"), blank=True)
    thank_you_text = RichTextField(
        _("texte de la page de résultats"),
        blank=True,
        help_text=_("Affiché sous le diagnostic, après l'envoi."),
    )

    base_form_class = AuditPageAdminForm
    # Audience: only the questionnaire itself is a page view; results and "resume" links are
    # personal pages (audience/wagtail_hooks.py).
    audience_routes = frozenset({"questionnaire"})

    content_panels = [
        *AbstractEmailForm.content_panels,
        FieldPanel("intro"),
        InlinePanel(
            "form_fields",
            label=_("Questions"),
            help_text=_(
                "Un champ de type « Nouvelle étape » commence un nouvel écran (5 au plus)."
            ),
        ),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("from_address"), FieldPanel("to_address")]),
                FieldPanel("subject"),
            ],
            heading=_("Alerte interne par e-mail (facultatif)"),
        ),
    ]

    parent_page_types = ["cms.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("questionnaire d'audit")

    def get_form_class(self):
        from audits.form_builder import AuditFormBuilder

        return AuditFormBuilder(self.get_form_fields()).get_form_class()

    def get_submission_class(self):
        return AuditSubmission

    def get_submissions_list_view_class(self):
        from audits.export import AuditSubmissionsListView

        return AuditSubmissionsListView

    def get_data_fields(self):
        data_fields = [("submit_time", _("Date d'envoi")), ("score", _("Score d'exposition"))]
        data_fields += [
            (field.clean_name, field.label)
            for field in self.get_form_fields()
            if not field.is_layout
        ]
        return data_fields

    def mapped_answers(self, cleaned_data) -> dict:
        return {
            field.maps_to: cleaned_data.get(field.clean_name)
            for field in self.get_form_fields()
            if field.maps_to and not field.is_layout
        }

    # --- Serving: the multi-step flow lives in audits.views -----------------------------------

    @path("", name="questionnaire")
    def questionnaire_view(self, request):
        from audits.views import QuestionnaireFlow

        return QuestionnaireFlow(self, request).dispatch()

    @path("reprendre/<str:token>/", name="resume")
    def resume_view(self, request, token):
        from audits.views import QuestionnaireFlow

        return QuestionnaireFlow(self, request).resume(token)

    @path("resultats/<str:token>/", name="results")
    def results_view(self, request, token):
        from audits.views import results_view

        return results_view(self, request, token)

    @path("merci/", name="thanks")
    def thanks_view(self, request):
        return self.render_landing_page(request)

    def serve_preview(self, request, mode_name):
        if mode_name == "landing":
            return self.render_landing_page(request)
        from audits.views import QuestionnaireFlow

        return QuestionnaireFlow(self, request, preview=True).render_step(0)


class AuditSubmission(AbstractFormSubmission):
    engagement = models.ForeignKey(
        "pipeline.Engagement",
        verbose_name=_("accompagnement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
    )
    # One per rendered final screen: a double click or a replayed POST finds the first one.
    nonce = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    score = models.PositiveSmallIntegerField(_("score d'exposition"), null=True, blank=True)
    # The diagnosis as shown to the respondent (snapshot: later catalogue edits do not alter it).
    score_details = models.JSONField(_("diagnostic"), default=dict, blank=True)
    # Campaign attribution: the page the visitor started from and the UTM parameters of their
    # landing URL, carried through the questionnaire (audience/attribution.py validates them).
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

    class Meta:
        verbose_name = _("réponse au questionnaire")
        verbose_name_plural = _("réponses au questionnaire")
        permissions = [("view_statistics", _("Voir les statistiques du questionnaire"))]

    def get_data(self):
        from audits.export import readable_answers

        return {
            **readable_answers(self.page.specific, self.form_data),
            "submit_time": self.submit_time,
            "score": self.score,
        }


class AuditDraft(models.Model):
    """Answers of a questionnaire in progress, reachable through a capability link."""

    page = models.ForeignKey(AuditPage, on_delete=models.CASCADE, related_name="drafts")
    answers = models.JSONField(default=dict, blank=True)
    step = models.PositiveSmallIntegerField(_("étape en cours"), default=0)
    furthest_step = models.PositiveSmallIntegerField(_("étape la plus avancée"), default=0)
    started_at = models.DateTimeField(_("commencé le"), default=timezone.now)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    expires_at = models.DateTimeField(_("expire le"), db_index=True)
    # Where the visitor came from (audience.attribution.Attribution.as_payload()).
    attribution = models.JSONField(_("provenance"), default=dict, blank=True)

    class Meta:
        verbose_name = _("questionnaire en cours")
        verbose_name_plural = _("questionnaires en cours")

    def __str__(self) -> str:
        return f"{self.page} — étape {self.step + 1}"


class RejectionReason(models.TextChoices):
    HONEYPOT = "honeypot", _("Pot de miel rempli")
    TOO_FAST = "too_fast", _("Envoyé trop vite")
    RATE_LIMITED = "rate_limited", _("Trop d'envois depuis la même adresse")


class SpamRejection(models.Model):
    """How many submissions were turned away, per day and reason. Nothing personal is kept."""

    page = models.ForeignKey(AuditPage, null=True, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("jour"))
    reason = models.CharField(_("raison"), max_length=20, choices=RejectionReason.choices)
    count = models.PositiveIntegerField(_("nombre"), default=0)

    class Meta:
        verbose_name = _("envoi refusé")
        verbose_name_plural = _("envois refusés")
        constraints = [
            models.UniqueConstraint(fields=["page", "day", "reason"], name="one_counter_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.get_reason_display()} : {self.count}"
