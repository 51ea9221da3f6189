from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from audits.models import Alternative, Host, Phase, Tool, Usage


class ToolViewSet(SnippetViewSet):
    model = Tool
    icon = "cog"
    list_display = ["name", "vendor", "vendor_country", "cloud_act", "open_source", "la_suite"]
    list_filter = ["cloud_act", "open_source", "la_suite", "usages", "locally_edited"]
    search_fields = ["name", "vendor"]
    search_backend_name = None


class UsageViewSet(SnippetViewSet):
    model = Usage
    icon = "list-ul"
    list_display = ["label", "default_phase", "difficulty", "in_questionnaire"]


class AlternativeViewSet(SnippetViewSet):
    model = Alternative
    icon = "arrow-right"
    list_display = ["from_tool", "usage", "locally_edited"]
    list_filter = ["usage", "locally_edited"]


class HostViewSet(SnippetViewSet):
    model = Host
    icon = "site"
    list_display = ["name", "country", "secnumcloud", "kind"]


class PhaseViewSet(SnippetViewSet):
    model = Phase
    icon = "date"
    list_display = ["number", "title", "timing"]


class CatalogueViewSetGroup(SnippetViewSetGroup):
    menu_label = _("Catalogue d'outils")
    menu_icon = "cogs"
    menu_order = 160
    items = (ToolViewSet, AlternativeViewSet, UsageViewSet, HostViewSet, PhaseViewSet)


register_snippet(CatalogueViewSetGroup)
