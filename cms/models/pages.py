"""Page types of the campaign site."""

from __future__ import annotations

import math
from datetime import date

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.blocks import ArticleStreamBlock, BodyStreamBlock

ARTICLES_PER_PAGE = 9
WORDS_PER_MINUTE = 220


class CachedPageMixin:
    """Marks anonymous renders of public pages for the page cache (cms/cache.py)."""

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if request.method in ("GET", "HEAD") and not getattr(request, "is_preview", False):
            # A page behind a password or a login must never be served from a shared cache.
            response.cms_cacheable = not self.get_view_restrictions().exists()
        return response


class SeoMixin(models.Model):
    """Sharing image on top of Wagtail's own title and description (promote tab)."""

    share_image = models.ForeignKey(
        "images.PasserelleImage",
        verbose_name=_("image de partage"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Image montrée sur les réseaux sociaux (1200×630 conseillé)."),
    )

    seo_panels = [
        MultiFieldPanel(
            [FieldPanel("seo_title"), FieldPanel("search_description"), FieldPanel("share_image")],
            heading=_("Référencement et partage"),
        ),
    ]
    og_type = "website"

    class Meta:
        abstract = True

    def get_share_image(self):
        return self.share_image

    def get_meta_description(self) -> str:
        return self.search_description


def _promote_panels(*extra):
    """Wagtail's promote tab with our SEO panel in place of its own SEO fields."""
    return [
        MultiFieldPanel(
            [FieldPanel("slug"), FieldPanel("show_in_menus"), *extra],
            heading=_("Adresse et menus"),
        ),
        *SeoMixin.seo_panels,
    ]


class StreamBodyMixin:
    """Helpers shared by pages whose body is the campaign StreamField."""

    @property
    def starts_with_hero(self) -> bool:
        """The hero carries the page's h1 when it opens the page."""
        return bool(self.body) and self.body[0].block_type == "hero"

    def faq_items(self) -> list[dict]:
        items = []
        for block in self.body:
            if block.block_type == "faq":
                items.extend(block.value["items"])
        return items


class HomePage(CachedPageMixin, StreamBodyMixin, SeoMixin, Page):  # noqa: DJ008 - Page.__str__ is the title
    body = StreamField(BodyStreamBlock(), verbose_name=_("contenu"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("body")]
    promote_panels = _promote_panels()
    search_fields = [*Page.search_fields, index.SearchField("body")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "cms.CampaignPage",
        "cms.ArticleIndexPage",
        "cms.StandardPage",
        "audits.AuditPage",
    ]
    # One home page per language.
    max_count = len(settings.WAGTAIL_CONTENT_LANGUAGES)

    class Meta:
        verbose_name = _("page d'accueil")


class Audience(models.TextChoices):
    COLLECTIVITES = "collectivites", _("Collectivités")
    ASSOCIATIONS = "associations", _("Associations")
    COOPERATIVES = "cooperatives", _("Coopératives")
    ENTREPRISES = "entreprises", _("Entreprises")
    ALL = "tous", _("Tous publics")


class CampaignPage(CachedPageMixin, StreamBodyMixin, SeoMixin, Page):  # noqa: DJ008 - Page.__str__ is the title
    """A landing page for one audience or one message."""

    audience = models.CharField(
        _("public visé"), max_length=20, choices=Audience.choices, default=Audience.ALL
    )
    intro = models.TextField(
        _("chapeau"),
        blank=True,
        help_text=_("Affiché sous le titre quand la page ne commence pas par un bandeau."),
    )
    body = StreamField(BodyStreamBlock(), verbose_name=_("contenu"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("audience"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    promote_panels = _promote_panels()
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
        index.FilterField("audience"),
    ]

    parent_page_types = ["cms.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("page de campagne")
        verbose_name_plural = _("pages de campagne")


class StandardPage(CachedPageMixin, SeoMixin, Page):  # noqa: DJ008 - Page.__str__ is the title
    """Legal notice, privacy policy, accessibility statement…"""

    intro = models.TextField(_("introduction"), blank=True)
    body = RichTextField(_("contenu"), blank=True)
    show_in_footer = models.BooleanField(_("lien dans le pied de page"), default=False)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    promote_panels = _promote_panels(FieldPanel("show_in_footer"))
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage"]

    class Meta:
        verbose_name = _("page simple")


class ArticleIndexPage(CachedPageMixin, RoutablePageMixin, SeoMixin, Page):  # noqa: DJ008 - Page.__str__ is the title
    """« Nos articles »: the list, filters by category and tag, RSS and Atom feeds.

    CachedPageMixin comes first: RoutablePageMixin.serve answers without calling super(), so
    in the other order the list and its feeds were never marked for the page cache."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    promote_panels = _promote_panels()
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.ArticlePage"]

    class Meta:
        verbose_name = _("liste d'articles")

    def articles(self):
        return (
            ArticlePage.objects.child_of(self)
            .live()
            .public()
            .select_related("lead_image", "category", "author")
            .order_by("-date", "-pk")
        )

    def _listing(self, request, articles, **extra):
        paginator = Paginator(articles, ARTICLES_PER_PAGE)
        try:
            page_of_articles = paginator.page(request.GET.get("page", 1))
        except PageNotAnInteger:
            page_of_articles = paginator.page(1)
        except EmptyPage as error:
            raise Http404 from error
        return self.render(
            request,
            context_overrides={
                "articles": page_of_articles,
                "categories": self._categories(),
                **extra,
            },
        )

    def _categories(self):
        from cms.models.snippets import ArticleCategory

        used = self.articles().values_list("category_id", flat=True)
        return ArticleCategory.objects.filter(pk__in=used).order_by("name")

    @path("")
    def index_route(self, request):
        return self._listing(request, self.articles())

    @path("categorie/<slug:slug>/", name="category")
    def category_route(self, request, slug):
        from cms.models.snippets import ArticleCategory

        category = get_object_or_404(ArticleCategory, slug=slug, locale=self.locale)
        return self._listing(
            request, self.articles().filter(category=category), active_category=category
        )

    @path("sujet/<str:tag>/", name="tag")
    def tag_route(self, request, tag):
        articles = self.articles().filter(tags__slug=tag).distinct()
        if not articles.exists():
            raise Http404
        return self._listing(request, articles, active_tag=tag)

    @path("rss/", name="rss")
    def rss_route(self, request):
        from cms.feeds import ArticlesRssFeed

        return ArticlesRssFeed(self)(request)

    @path("atom/", name="atom")
    def atom_route(self, request):
        from cms.feeds import ArticlesAtomFeed

        return ArticlesAtomFeed(self)(request)


class ArticlePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "cms.ArticlePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ArticlePage(CachedPageMixin, SeoMixin, Page):  # noqa: DJ008 - Page.__str__ is the title
    date = models.DateField(_("date"), default=date.today)
    author = models.ForeignKey(
        "cms.Author",
        verbose_name=_("auteur·ice"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    category = models.ForeignKey(
        "cms.ArticleCategory",
        verbose_name=_("catégorie"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
    )
    tags = ClusterTaggableManager(through=ArticlePageTag, blank=True, verbose_name=_("sujets"))
    lead_image = models.ForeignKey(
        "images.PasserelleImage",
        verbose_name=_("image principale"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    intro = models.TextField(_("chapeau"), help_text=_("Deux ou trois phrases, sans lien."))
    body = StreamField(ArticleStreamBlock(), verbose_name=_("contenu"))
    reading_time = models.PositiveSmallIntegerField(
        _("temps de lecture (minutes)"), default=1, editable=False
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("lead_image"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("date"), FieldPanel("author")]),
                FieldRowPanel([FieldPanel("category"), FieldPanel("tags")]),
            ],
            heading=_("Informations"),
        ),
        FieldPanel("body"),
        InlinePanel("related_links", label=_("Articles liés"), max_num=3),
    ]
    promote_panels = _promote_panels()
    search_fields = [
        *Page.search_fields,
        index.SearchField("intro", boost=1.5),
        index.SearchField("body"),
        index.RelatedFields("tags", [index.SearchField("name")]),
        index.RelatedFields("category", [index.SearchField("name")]),
        index.FilterField("date"),
    ]

    parent_page_types = ["cms.ArticleIndexPage"]
    subpage_types = []
    og_type = "article"

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def save(self, *args, **kwargs):
        self.reading_time = self.compute_reading_time()
        super().save(*args, **kwargs)

    def compute_reading_time(self) -> int:
        texts = [self.title, self.intro, *self.body.stream_block.get_searchable_content(self.body)]
        words = sum(len(str(text).split()) for text in texts)
        return max(1, math.ceil(words / WORDS_PER_MINUTE))

    def get_share_image(self):
        return self.share_image or self.lead_image

    def get_meta_description(self) -> str:
        return self.search_description or self.intro

    def faq_items(self) -> list[dict]:
        return StreamBodyMixin.faq_items(self)

    @cached_property
    def related_articles(self) -> list[ArticlePage]:
        """Chosen by the editor, else the latest of the same category, else the latest."""
        chosen = [
            link.article
            for link in self.related_links.select_related("article", "article__lead_image")
            if link.article and link.article.live
        ]
        if chosen:
            return chosen[:3]
        siblings = (
            ArticlePage.objects.live()
            .public()
            .filter(locale_id=self.locale_id)
            .exclude(pk=self.pk)
            .select_related("lead_image", "category")
        )
        if self.category_id:
            siblings = siblings.order_by(
                models.Case(
                    models.When(category_id=self.category_id, then=0),
                    default=1,
                    output_field=models.IntegerField(),
                ),
                "-date",
            )
        else:
            siblings = siblings.order_by("-date")
        return list(siblings[:3])


class RelatedArticle(Orderable):
    page = ParentalKey(ArticlePage, on_delete=models.CASCADE, related_name="related_links")
    article = models.ForeignKey(
        ArticlePage,
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    panels = [FieldPanel("article")]

    class Meta(Orderable.Meta):
        verbose_name = _("article lié")
