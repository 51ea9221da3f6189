"""Site navigation built from the Wagtail page tree."""

from django import template
from wagtail.models import Page, Site

register = template.Library()


def _site_root(context):
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    return site.root_page if site else None


@register.simple_tag(takes_context=True)
def main_menu_pages(context):
    root = _site_root(context)
    if root is None:
        return Page.objects.none()
    return root.get_children().live().public().in_menu().specific()


@register.simple_tag(takes_context=True)
def footer_pages(context):
    from cms.models import StandardPage

    root = _site_root(context)
    if root is None:
        return StandardPage.objects.none()
    return StandardPage.objects.live().public().descendant_of(root).filter(show_in_footer=True)


@register.simple_tag(takes_context=True)
def audit_page(context):
    """The live questionnaire people are sent to by every "start the audit" button."""
    from audits.models import AuditPage

    root = _site_root(context)
    pages = AuditPage.objects.live().public()
    if root is not None:
        pages = pages.descendant_of(root)
    return pages.order_by("path").first()
