"""Demo content for the campaign site (French, plus an English home page).

Idempotent: pages are found by slug under their parent, images by title, snippets by their
natural keys. Illustrations are drawn by cms/demo_images.py (nothing is downloaded).
"""

from __future__ import annotations

import functools
import io
from datetime import date

from django.conf import settings
from django.core.files.images import ImageFile
from django.db import transaction
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.images import get_image_model
from wagtail.models import Collection, Locale, Page, Site

from cms import demo_content as content
from cms import demo_images
from cms.models import (
    ArticleCategory,
    ArticleIndexPage,
    ArticlePage,
    Author,
    CampaignPage,
    HomePage,
    MenuPlacement,
    NavigationMenu,
    NavigationMenuItem,
    SiteSettings,
    StandardPage,
)

HOME_BODY_START = [
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
            "image": None,
        },
    },
    {"type": "steps", "value": content.AUDIT_STEPS},
    {"type": "key_figures", "value": content.WHY_NOW},
]

HOME_TEXT = {
    "title": "Des outils libres, un accompagnement coopératif",
    "text": (
        "<p>Tchap pour discuter, Visio pour se réunir, Docs pour écrire à plusieurs : "
        "les outils de <b>La Suite numérique</b> de l'État sont libres, et d'autres "
        "structures peuvent les utiliser, hébergés en France par une coopérative.</p>"
        "<p>L'audit vous dit par où commencer, sans rien casser : d'abord les gains "
        "rapides, la messagerie en dernier, et une équipe formée à chaque étape.</p>"
    ),
}

# Kept for other modules and old imports: the first blocks of the home page.
HOME_BODY = [*HOME_BODY_START, {"type": "text", "value": HOME_TEXT}]

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
        "<p>Ce site ne dépose aucun cookie de mesure d'audience ni traceur tiers. Les vidéos "
        "ne se chargent depuis leur plateforme que si vous cliquez dessus.</p>",
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

# key: (title, alt text, collection, drawing, focal point (x, y, width, height) or None)
IMAGES = {
    "sovereignty": (
        "Une passerelle vers des outils souverains",
        "Illustration : une passerelle relie un nuage gris à une maison verte.",
        "Articles",
        demo_images.sovereignty,
        (500, 250, 700, 450),
    ),
    "cloud_act": (
        "Le Cloud Act et vos données",
        "Illustration : des documents dans un nuage, observés à la loupe.",
        "Articles",
        demo_images.cloud_act,
        (450, 200, 1000, 500),
    ),
    "la_suite": (
        "Les outils de La Suite numérique",
        "Illustration : six tuiles d'applications (discussion, visio, document, dossier, "
        "tableau, assistant).",
        "Articles",
        demo_images.la_suite,
        (450, 180, 700, 560),
    ),
    "audit_steps": (
        "L'audit en trois étapes",
        "Illustration : trois étapes numérotées reliées par un chemin.",
        "Articles",
        demo_images.audit_steps,
        (240, 260, 1120, 380),
    ),
    "roadmap": (
        "Une feuille de route à votre rythme",
        "Illustration : une route sinueuse jalonnée de drapeaux.",
        "Articles",
        demo_images.roadmap,
        (200, 300, 1200, 450),
    ),
    "town_hall": (
        "Collectivités",
        "Illustration : une mairie.",
        "Campagne",
        demo_images.town_hall,
        None,
    ),
    "people": (
        "Associations",
        "Illustration : des bénévoles réunis en cercle.",
        "Campagne",
        demo_images.people,
        None,
    ),
    "cooperation": (
        "Coopératives",
        "Illustration : trois cercles qui se recoupent.",
        "Campagne",
        demo_images.cooperation,
        None,
    ),
    "company": (
        "Entreprises",
        "Illustration : un immeuble de bureaux et un graphique en progression.",
        "Campagne",
        demo_images.company,
        None,
    ),
    "share": (
        "Passerelle — image de partage",
        "Passerelle, audit gratuit de souveraineté numérique.",
        "Campagne",
        demo_images.share_card,
        None,
    ),
}

