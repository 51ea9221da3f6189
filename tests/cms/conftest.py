import pytest
from django.db import transaction
from django.test import Client

from cms.models import ArticleCategory, ArticleIndexPage
from tests.cms.helpers import make_article, make_catalogue, make_image, publish_campaign_page


def build_campaign() -> dict:
    from audits import demo as audits_demo
    from cms import demo as cms_demo

    home = cms_demo.load()
    audit_page = audits_demo.load(home)
    image = make_image()
    catalogue = make_catalogue()
    category = ArticleCategory.objects.get(slug="comprendre")
    index = ArticleIndexPage.objects.get(slug="articles")
    article = make_article(index, title="Un article de test", day=28, category=category)
    page = publish_campaign_page(home, image, catalogue, category, slug="toutes-les-briques")
    return {
        "home": home,
        "audit_page": audit_page,
        "page": page,
        "image": image,
        "catalogue": catalogue,
        "category": category,
        "index": index,
        "article": article,
    }


@pytest.fixture
def campaign(db):
    """The demo site plus a small catalogue and a campaign page using every block."""
    return build_campaign()


@pytest.fixture(scope="module")
def rendered_campaign(django_db_setup, django_db_blocker):
    """The campaign page with every block, rendered once per module (rendering a dozen
    blocks with AVIF/WebP renditions is the slow part); the data is rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        data = build_campaign()
        response = Client().get(data["page"].url)
        result = {
            "status": response.status_code,
            "content": response.content,
            "audit_url": data["audit_page"].url,
            "index_url": data["index"].url,
        }
        transaction.set_rollback(True)
    return result
