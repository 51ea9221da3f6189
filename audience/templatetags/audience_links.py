"""Links to the questionnaire that carry the campaign attribution (no cookie needed)."""

from __future__ import annotations

from django import template
from wagtail.models import Page
from wagtail.templatetags.wagtailcore_tags import pageurl

from audience.attribution import Attribution

register = template.Library()


def _is_questionnaire(page) -> bool:
    from audits.models import AuditPage

    specific_class = getattr(page, "specific_class", None)
    return specific_class is not None and issubclass(specific_class, AuditPage)


@register.simple_tag(takes_context=True)
def attributed_pageurl(context, target) -> str:
    """Like ``{% pageurl %}``; a link to the questionnaire also says which page it starts from
    and passes on the UTM parameters this page was reached with.

    A page rendered without query string (the cached one) links with ``?depuis=<its id>`` only,
    the same for every visitor; a landing URL with UTM parameters is rendered afresh (the
    page cache skips query strings), with them in its links."""
    url = pageurl(context, target)
    if not _is_questionnaire(target):
        return url
    request = context.get("request")
    attribution = Attribution.from_query(request.GET) if request is not None else Attribution()
    current = context.get("page")
    if isinstance(current, Page) and current.pk and current.pk != target.pk:
        attribution = attribution.with_landing_page(current.pk)
    query = attribution.as_query()
    return f"{url}?{query}" if query else url