PARTNERS = [
    ("LaSuite.coop", ""),
    ("Open Source Politics", ""),
    ("IndieHosters", ""),
]

CATEGORIES = [
    ("comprendre", "Comprendre", "Les enjeux, expliqués simplement."),
    ("outils", "Outils", "Les outils libres et souverains, et qui peut s'en servir."),
    ("accompagnement", "Accompagnement", "L'audit, la feuille de route, le changement."),
]


def ensure_tree_roots() -> Page:
    """Wagtail's root page, locales and collection (a flushed test database has none)."""
    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    return Page.get_first_root_node() or Page.add_root(instance=Page(title="Root", slug="root"))


def _locale(code: str) -> Locale:
    return Locale.objects.get_or_create(language_code=code)[0]


def _collection(name: str) -> Collection:
    root = Collection.get_first_root_node()
    existing = root.get_children().filter(name=name).first()
    return existing or root.add_child(name=name)


@functools.cache
def _drawing(key: str, *args) -> bytes:
    # Drawing takes a fraction of a second; tests load the demo many times per process.
    if key in IMAGES:
        return IMAGES[key][3]()
    return demo_images.wordmark(*args)


def _image(title: str, alt: str, collection: str, draw, filename: str, focal=None):
    """The demo image of this title, drawn only when it does not exist yet."""
    model = get_image_model()
    image = model.objects.filter(title=title).first()
    if image is not None:
        return image
    png = draw()
    image = model(
        title=title,
        description=alt,
        credit="Illustration Passerelle, CC0",
        collection=_collection(collection),
        file=ImageFile(io.BytesIO(png), name=filename),
    )
    if focal:
        image.focal_point_x, image.focal_point_y, image.focal_point_width = focal[:3]
        image.focal_point_height = focal[3]
    image.save()
    return image


def load_images() -> dict:
    images = {}
    for key, (title, alt, collection, _draw, focal) in IMAGES.items():
        images[key] = _image(
            title, alt, collection, functools.partial(_drawing, key), f"{key}.png", focal
        )
    for name, _url in PARTNERS:
        images[f"logo:{name}"] = _image(
            f"Logo {name}",
            name,
            "Partenaires",
            functools.partial(_drawing, "logo", name),
            "logo.png",
        )
    return images


def _publish_child(parent: Page, page: Page) -> Page:
    existing = (
        page.__class__.objects.child_of(parent)
        .filter(slug=page.slug, locale_id=parent.locale_id)
        .first()
    )
    if existing is not None:
        return existing
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _alternative_ids(pairs) -> list[int]:
    from audits.models import Alternative

    ids = []
    for tool_slug, usage_slug in pairs:
        alternative = Alternative.objects.filter(
            from_tool__slug=tool_slug, usage__slug=usage_slug
        ).first()
        if alternative is not None:
            ids.append(alternative.pk)
    return ids


def _tool_comparison(pairs, title="Vos outils, version souveraine", intro="") -> list[dict]:
    ids = _alternative_ids(pairs)
    if not ids:  # The catalogue is not imported (e.g. a bare test database).
        return []
    return [
        {
            "type": "tool_comparison",
            "value": {"title": title, "intro": intro, "usages": [], "alternatives": ids},
        }
    ]


