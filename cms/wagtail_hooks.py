from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from cms.models import ArticleCategory, Author, NavigationMenu


class NavigationMenuViewSet(SnippetViewSet):
    model = NavigationMenu
    icon = "list-ul"
    menu_label = _("Menus")
    list_display = ["placement", "title", "locale"]
    list_filter = ["placement", "locale"]


class ArticleCategoryViewSet(SnippetViewSet):
    model = ArticleCategory
    icon = "tag"
    menu_label = _("Catégories d'articles")
    list_display = ["name", "slug", "locale"]
    list_filter = ["locale"]
    search_fields = ["name"]
    search_backend_name = None


class AuthorViewSet(SnippetViewSet):
    model = Author
    icon = "user"
    menu_label = _("Auteur·ices")
    list_display = ["name", "role"]
    search_fields = ["name"]
    search_backend_name = None


class CampaignSiteViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Site de campagne")
    menu_icon = "site"
    menu_order = 150
    items = (NavigationMenuViewSet, ArticleCategoryViewSet, AuthorViewSet)


register_snippet(CampaignSiteViewSetGroup)
