"""The tool catalogue: usages, tools, sovereign alternatives, hosts and roadmap phases.

Loaded from audits/data/tools.yaml by `import_catalogue` and edited by consultants as snippets.
Each row remembers a fingerprint of what was imported, so a re-import updates untouched rows
and keeps (and flags) the ones someone edited here.
"""

from __future__ import annotations

import hashlib
import json

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable
from wagtail.search import index

from config.languages import localized


class CatalogueEntry(models.Model):
    imported_fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    locally_edited = models.BooleanField(
        _("modifié localement"),
        default=False,
        help_text=_("Une réimportation du catalogue ne remplace pas une fiche modifiée ici."),
    )

    # Fields filled from tools.yaml; m2m fields are fingerprinted by their slugs.
    IMPORTED_FIELDS: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def current_values(self) -> dict:
        values = {}
        for name in self.IMPORTED_FIELDS:
            field = self._meta.get_field(name)
            if field.many_to_many:
                values[name] = (
                    sorted(getattr(self, name).values_list("slug", flat=True)) if self.pk else []
                )
            elif field.is_relation:
                related = getattr(self, name)
                values[name] = getattr(related, "slug", None) or getattr(related, "number", None)
            else:
                values[name] = getattr(self, name)
        return values

    @staticmethod
    def fingerprint(values: dict) -> str:
        payload = json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()

    @property
    def differs_from_import(self) -> bool:
        return bool(self.imported_fingerprint) and (
            self.fingerprint(self.current_values()) != self.imported_fingerprint
        )


class Phase(CatalogueEntry):
    number = models.PositiveSmallIntegerField(_("numéro"), unique=True)
    title = models.CharField(_("titre"), max_length=120)
    title_en = models.CharField(_("titre (anglais)"), max_length=120, blank=True)
    timing = models.CharField(_("calendrier"), max_length=120, blank=True)
    content = models.TextField(_("contenu"), blank=True)
    change_management = models.TextField(_("conduite du changement"), blank=True)

    IMPORTED_FIELDS = ("title", "title_en", "timing", "content", "change_management")

    panels = [
        FieldRowPanel([FieldPanel("number"), FieldPanel("timing")]),
        FieldPanel("title"),
        FieldPanel("title_en"),
        FieldPanel("content"),
        FieldPanel("change_management"),
        FieldPanel("locally_edited"),
    ]

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Level(models.TextChoices):
    LOW = "low", _("faible")
    MEDIUM = "medium", _("moyen")
    HIGH = "high", _("élevé")