def _home_body(images) -> list[dict]:
    return [
        *HOME_BODY_START,
        *_tool_comparison(
            [
                ("zoom", "visio"),
                ("whatsapp", "chat"),
                ("google-docs", "documents"),
                ("microsoft-excel", "spreadsheets"),
            ],
            intro="Des équivalents libres pour chaque usage, tirés de notre catalogue : "
            "éditeur, pays, exposition au Cloud Act.",
        ),
        {"type": "text", "value": HOME_TEXT},
        {"type": "quote", "value": {**content.TESTIMONIAL, "photo": None}},
        {
            "type": "latest_articles",
            "value": {"title": "Nos derniers articles", "count": 3, "category": None},
        },
        {"type": "faq", "value": content.GENERAL_FAQ},
        {
            "type": "partner_logos",
            "value": {
                "title": "Une démarche portée par des coopératives",
                "logos": [
                    {"name": name, "logo": images[f"logo:{name}"].pk, "url": url}
                    for name, url in PARTNERS
                ],
            },
        },
        {"type": "call_to_action", "value": content.CTA},
    ]


def _ensure_home(root: Page, images, locale: Locale) -> HomePage:
    home = HomePage.objects.filter(locale=locale, depth=2).first()
    if home is None:
        home = root.add_child(
            instance=HomePage(
                title="Reprenez la main sur vos outils numériques",
                slug="accueil",
                locale=locale,
                seo_title="Audit gratuit de souveraineté numérique",
                search_description=(
                    "Un audit gratuit de 3 minutes pour quitter Google Workspace ou Microsoft "
                    "365 à votre rythme, vers des outils libres et souverains."
                ),
                body=_home_body(images),
                share_image=images["share"],
            )
        )
        home.save_revision().publish()
    return home


