"""StreamField blocks for the campaign site; each renders through its own template and shows a
preview in the block chooser of the editor."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.images import get_image_model
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Locale
from wagtail.snippets.blocks import SnippetChooserBlock

from cms.video import parse_video_url

AUDIT_CTA = _("Commencer l'audit gratuit")
TEXT_FEATURES = ["h3", "bold", "italic", "link", "ol", "ul", "document-link"]


def _first_image():
    return get_image_model().objects.order_by("pk").first()


class HeroBlock(blocks.StructBlock):
    kicker = blocks.CharBlock(label=_("Sur-titre"), required=False, max_length=80)
    title = blocks.CharBlock(label=_("Titre"), max_length=120)
    lead = blocks.TextBlock(label=_("Chapeau"), required=False)
    cta_label = blocks.CharBlock(label=_("Texte du bouton"), required=False, default=AUDIT_CTA)
    cta_page = blocks.PageChooserBlock(
        label=_("Page du bouton"),
        required=False,
        help_text=_("Laissez vide pour envoyer vers le questionnaire d'audit."),
    )
    secondary_label = blocks.CharBlock(label=_("Lien secondaire"), required=False)
    secondary_anchor = blocks.CharBlock(
        label=_("Ancre du lien secondaire"), required=False, help_text=_("Ex. : comment")
    )
    image = ImageChooserBlock(
        label=_("Illustration"),
        required=False,
        help_text=_("Sans image, le bandeau montre des exemples de remplacement d'outils."),
    )

    class Meta:
        icon = "pick"
        label = _("Bandeau d'accroche")
        template = "blocks/hero_block.html"
        description = _("Grand titre, chapeau et bouton vers l'audit. À placer en premier.")
        preview_value = {
            "kicker": "Audit gratuit · 2 à 3 minutes",
            "title": "Reprenez la main sur vos outils numériques",
            "lead": "Un audit gratuit pour quitter Google Workspace ou Microsoft 365 "
            "à votre rythme.",
            "cta_label": "Commencer l'audit gratuit",
            "secondary_label": "Comment ça marche ?",
            "secondary_anchor": "comment",
        }


class RichTextSectionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Titre"), required=False, max_length=120)
    text = blocks.RichTextBlock(label=_("Texte"), features=TEXT_FEATURES)

    class Meta:
        icon = "doc-full"
        label = _("Texte")
        template = "blocks/rich_text_section_block.html"
        description = _("Un intertitre et du texte mis en forme.")
        preview_value = {
            "title": "Des outils libres, un accompagnement coopératif",
            "text": "<p>Tchap pour discuter, Visio pour se réunir, Docs pour écrire à "
            "plusieurs : les outils de <b>La Suite numérique</b> sont libres.</p>",
        }


class ImageLayout(blocks.ChoiceBlock):
    choices = [("text", _("Largeur du texte")), ("wide", _("Large"))]


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Légende"), required=False, max_length=250)
    layout = ImageLayout(label=_("Largeur"), default="text")

    class Meta:
        icon = "image"
        label = _("Image avec légende")
        template = "blocks/image_block.html"
        description = _(
            "Une image (AVIF/WebP avec repli JPEG, tailles adaptées à l'écran) et sa légende."
        )

    def get_preview_value(self):
        return self.normalize(
            {"image": _first_image(), "caption": "Légende de l'image", "layout": "text"}
        )


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Citation"))
    name = blocks.CharBlock(label=_("Nom"), max_length=120)
    role = blocks.CharBlock(label=_("Fonction"), required=False, max_length=160)
    organisation = blocks.CharBlock(label=_("Structure"), required=False, max_length=160)
    photo = ImageChooserBlock(label=_("Photo"), required=False)

    class Meta:
        icon = "openquote"
        label = _("Citation / témoignage")
        template = "blocks/quote_block.html"
        description = _("La parole d'une personne accompagnée, avec sa fonction et sa structure.")
        preview_value = {
            "quote": "En trois mois, toute l'équipe est passée à Visio et Docs, sans douleur.",
            "name": "Claire Fontaine",
            "role": "Coordinatrice",
            "organisation": "SCIC Énergies Citoyennes",
        }


class KeyFigureBlock(blocks.StructBlock):
    figure = blocks.CharBlock(label=_("Chiffre"), max_length=20)
    caption = blocks.CharBlock(label=_("Légende"), max_length=160)
    source = blocks.CharBlock(label=_("Source"), required=False, max_length=200)


class KeyFiguresBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Titre"), required=False, max_length=120)
    figures = blocks.ListBlock(KeyFigureBlock(), label=_("Chiffres"), min_num=1, max_num=6)

    class Meta:
        icon = "snippet"
        label = _("Chiffres clés")
        template = "blocks/key_figures_block.html"
        description = _("Deux à quatre chiffres marquants, avec leur source.")
        preview_value = {
            "title": "Pourquoi maintenant ?",
            "figures": [
                {"figure": "2018", "caption": "Le Cloud Act", "source": "CLOUD Act"},
                {"figure": "60 %", "caption": "des collectivités", "source": "ANCT"},
            ],
        }


class FaqItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"), max_length=200)
    answer = blocks.RichTextBlock(
        label=pgettext_lazy("FAQ answer", "Réponse"), features=["bold", "italic", "link", "ul"]
    )


class FaqBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Titre"), default=_("Questions fréquentes"), max_length=120)
    items = blocks.ListBlock(FaqItemBlock(), label=_("Questions"), min_num=1)

    class Meta:
        icon = "help"
        label = _("Questions fréquentes")
        template = "blocks/faq_block.html"
        description = _(
            "Questions-réponses dépliables (sans JavaScript), lues aussi par les moteurs de "
            "recherche."
        )
        preview_value = {
            "title": "Questions fréquentes",
            "items": [
                {
                    "question": "L'audit est-il vraiment gratuit ?",
                    "answer": "<p>Oui, sans engagement.</p>",
                },
                {
                    "question": "Combien de temps faut-il ?",
                    "answer": "<p>Deux à trois minutes pour le questionnaire.</p>",
                },
            ],
        }


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Titre"), max_length=80)
    text = blocks.TextBlock(label=_("Texte"))
    duration = blocks.CharBlock(label=_("Durée"), required=False, max_length=40)


class StepsBlock(blocks.StructBlock):
    anchor = blocks.CharBlock(label=_("Ancre"), required=False, max_length=40)
    title = blocks.CharBlock(label=_("Titre"), max_length=120)
    steps = blocks.ListBlock(StepBlock(), label=_("Étapes"), min_num=2, max_num=5)

    class Meta:
        icon = "list-ol"
        label = _("Étapes")
        template = "blocks/steps_block.html"
        description = _("Questionnaire → rendez-vous → feuille de route, numérotés.")
        preview_value = {
            "title": "Trois étapes, sans jargon",
            "steps": [
                {"title": "Le questionnaire", "text": "Cochez, c'est tout.", "duration": "3 min"},
                {"title": "Le rendez-vous", "text": "On fait le point.", "duration": "45 min"},
                {"title": "La feuille de route", "text": "À votre rythme.", "duration": ""},
            ],
        }


class CallToActionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Titre"), max_length=120)
    text = blocks.TextBlock(label=_("Texte"), required=False)
    label = blocks.CharBlock(label=_("Texte du bouton"), default=AUDIT_CTA)
    page = blocks.PageChooserBlock(
        label=_("Page"),
        required=False,
        help_text=_("Laissez vide pour envoyer vers le questionnaire d'audit en ligne."),
    )

    class Meta:
        icon = "bullhorn"
        label = _("Appel à l'audit")
        template = "blocks/call_to_action_block.html"
        description = _("Un bandeau avec un bouton vers le questionnaire d'audit en ligne.")
        preview_value = {
            "title": "Faites le point en 3 minutes",
            "text": "Gratuit, sans engagement.",
            "label": "Commencer l'audit gratuit",
        }


class PartnerLogoBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("Nom"), max_length=120)
    logo = ImageChooserBlock(label=_("Logo"))
    url = blocks.URLBlock(label=_("Site"), required=False)


class PartnerLogosBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Titre"), required=False, max_length=120)
    logos = blocks.ListBlock(PartnerLogoBlock(), label=_("Logos"), min_num=1, max_num=12)

    class Meta:
        icon = "group"
        label = _("Logos de partenaires")
        template = "blocks/partner_logos_block.html"
        description = _("Les structures qui portent ou font confiance à la démarche.")

    def get_preview_value(self):
        image = _first_image()
        logos = [{"name": "LaSuite.coop", "logo": image, "url": ""}] if image else []
        return self.normalize({"title": "Ils nous font confiance", "logos": logos})


class ToolComparisonBlock(blocks.StructBlock):
    title = blocks.CharBlock(
        label=_("Titre"), default=_("Vos outils, version souveraine"), max_length=120
    )
    intro = blocks.TextBlock(label=_("Introduction"), required=False)
    usages = blocks.ListBlock(
        SnippetChooserBlock("audits.Usage"),
        label=_("Usages"),
        required=False,
        help_text=_("Toutes les alternatives du catalogue pour ces usages."),
    )
    alternatives = blocks.ListBlock(
        SnippetChooserBlock("audits.Alternative"),
        label=_("Alternatives choisies"),
        required=False,
        help_text=_("Ou seulement ces lignes du catalogue."),
    )

    class Meta:
        icon = "arrow-right"
        label = _("Comparatif d'outils")
        template = "blocks/tool_comparison_block.html"
        description = _(
            "Outils propriétaires → alternatives souveraines, tirés du catalogue d'outils "
            "(pays de l'éditeur, exposition au Cloud Act, La Suite numérique)."
        )

    def clean(self, value):
        value = super().clean(value)
        if not value["usages"] and not value["alternatives"]:
            raise StructBlockValidationError(
                block_errors={
                    "usages": ValidationError(_("Choisissez au moins un usage ou une alternative."))
                }
            )
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["rows"] = comparison_rows(
            usage_ids=[usage.pk for usage in value.get("usages") or [] if usage],
            alternative_ids=[alt.pk for alt in value.get("alternatives") or [] if alt],
        )
        return context

    def get_preview_value(self):
        from audits.models import Usage

        usages = list(Usage.objects.filter(alternatives__isnull=False).distinct()[:2])
        return self.normalize(
            {"title": "Vos outils, version souveraine", "usages": usages, "alternatives": []}
        )


def comparison_rows(usage_ids: list[int], alternative_ids: list[int]):
    """Catalogue rows in a fixed number of queries, whatever their number."""
    from django.db.models import Prefetch, Q

    from audits.models import Alternative, AlternativeTarget

    if not usage_ids and not alternative_ids:
        return []
    targets = AlternativeTarget.objects.select_related("tool").order_by("sort_order")
    return list(
        Alternative.objects.filter(Q(pk__in=alternative_ids) | Q(usage_id__in=usage_ids))
        .select_related("from_tool", "usage")
        .prefetch_related(Prefetch("targets", queryset=targets))
        .order_by("usage__sort_order", "from_tool__name")
    )


class VideoBlock(blocks.StructBlock):
    url = blocks.URLBlock(
        label=_("Adresse de la vidéo"),
        help_text=_("Un lien PeerTube, Vimeo ou YouTube (lu en mode sans cookie)."),
    )
    title = blocks.CharBlock(label=_("Titre de la vidéo"), max_length=160)
    poster = ImageChooserBlock(label=_("Image d'aperçu"), required=False)
    transcript = blocks.RichTextBlock(
        label=_("Transcription"), required=False, features=["bold", "italic", "link"]
    )

    class Meta:
        icon = "media"
        label = _("Vidéo")
        template = "blocks/video_block.html"
        description = _(
            "Une vidéo qui ne se charge qu'au clic : rien n'est envoyé à la plateforme avant."
        )
        preview_value = {
            "url": "https://peertube.example.org/w/9c9de5e8-0a1e-484a-b099-e80766180a6d",
            "title": "La Suite numérique en deux minutes",
        }

    def clean(self, value):
        value = super().clean(value)
        if parse_video_url(value["url"]) is None:
            raise StructBlockValidationError(
                block_errors={
                    "url": ValidationError(
                        _(
                            "Adresse non reconnue : collez le lien d'une vidéo PeerTube, Vimeo "
                            "ou YouTube (https://…)."
                        )
                    )
                }
            )
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["video"] = parse_video_url(value.get("url") or "")
        return context


class LatestArticlesBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Titre"), default=_("Nos derniers articles"), max_length=120)
    count = blocks.IntegerBlock(label=_("Nombre d'articles"), default=3, min_value=1, max_value=6)
    category = SnippetChooserBlock("cms.ArticleCategory", label=_("Catégorie"), required=False)

    class Meta:
        icon = "list-ul"
        label = _("Derniers articles")
        template = "blocks/latest_articles_block.html"
        description = _("Les derniers articles publiés, avec un lien vers tous les articles.")
        preview_value = {"title": "Nos derniers articles", "count": 3}

    def get_context(self, value, parent_context=None):
        from cms.models import ArticleIndexPage, ArticlePage

        context = super().get_context(value, parent_context=parent_context)
        locale = Locale.get_active()
        articles = (
            ArticlePage.objects.live()
            .public()
            .filter(locale=locale)
            .select_related("lead_image", "category")
            .order_by("-date", "-pk")
        )
        if value.get("category"):
            articles = articles.filter(category__translation_key=value["category"].translation_key)
        context["articles"] = list(articles[: value.get("count") or 3])
        context["index_page"] = (
            ArticleIndexPage.objects.live().public().filter(locale=locale).order_by("path").first()
        )
        return context


class BodyStreamBlock(blocks.StreamBlock):
    hero = HeroBlock()
    text = RichTextSectionBlock()
    image = ImageBlock()
    quote = QuoteBlock()
    key_figures = KeyFiguresBlock()
    faq = FaqBlock()
    steps = StepsBlock()
    call_to_action = CallToActionBlock()
    partner_logos = PartnerLogosBlock()
    tool_comparison = ToolComparisonBlock()
    video = VideoBlock()
    latest_articles = LatestArticlesBlock()

    class Meta:
        block_counts = {"hero": {"max_num": 1}}


class ArticleStreamBlock(blocks.StreamBlock):
    """Article bodies: no hero (the article has its own title), the rest as on pages."""

    text = RichTextSectionBlock()
    image = ImageBlock()
    quote = QuoteBlock()
    key_figures = KeyFiguresBlock()
    faq = FaqBlock()
    steps = StepsBlock()
    call_to_action = CallToActionBlock()
    tool_comparison = ToolComparisonBlock()
    video = VideoBlock()
