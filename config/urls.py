from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import views as cms_views
from config import oidc
from config.health import healthz

urlpatterns = [
    re_path(r"^healthz/?$", healthz, name="healthz"),
    # Before Wagtail's own: "Log out" also signs out of the identity provider (config/oidc.py).
    path("admin/logout/", oidc.admin_logout, name="passerelle_admin_logout"),
    path("admin/", include(wagtailadmin_urls)),
    path("oidc/", include("config.oidc")),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", cms_views.sitemap, name="sitemap"),
    path("robots.txt", cms_views.robots_txt, name="robots_txt"),
    path("", include("calendar_sync.urls.feeds")),
]

if getattr(settings, "BENCHMARK_BASELINE_VIEW", False):
    from bench.baseline import baseline

    urlpatterns.append(path("bench/baseline/", baseline))

if settings.DEBUG or settings.SERVE_MEDIA:
    urlpatterns += [
        re_path(
            r"^%s(?P<path>.+)$" % settings.MEDIA_URL.lstrip("/"),  # noqa: UP031
            cms_views.serve_media,
            name="media",
        )
    ]

# French is served without a prefix, English under /en/ (design.md §5).
urlpatterns += i18n_patterns(
    path("recherche/", cms_views.search, name="cms_search"),
    path("", include("calendar_sync.urls.public")),
    path("", include("pipeline.roadmap.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