class Usage(CatalogueEntry, index.Indexed, ClusterableModel):
    slug = models.SlugField(_("identifiant"), max_length=60, unique=True)
    label = models.CharField(_("libellé"), max_length=120)
    label_en = models.CharField(_("libellé (anglais)"), max_length=120, blank=True)
    default_phase = models.ForeignKey(
        Phase, verbose_name=_("phase par défaut"), on_delete=models.PROTECT, related_name="usages"
    )
    difficulty = models.PositiveSmallIntegerField(_("difficulté (1 à 5)"), default=3)
    data_to_migrate = models.CharField(
        _("données à migrer"), max_length=10, choices=Level.choices, blank=True
    )
    habit_change = models.CharField(
        _("changement d'habitudes"), max_length=10, choices=Level.choices, blank=True
    )
    external_dependency = models.CharField(_("dépendance externe"), max_length=200, blank=True)
    scope = models.CharField(_("périmètre"), max_length=300, blank=True)
    in_questionnaire = models.BooleanField(_("dans le questionnaire"), default=False)
    note = models.TextField(_("note"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    IMPORTED_FIELDS = (
        "label",
        "label_en",
        "default_phase",
        "difficulty",
        "data_to_migrate",
        "habit_change",
        "external_dependency",
        "scope",
        "in_questionnaire",
        "note",
    )
    search_fields = [index.SearchField("label"), index.AutocompleteField("label")]

    panels = [
        FieldRowPanel([FieldPanel("slug"), FieldPanel("sort_order")]),
        FieldRowPanel([FieldPanel("label"), FieldPanel("label_en")]),
        FieldRowPanel([FieldPanel("default_phase"), FieldPanel("difficulty")]),
        FieldRowPanel([FieldPanel("data_to_migrate"), FieldPanel("habit_change")]),
        FieldPanel("external_dependency"),
        FieldPanel("scope"),
        FieldPanel("in_questionnaire"),
        InlinePanel(
            "questionnaire_tools",
            label=_("Outils proposés dans le questionnaire"),
            help_text=_(
                "Dans l'ordre d'affichage. Sans outil ici, le questionnaire propose ceux pour "
                "lesquels le catalogue connaît une alternative."
            ),
        ),
        FieldPanel("note"),
        FieldPanel("locally_edited"),
    ]

    class Meta:
        verbose_name = _("usage")
        verbose_name_plural = _("usages")
        ordering = ["sort_order", "label"]

    def __str__(self) -> str:
        return self.label

    @property
    def display_label(self) -> str:
        """The label in the active language: English when asked for and filled in."""
        return localized(self.label, self.label_en)

    def current_values(self) -> dict:
        values = super().current_values()
        # Only when set, so rows imported before this list existed still match their import.
        rows = [[row.tool.slug, row.label] for row in self.questionnaire_tools.all()]
        if rows:
            values["questionnaire_tools"] = rows
        return values


class UsageQuestionnaireTool(Orderable):
    """A tool shown in the "tools by usage" grid of the questionnaire, for one usage."""

    usage = ParentalKey(Usage, on_delete=models.CASCADE, related_name="questionnaire_tools")
    tool = models.ForeignKey(
        "Tool", verbose_name=_("outil"), on_delete=models.CASCADE, related_name="+"
    )
    label = models.CharField(
        _("libellé dans le questionnaire"),
        max_length=120,
        blank=True,
        help_text=_("Vide : le nom de l'outil."),
    )

    panels = [FieldRowPanel([FieldPanel("tool"), FieldPanel("label")])]

    class Meta(Orderable.Meta):
        verbose_name = _("outil proposé")
        verbose_name_plural = _("outils proposés")

    def __str__(self) -> str:
        return self.label or self.tool.name


class Tool(CatalogueEntry, index.Indexed):
    slug = models.SlugField(_("identifiant"), max_length=60, unique=True)
    name = models.CharField(_("nom"), max_length=120)
    vendor = models.CharField(_("éditeur"), max_length=200, blank=True)
    vendor_country = models.CharField(
        _("pays de l'éditeur"), max_length=10, blank=True, help_text=_("Code ISO, ex. FR, US")
    )
    cloud_act = models.BooleanField(
        _("exposé au Cloud Act"),
        null=True,
        blank=True,
        help_text=_("Oui : éditeur américain ; vide : incertain."),
    )
    open_source = models.BooleanField(_("logiciel libre"), null=True, blank=True)
    usages = models.ManyToManyField(Usage, verbose_name=_("usages"), related_name="tools")
    la_suite = models.BooleanField(
        _("instance de La Suite numérique"),
        default=False,
        help_text=_("Service de l'État (DINUM/ANCT) ; le logiciel reste libre pour tous."),
    )
    eligibility = models.TextField(_("qui peut l'utiliser"), blank=True)
    underlying = models.CharField(_("technologie"), max_length=300, blank=True)
    licence = models.CharField(_("licence"), max_length=120, blank=True)
    url = models.URLField(_("site"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)

    IMPORTED_FIELDS = (
        "name",
        "vendor",
        "vendor_country",
        "cloud_act",
        "open_source",
        "usages",
        "la_suite",
        "eligibility",
        "underlying",
        "licence",
        "url",
        "source",
        "note",
    )
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("vendor"),
        index.FilterField("cloud_act"),
    ]

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("slug")]),
        FieldRowPanel([FieldPanel("vendor"), FieldPanel("vendor_country")]),
        FieldRowPanel([FieldPanel("cloud_act"), FieldPanel("open_source"), FieldPanel("la_suite")]),
        FieldPanel("usages"),
        FieldPanel("eligibility"),
        MultiFieldPanel(
            [
                FieldPanel("underlying"),
                FieldPanel("licence"),
                FieldPanel("url"),
                FieldPanel("source"),
            ],
            heading=_("Détails"),
        ),
        FieldPanel("note"),
        FieldPanel("locally_edited"),
    ]

    class Meta:
        verbose_name = _("outil")
        verbose_name_plural = _("outils")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_sovereign(self) -> bool:
        """Free of US jurisdiction, as far as the catalogue knows."""
        return self.cloud_act is False


