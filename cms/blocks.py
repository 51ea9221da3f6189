"""StreamField blocks for the campaign site; each renders through its own template."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks


class HeroBlock(blocks.StructBlock):
    kicker = blocks.CharBlock(label=_("Sur-titre"), required=False, max_length=80)
    title = blocks.CharBlock(label=_("Titre"), max_length=120)
    lead = blocks.TextBlock(label=_("Chapeau"), required=False)
    cta_label = blocks.CharBlock(
        label=_("Texte du bouton"), required=False, default=_("Commencer l'audit gratuit")
    )
    cta_page = blocks.PageChooserBlock(
        label=_("Page du bouton"),
        required=False,
        page_type=["audits.AuditPage", "wagtailcore.Page"],
    )
    secondary_label = blocks.CharBlock(label=_("Lien secondaire"), required=False)
    secondary_anchor = blocks.CharBlock(
        label=_("Ancre du lien secondaire"), required=False, help_text=_("Ex. : comment")
    )

    class Meta:
        icon = "pick"
        label = _("Bandeau d'accroche")
        template = "blocks/hero_block.html"


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


class RichTextSectionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Titre"), required=False, max_length=120)
    text = blocks.RichTextBlock(
        label=_("Texte"), features=["h3", "bold", "italic", "link", "ol", "ul", "document-link"]
    )

    class Meta:
        icon = "doc-full"
        label = _("Texte")
        template = "blocks/rich_text_section_block.html"


class CallToActionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Titre"), max_length=120)
    text = blocks.TextBlock(label=_("Texte"), required=False)
    label = blocks.CharBlock(label=_("Texte du bouton"), default=_("Commencer l'audit gratuit"))
    page = blocks.PageChooserBlock(label=_("Page"), required=False)

    class Meta:
        icon = "bullhorn"
        label = _("Appel à l'action")
        template = "blocks/call_to_action_block.html"


class BodyStreamBlock(blocks.StreamBlock):
    hero = HeroBlock()
    steps = StepsBlock()
    key_figures = KeyFiguresBlock()
    text = RichTextSectionBlock()
    call_to_action = CallToActionBlock()
