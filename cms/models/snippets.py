"""Snippets edited by marketing: navigation menus, article categories and authors."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.models import Locale, Orderable, TranslatableMixin
from wagtail.search import index


class MenuPlacement(models.TextChoices):
    MAIN = "main", _("Menu principal (en-tête)")
    FOOTER = "footer", _("Liens du pied de page")


class NavigationMenu(TranslatableMixin, ClusterableModel):
    """A menu per placement and language; the site falls back to the page tree without one."""

    placement = models.CharField(_("emplacement"), max_length=20, choices=MenuPlacement.choices)
    title = models.CharField(
        _("titre"),
        max_length=80,
        blank=True,
        help_text=_("Titre de la colonne dans le pied de page (facultatif)."),
    )

    panels = [
        FieldRowPanel([FieldPanel("placement"), FieldPanel("title")]),
        InlinePanel("items", label=_("Liens"), min_num=1),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("menu de navigation")
        verbose_name_plural = _("menus de navigation")
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "locale"], name="one_menu_per_placement_and_locale"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_placement_display()} ({self.locale.language_code})"

    @classmethod
    def for_placement(cls, placement: str) -> NavigationMenu | None:
        menus = cls.objects.filter(placement=placement).select_related("locale")
        menu = menus.filter(locale=Locale.get_active()).first()
        return menu or menus.filter(locale=Locale.get_default()).first()


class NavigationMenuItem(Orderable):
    menu = ParentalKey(NavigationMenu, on_delete=models.CASCADE, related_name="items")
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    url = models.URLField(_("adresse externe"), blank=True)
    label = models.CharField(
        _("libellé"), max_length=80, blank=True, help_text=_("Par défaut, le titre de la page.")
    )

    panels = [FieldRowPanel([FieldPanel("page"), FieldPanel("url")]), FieldPanel("label")]

    class Meta(Orderable.Meta):
        verbose_name = _("lien")

    def clean(self):
        if bool(self.page_id) == bool(self.url):
            raise ValidationError(_("Choisissez une page du site ou une adresse externe."))
        if self.url and not self.label:
            raise ValidationError({"label": _("Un lien externe a besoin d'un libellé.")})


class ArticleCategory(TranslatableMixin, index.Indexed, models.Model):
    name = models.CharField(_("nom"), max_length=80)
    slug = models.SlugField(_("identifiant dans l'adresse"), max_length=80)
    description = models.TextField(_("description"), blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("catégorie d'article")
        verbose_name_plural = _("catégories d'articles")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "locale"], name="category_slug_per_locale")
        ]

    def __str__(self) -> str:
        return self.name


class Author(index.Indexed, models.Model):
    name = models.CharField(_("nom"), max_length=120)
    role = models.CharField(_("fonction"), max_length=160, blank=True)
    bio = models.TextField(_("présentation"), blank=True)
    photo = models.ForeignKey(
        "images.PasserelleImage",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    panels = [FieldPanel("name"), FieldPanel("role"), FieldPanel("bio"), FieldPanel("photo")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        verbose_name = _("auteur·ice")
        verbose_name_plural = _("auteur·ices")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
