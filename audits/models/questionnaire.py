from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import (
    AbstractEmailForm,
    AbstractFormField,
    AbstractFormSubmission,
)
from wagtail.fields import RichTextField

from audits.forms import AuditPageAdminForm
from audits.mapping import MapsTo


class AuditFormField(AbstractFormField):
    """A question; `maps_to` says what the answer means, so a relabelled question still lands
    in the right place."""

    page = ParentalKey("AuditPage", on_delete=models.CASCADE, related_name="form_fields")
    maps_to = models.CharField(
        _("correspondance"),
        max_length=40,
        choices=MapsTo.choices,
        blank=True,
        help_text=_("Ce que signifie la réponse pour l'accompagnement et la feuille de route."),
    )

    panels = [*AbstractFormField.panels, FieldPanel("maps_to")]

    def get_field_clean_name(self):
        return self.maps_to or super().get_field_clean_name()

    def save(self, *args, **kwargs):
        if self.maps_to:
            self.clean_name = self.maps_to
        super().save(*args, **kwargs)


class AuditPage(AbstractEmailForm):
    """The questionnaire, edited by marketing with Wagtail's form builder."""

    intro = RichTextField(_("introduction"), blank=True)
    thank_you_text = RichTextField(_("message de remerciement"), blank=True)

    base_form_class = AuditPageAdminForm

    content_panels = [
        *AbstractEmailForm.content_panels,
        FieldPanel("intro"),
        InlinePanel("form_fields", label=_("Questions")),
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

    def get_submission_class(self):
        return AuditSubmission

    def mapped_answers(self, cleaned_data) -> dict:
        return {
            field.maps_to: cleaned_data.get(field.clean_name)
            for field in self.get_form_fields()
            if field.maps_to
        }

    def process_form_submission(self, form):
        from audits import services

        return services.record_submission(self, form.cleaned_data)


class AuditSubmission(AbstractFormSubmission):
    engagement = models.ForeignKey(
        "pipeline.Engagement",
        verbose_name=_("accompagnement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
    )

    class Meta:
        verbose_name = _("réponse au questionnaire")
        verbose_name_plural = _("réponses au questionnaire")
