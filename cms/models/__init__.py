from cms.models.cache import ContentVersion
from cms.models.pages import (
    ArticleIndexPage,
    ArticlePage,
    ArticlePageTag,
    Audience,
    CampaignPage,
    HomePage,
    RelatedArticle,
    StandardPage,
)
from cms.models.site_settings import SiteSettings, SocialLink, SocialNetwork
from cms.models.snippets import (
    ArticleCategory,
    Author,
    MenuPlacement,
    NavigationMenu,
    NavigationMenuItem,
)

__all__ = [
    "ArticleCategory",
    "ArticleIndexPage",
    "ArticlePage",
    "ArticlePageTag",
    "Audience",
    "Author",
    "CampaignPage",
    "ContentVersion",
    "HomePage",
    "MenuPlacement",
    "NavigationMenu",
    "NavigationMenuItem",
    "RelatedArticle",
    "SiteSettings",
    "SocialLink",
    "SocialNetwork",
    "StandardPage",
]
