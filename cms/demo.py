"""Demo content for the campaign site (French). Idempotent: pages are found by slug."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Collection, Locale, Page, Site

from cms.models import HomePage, StandardPage

HOME_BODY = [
    {
        "type": "hero",
        "value": {
            "kicker": "Audit gratuit · 2 à 3 minutes",
            "title": "Reprenez la main sur vos outils numériques",
            "lead": (
                "Collectivités, associations, coopératives, entreprises : un audit gratuit pour "
                "sortir de Google Workspace ou Microsoft 365 à votre rythme, vers des outils "
                "libres et souverains comme ceux de La Suite numérique."
            ),
            "cta_label": "Commencer l'audit gratuit",
            "cta_page": None,
            "secondary_label": "Comment ça marche ?",
            "secondary_anchor": "comment",
        },
    },
    {
        "type": "steps",
        "value": {
            "anchor": "comment",
            "title": "Trois étapes, sans jargon",
            "steps": [
                {
                    "title": "Le questionnaire",
                    "text": "Vos usages, vos besoins, vos contraintes : cochez, c'est tout. "
                    "Vous voyez tout de suite votre exposition.",
                    "duration": "2 à 3 minutes",
                },
                {
                    "title": "Le rendez-vous personnalisé",
                    "text": "Un·e consultant·e de la coopérative fait le point avec vous, "
                    "en visio ou par téléphone.",
                    "duration": "45 minutes",
                },
                {
                    "title": "Votre feuille de route",
                    "text": "Un plan de transition par étapes, des gains rapides à la messagerie, "
                    "que vous suivez à votre rythme.",
                    "duration": "À votre rythme",
                },
            ],
        },
    },
    {
        "type": "key_figures",
        "value": {
            "title": "Pourquoi maintenant ?",
            "figures": [
                {
                    "figure": "2018",
                    "caption": "Le Cloud Act permet aux autorités américaines d'exiger vos données "
                    "hébergées par une entreprise américaine, où qu'elles soient stockées.",
                    "source": "CLOUD Act, 23 mars 2018",
                },
                {
                    "figure": "« Non »",
                    "caption": "Microsoft France ne peut pas garantir que vos données ne seront "
                    "jamais transmises aux autorités américaines.",
                    "source": "Audition au Sénat, 10 juin 2025",
                },
                {
                    "figure": "60 %",
                    "caption": "des collectivités n'utilisent que des outils grand public.",
                    "source": "ANCT, La Suite territoriale",
                },
            ],
        },
    },
    {
        "type": "text",
        "value": {
            "title": "Des outils libres, un accompagnement coopératif",
            "text": (
                "<p>Tchap pour discuter, Visio pour se réunir, Docs pour écrire à plusieurs : "
                "les outils de <b>La Suite numérique</b> de l'État sont libres, et d'autres "
                "structures peuvent les utiliser, hébergés en France par une coopérative.</p>"
                "<p>L'audit vous dit par où commencer, sans rien casser : d'abord les gains "
                "rapides, la messagerie en dernier, et une équipe formée à chaque étape.</p>"
            ),
        },
    },
    {
        "type": "call_to_action",
        "value": {
            "title": "Faites le point en 3 minutes",
            "text": "Gratuit, sans engagement, et vos réponses restent les vôtres.",
            "label": "Commencer l'audit gratuit",
            "page": None,
        },
    },
]

LEGAL_PAGES = [
    (
        "mentions-legales",
        "Mentions légales",
        "Qui édite ce site et qui l'héberge.",
        "<p>Ce site est édité par LaSuite.coop et Open Source Politics. Il est hébergé en "
        "France.</p>",
    ),
    (
        "confidentialite",
        "Politique de confidentialité",
        "Ce que nous faisons de vos réponses, et de rien d'autre.",
        "<p>Les réponses au questionnaire servent uniquement à préparer votre audit et à vous "
        "recontacter si vous l'avez accepté. Elles sont conservées trois ans après le dernier "
        "échange, puis effacées. Vous pouvez demander à tout moment à les consulter, les "
        "corriger ou les effacer en écrivant à l'adresse de contact.</p>"
        "<p>Ce site ne dépose aucun cookie de mesure d'audience ni traceur tiers.</p>",
    ),
    (
        "accessibilite",
        "Déclaration d'accessibilité",
        "Notre engagement pour un site utilisable par toutes et tous.",
        "<p>Nous visons la conformité au RGAA 4.1. Le questionnaire fonctionne sans JavaScript, "
        "au clavier et avec un lecteur d'écran. Signalez-nous toute difficulté : nous vous "
        "répondrons sous cinq jours ouvrés.</p>",
    ),
]


def ensure_tree_roots() -> Page:
    """Wagtail's root page, locale and collection (a flushed test database has none)."""
    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    return Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))


@transaction.atomic
def load() -> HomePage:
    root = ensure_tree_roots()
    home = HomePage.objects.first()
    if home is None:
        home = root.add_child(
            instance=HomePage(
                title="Reprenez la main sur vos outils numériques",
                slug="accueil",
                seo_title="Audit gratuit de souveraineté numérique",
                search_description=(
                    "Un audit gratuit de 3 minutes pour quitter Google Workspace ou Microsoft 365 "
                    "à votre rythme, vers des outils libres et souverains."
                ),
                body=HOME_BODY,
            )
        )
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name="Passerelle",
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.site_name = "Passerelle"
        site.save()
    # Wagtail's install leaves a "Welcome" page we no longer need.
    for welcome in root.get_children().exclude(pk=home.pk).filter(depth=2):
        if welcome.specific_class is Page:
            welcome.delete()

    for slug, title, intro, body in LEGAL_PAGES:
        if not StandardPage.objects.filter(slug=slug).exists():
            home.add_child(
                instance=StandardPage(
                    title=title, slug=slug, intro=intro, body=body, show_in_footer=True
                )
            )
    return home