class Alternative(CatalogueEntry, ClusterableModel):
    """For one usage, the tools that replace a proprietary one, best first."""

    from_tool = models.ForeignKey(
        Tool, verbose_name=_("outil actuel"), on_delete=models.CASCADE, related_name="replaced_by"
    )
    usage = models.ForeignKey(
        Usage, verbose_name=_("usage"), on_delete=models.CASCADE, related_name="alternatives"
    )
    note = models.TextField(_("conseil"), blank=True)

    IMPORTED_FIELDS = ("note",)

    panels = [
        FieldRowPanel([FieldPanel("from_tool"), FieldPanel("usage")]),
        InlinePanel("targets", label=_("Alternatives, de la plus recommandée à la moins")),
        FieldPanel("note"),
        FieldPanel("locally_edited"),
    ]

    class Meta:
        verbose_name = _("alternative")
        verbose_name_plural = _("alternatives")
        ordering = ["usage__sort_order", "from_tool__name"]
        constraints = [
            models.UniqueConstraint(fields=["from_tool", "usage"], name="one_alternative_per_use")
        ]

    def __str__(self) -> str:
        return f"{self.from_tool} → {self.usage}"

    def current_values(self) -> dict:
        values = super().current_values()
        values["to"] = [target.tool.slug for target in self.targets.all()]
        return values


class AlternativeTarget(Orderable):
    alternative = ParentalKey(Alternative, on_delete=models.CASCADE, related_name="targets")
    tool = models.ForeignKey(
        Tool, verbose_name=_("outil"), on_delete=models.CASCADE, related_name="+"
    )

    panels = [FieldPanel("tool")]

    class Meta(Orderable.Meta):
        verbose_name = _("alternative proposée")


class SecNumCloud(models.TextChoices):
    QUALIFIED = "qualified", _("qualifié")
    IN_PROGRESS = "in_progress", _("en cours de qualification")
    NO = "no", _("non")
    UNCERTAIN = "uncertain", _("à vérifier")


class Host(CatalogueEntry):
    slug = models.SlugField(_("identifiant"), max_length=60, unique=True)
    name = models.CharField(_("nom"), max_length=200)
    country = models.CharField(_("pays"), max_length=10, blank=True)
    secnumcloud = models.CharField(
        _("SecNumCloud"), max_length=16, choices=SecNumCloud.choices, blank=True
    )
    kind = models.CharField(_("nature"), max_length=40, blank=True)
    typical_use = models.CharField(_("usage type"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)

    IMPORTED_FIELDS = ("name", "country", "secnumcloud", "kind", "typical_use", "note", "source")

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("slug")]),
        FieldRowPanel([FieldPanel("country"), FieldPanel("secnumcloud"), FieldPanel("kind")]),
        FieldPanel("typical_use"),
        FieldPanel("note"),
        FieldPanel("source"),
        FieldPanel("locally_edited"),
    ]

    class Meta:
        verbose_name = _("hébergeur")
        verbose_name_plural = _("hébergeurs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
