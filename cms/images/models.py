"""Images with a required text alternative, used everywhere on the public site."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.images.models import AbstractImage, AbstractRendition


class PasserelleImage(AbstractImage):
    # Wagtail's own `description` is the alt text of the image tags; we make it mandatory.
    description = models.CharField(
        _("texte alternatif"),
        max_length=255,
        help_text=_(
            "Décrivez ce que montre l'image pour les personnes qui ne la voient pas "
            "(lecteur d'écran, image non chargée). Ex. : « Une élue en visioconférence »."
        ),
    )
    credit = models.CharField(
        _("crédit"), max_length=255, blank=True, help_text=_("Auteur·ice, licence.")
    )

    admin_form_fields = (
        "title",
        "file",
        "description",
        "credit",
        "collection",
        "tags",
        "focal_point_x",
        "focal_point_y",
        "focal_point_width",
        "focal_point_height",
    )

    class Meta(AbstractImage.Meta):
        verbose_name = _("image")
        verbose_name_plural = _("images")
        permissions = [("choose_image", "Can choose image")]

    @property
    def default_alt_text(self):
        return self.description


class PasserelleRendition(AbstractRendition):
    image = models.ForeignKey(PasserelleImage, related_name="renditions", on_delete=models.CASCADE)

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)
