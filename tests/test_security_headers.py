"""Security headers: a strict Content-Security-Policy on public pages, and pages that obey it."""

import re

import pytest

from tests.audits.helpers import submit_questionnaire

pytestmark = pytest.mark.django_db

INLINE_STYLE = re.compile(r"<[a-zA-Z][^>]*\sstyle=", re.S)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/ld\+json)[^>]*>", re.S)


def public_urls(client):
    from cms.models import ArticlePage, CampaignPage

    urls = ["/", "/audit/", "/recherche/?q=cloud", "/page-qui-n-existe-pas/"]
    urls += [page.url for page in CampaignPage.objects.live()[:1]]
    urls += [page.url for page in ArticlePage.objects.live()[:1]]
    urls.append(submit_questionnaire(client)["Location"])
    from calendar_sync.links import booking_url
    from pipeline.models import Engagement

    urls.append(booking_url(Engagement.objects.get()).removeprefix("http://testserver"))
    urls.append("/rendez-vous/nouveau-lien/")
    return urls


def test_public_pages_send_a_strict_csp_and_contain_no_inline_code(client, demo_site):
    """No 'unsafe-inline' anywhere, and no inline script or style attribute in the HTML."""
    from cms import demo as cms_demo

    cms_demo.load()
    for url in public_urls(client):
        response = client.get(url)
        policy = response["Content-Security-Policy"]
        assert "unsafe-inline" not in policy and "script-src 'self'" in policy, url
        assert "frame-ancestors 'none'" in policy
        html = response.content.decode()
        assert not INLINE_STYLE.search(html), (url, INLINE_STYLE.search(html).group(0))
        assert not INLINE_SCRIPT.search(html), (url, INLINE_SCRIPT.search(html).group(0))
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"]


def test_the_admin_keeps_its_own_rules(client, superuser):
    """Wagtail's admin needs inline code: the public policy is not applied there."""
    client.force_login(superuser)
    response = client.get("/admin/")
    assert "Content-Security-Policy" not in response
    assert response["X-Frame-Options"] == "DENY"
