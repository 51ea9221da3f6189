from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from audience.views_admin import AUDIENCE_PERMISSION, AudienceView
from cms.cache import SERVED_PAGE_ATTRIBUTE
from pipeline.panels import EngagementPanel


@hooks.register("before_serve_page")
def remember_served_page(page, request, serve_args, serve_kwargs):
    """Note which page this request shows; the audience middleware counts it after the
    response (and the page cache keeps it for its hits). Pages with sub-pages of their own may
    say which of them are views of the page (`audience_routes`): the questionnaire's results
    and "resume" links are personal, not audience."""
    routes = getattr(page, "audience_routes", None)
    if routes is not None:
        match = getattr(request, "routable_resolver_match", None)
        if match is None or match.url_name not in routes:
            return
    setattr(request, SERVED_PAGE_ATTRIBUTE, page.pk)


@hooks.register("register_admin_urls")
def register_audience_url():
    return [path("audience/", AudienceView.as_view(), name="audience_dashboard")]


class AudienceMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(AUDIENCE_PERMISSION)


@hooks.register("register_admin_menu_item")
def register_audience_menu_item():
    return AudienceMenuItem(
        _("Audience du site"),
        reverse("audience_dashboard"),
        name="audience",
        icon_name="view",
        order=708,
    )


class ProvenancePanel(EngagementPanel):
    """Where the organisation came from: campaign page and UTM parameters."""

    slot = "sidebar"
    heading = _("Provenance")
    template_name = "audience/admin/engagement_provenance.html"
    order = 50

    def get_context_data(self, parent_context=None):
        context = super().get_context_data(parent_context)
        engagement = self.engagement
        landing = engagement.landing_page
        utm = [
            (_("Source"), engagement.utm_source),
            (_("Support"), engagement.utm_medium),
            (_("Campagne"), engagement.utm_campaign),
            (_("Contenu"), engagement.utm_content),
            (_("Mot-clé"), engagement.utm_term),
        ]
        context.update(
            landing_page=landing,
            landing_url=landing.get_url(self.request) if landing else "",
            utm=[(label, value) for label, value in utm if value],
        )
        return context


@hooks.register("passerelle_engagement_panels")
def provenance_panel(request, engagement):
    return ProvenancePanel(engagement, request)
