"""Site-wide settings edited in Wagtail (Paramètres → Site de campagne)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Orderable

from config.languages import localized


class SocialNetwork(models.TextChoices):
    MASTODON = "mastodon", "Mastodon"
    PEERTUBE = "peertube", "PeerTube"
    LINKEDIN = "linkedin", "LinkedIn"
    BLUESKY = "bluesky", "Bluesky"
    YOUTUBE = "youtube", "YouTube"
    GITHUB = "github", "GitHub"
    GITLAB = "gitlab", "GitLab"
    OTHER = "other", _("Autre")


@register_setting(icon="site")
class SiteSettings(BaseSiteSetting, ClusterableModel):
    organisation_name = models.CharField(
        _("nom de l'organisation"), max_length=120, default="LaSuite.coop · Open Source Politics"
    )
    tagline = models.CharField(
        _("accroche"),
        max_length=200,
        blank=True,
        default="Un audit gratuit pour reprendre la main sur vos outils numériques.",
    )
    tagline_en = models.CharField(
        _("accroche (anglais)"),
        max_length=200,
        blank=True,
        default="A free audit to take back control of your digital tools.",
        help_text=_("Montrée sur les pages en anglais ; vide : l'accroche en français."),
    )
    contact_email = models.EmailField(_("e-mail de contact"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    postal_address = models.TextField(_("adresse postale"), blank=True)
    default_share_image = models.ForeignKey(
        "images.PasserelleImage",
        verbose_name=_("image de partage par défaut"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Montrée par les réseaux sociaux quand une page n'a pas d'image (1200×630)."),
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("organisation_name"),
                FieldRowPanel([FieldPanel("tagline"), FieldPanel("tagline_en")]),
            ],
            heading=_("Identité"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("contact_email"), FieldPanel("phone")]),
                FieldPanel("postal_address"),
            ],
            heading=_("Contact"),
        ),
        FieldPanel("default_share_image"),
        InlinePanel("social_links", label=_("Réseaux sociaux")),
    ]

    class Meta:
        verbose_name = _("paramètres du site de campagne")

    def __str__(self) -> str:
        return str(_("Paramètres du site de campagne"))

    @property
    def localized_tagline(self) -> str:
        """The tagline in the active language (site settings are not translated pages)."""
        return localized(self.tagline, self.tagline_en)


class SocialLink(Orderable):
    settings = ParentalKey(SiteSettings, on_delete=models.CASCADE, related_name="social_links")
    network = models.CharField(_("réseau"), max_length=20, choices=SocialNetwork.choices)
    url = models.URLField(_("adresse"))
    label = models.CharField(_("libellé"), max_length=80, blank=True)

    panels = [FieldRowPanel([FieldPanel("network"), FieldPanel("url")]), FieldPanel("label")]

    class Meta(Orderable.Meta):
        verbose_name = _("réseau social")

    @property
    def display_label(self) -> str:
        return self.label or self.get_network_display()