def _ensure_site(home: HomePage) -> Site:
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site.objects.create(
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
    return site


def _ensure_categories(locale) -> dict:
    categories = {}
    for slug, name, description in CATEGORIES:
        categories[slug], _ = ArticleCategory.objects.get_or_create(
            slug=slug, locale=locale, defaults={"name": name, "description": description}
        )
    return categories


def _stream(specs) -> list[dict]:
    blocks = []
    for block_type, value in specs:
        if block_type == "tool_comparison":
            blocks.extend(_tool_comparison(value))
            continue
        if isinstance(value, str):
            value = content.NAMED_VALUES[value]
        if block_type == "quote":
            value = {"photo": None, **value}
        if block_type == "call_to_action":
            value = {**value, "page": None}
        blocks.append({"type": block_type, "value": value})
    return blocks


def _ensure_articles(home: HomePage, images, categories) -> ArticleIndexPage:
    index = _publish_child(
        home,
        ArticleIndexPage(
            title="Nos articles",
            slug="articles",
            intro="Souveraineté numérique, Cloud Act, outils libres, conduite du changement : "
            "nos articles pour comprendre et passer à l'action.",
            search_description="Les articles de Passerelle sur la souveraineté numérique et "
            "les outils libres.",
            show_in_menus=True,
        ),
    )
    author, _ = Author.objects.get_or_create(
        name="L'équipe LaSuite.coop",
        defaults={"role": "Coopérative d'outils libres", "bio": ""},
    )
    for spec in content.ARTICLES:
        article = ArticlePage(
            title=spec["title"],
            slug=spec["slug"],
            date=date.fromisoformat(spec["date"]),
            intro=spec["intro"],
            lead_image=images[spec["image"]],
            category=categories[spec["category"]],
            author=author,
            body=_stream(spec["body"]),
        )
        article.tags.add(*spec["tags"])
        _publish_child(index, article)
    return index


def _ensure_campaigns(home: HomePage, images) -> list[CampaignPage]:
    pages = []
    for spec in content.CAMPAIGNS:
        body = [
            {
                "type": "hero",
                "value": {
                    "kicker": spec["kicker"],
                    "title": spec["title"],
                    "lead": spec["lead"],
                    "cta_label": "Commencer l'audit gratuit",
                    "cta_page": None,
                    "secondary_label": "Comment ça marche ?",
                    "secondary_anchor": "comment",
                    "image": images[spec["image"]].pk,
                },
            },
            {"type": "text", "value": {"title": spec["text_title"], "text": spec["text"]}},
            *_tool_comparison(spec["tools"]),
            {"type": "steps", "value": content.AUDIT_STEPS},
        ]
        if spec["figures"]:
            body.append({"type": "key_figures", "value": spec["figures"]})
        if spec["quote"]:
            body.append({"type": "quote", "value": {"photo": None, **spec["quote"]}})
        body += [
            {"type": "faq", "value": content.GENERAL_FAQ},
            {"type": "call_to_action", "value": {**content.CTA, "page": None}},
            {
                "type": "latest_articles",
                "value": {"title": "Pour aller plus loin", "count": 3, "category": None},
            },
        ]
        pages.append(
            _publish_child(
                home,
                CampaignPage(
                    title=spec["menu"],
                    slug=spec["slug"],
                    audience=spec["audience"],
                    seo_title=spec["title"],
                    search_description=spec["seo"],
                    intro=spec["lead"],
                    body=body,
                    share_image=images[spec["image"]],
                    show_in_menus=True,
                ),
            )
        )
    return pages


def _ensure_menus(locale, campaigns, index) -> None:
    main, created = NavigationMenu.objects.get_or_create(
        placement=MenuPlacement.MAIN, locale=locale
    )
    if created:
        for order, page in enumerate([*campaigns, index]):
            NavigationMenuItem.objects.create(menu=main, page=page, sort_order=order)
    footer, created = NavigationMenu.objects.get_or_create(
        placement=MenuPlacement.FOOTER, locale=locale, defaults={"title": "Informations"}
    )
    if created:
        NavigationMenuItem.objects.create(menu=footer, page=index, sort_order=0)
        NavigationMenuItem.objects.create(
            menu=footer,
            url="https://github.com/suitenumerique",
            label="Le code de La Suite numérique",
            sort_order=1,
        )


def _ensure_english_footer() -> None:
    footer, created = NavigationMenu.objects.get_or_create(
        placement=MenuPlacement.FOOTER, locale=_locale("en"), defaults={"title": "Information"}
    )
    if created:
        NavigationMenuItem.objects.create(
            menu=footer,
            url="https://github.com/suitenumerique",
            label="The code of La Suite numérique",
            sort_order=0,
        )


def _ensure_settings(site: Site, images) -> None:
    site_settings = SiteSettings.for_site(site)
    if not site_settings.contact_email:
        site_settings.contact_email = "contact@passerelle.localhost"
        site_settings.default_share_image = images["share"]
        site_settings.save()


def _ensure_english_home(home: HomePage, images) -> HomePage:
    english = _locale("en")
    translated = home.get_translation_or_none(english)
    if translated is not None:
        return translated
    translated = home.copy_for_translation(english)
    data = content.ENGLISH_HOME
    translated.title = data["title"]
    translated.seo_title = data["seo_title"]
    translated.search_description = data["search_description"]
    translated.body = [
        {"type": "hero", "value": data["hero"]},
        {"type": "steps", "value": data["steps"]},
        {"type": "call_to_action", "value": data["cta"]},
    ]
    translated.save_revision().publish()
    return translated


@transaction.atomic
def load() -> HomePage:
    root = ensure_tree_roots()
    french = _locale(get_supported_content_language_variant(settings.LANGUAGE_CODE))
    images = load_images()
    home = _ensure_home(root, images, french)
    site = _ensure_site(home)
    # Wagtail's install leaves a "Welcome" page we no longer need.
    for welcome in root.get_children().exclude(pk=home.pk).filter(depth=2):
        if welcome.specific_class is Page:
            welcome.delete()

    for slug, title, intro, body in LEGAL_PAGES:
        _publish_child(
            home,
            StandardPage(title=title, slug=slug, intro=intro, body=body, show_in_footer=True),
        )
    categories = _ensure_categories(french)
    index = _ensure_articles(home, images, categories)
    campaigns = _ensure_campaigns(home, images)
    _ensure_menus(french, campaigns, index)
    _ensure_settings(site, images)
    _ensure_english_home(home, images)
    _ensure_english_footer()
    return home
