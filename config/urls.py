from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from config.health import healthz

urlpatterns = [
    re_path(r"^healthz/?$", healthz, name="healthz"),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("", include("calendar_sync.urls.feeds")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# French is served without a prefix, English under /en/ (design.md §5).
urlpatterns += i18n_patterns(
    path("", include("calendar_sync.urls.public")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
