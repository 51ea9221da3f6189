"""Marketing drafts, previews and submits a campaign page; a reviewer publishes it."""

import pytest
from django.urls import reverse
from wagtail.models import Page

from cms.models import ArticleCategory, CampaignPage
from tests.cms.helpers import campaign_form_data, make_catalogue, make_image

pytestmark = pytest.mark.django_db

PIPELINE_URLS = [
    "/admin/pipeline/engagements/",
    "/admin/pipeline/organisations/",
    "/admin/pipeline/notifications/",
]


@pytest.fixture
def editing(demo_site, marketing_user):
    image = make_image()
    catalogue = make_catalogue()
    category = ArticleCategory.objects.get(slug="comprendre")
    return {
        "home": demo_site["home"],
        "data": campaign_form_data(image, catalogue, category),
        "marketing": marketing_user,
    }


def test_marketing_creates_previews_submits_and_admin_publishes(client, editing, superuser):
    """The whole editorial journey through the admin's HTTP views."""
    home, data = editing["home"], editing["data"]
    client.force_login(editing["marketing"])

    add_url = reverse("wagtailadmin_pages:add", args=("cms", "campaignpage", home.pk))
    assert client.get(add_url).status_code == 200
    response = client.post(add_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    page = CampaignPage.objects.get(slug="tiers-lieux")
    assert not page.live
    assert {block.block_type for block in page.get_latest_revision_as_object().body} == set(
        CampaignPage._meta.get_field("body").stream_block.child_blocks
    )

    preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=(page.pk,))
    assert client.post(preview_url, data).json()["is_valid"] is True
    preview = client.get(preview_url).content.decode()
    assert "Des outils souverains pour vos agents" in preview
    assert "Réunions en visio" in preview  # the tool comparison, from the catalogue

    edit_url = reverse("wagtailadmin_pages:edit", args=(page.pk,))
    client.post(edit_url, {**data, "action-publish": "action-publish"})
    page.refresh_from_db()
    assert not page.live  # marketing cannot publish

    response = client.post(edit_url, {**data, "action-submit": "action-submit"})
    assert response.status_code == 302
    page.refresh_from_db()
    state = page.current_workflow_state
    assert state is not None and state.status == "in_progress"
    assert client.get(page.url).status_code == 404  # still not public

    client.force_login(superuser)
    approve_url = reverse(
        "wagtailadmin_pages:workflow_action",
        args=(page.pk, "approve", state.current_task_state.pk),
    )
    assert client.post(approve_url, {"comment": "Parfait."}).status_code in (200, 302)
    page.refresh_from_db()
    assert page.live
    client.logout()
    public = client.get(page.url)
    assert public.status_code == 200
    assert "Des outils souverains pour vos agents" in public.content.decode()


def test_a_member_of_relecteurs_can_approve(client, editing):
    """Relecteurs, not only superusers, approve the review task."""
    from django.contrib.auth.models import Group

    from pipeline.factories import UserFactory
    from pipeline.roles import REVIEWERS_GROUP

    client.force_login(editing["marketing"])
    add_url = reverse("wagtailadmin_pages:add", args=("cms", "campaignpage", editing["home"].pk))
    client.post(add_url, {**editing["data"], "action-submit": "action-submit"})
    page = CampaignPage.objects.get(slug="tiers-lieux")
    state = page.current_workflow_state
    assert state.status == "in_progress"

    reviewer = UserFactory(username="relectrice")
    reviewer.groups.add(Group.objects.get(name=REVIEWERS_GROUP))
    client.force_login(reviewer)
    client.post(
        reverse(
            "wagtailadmin_pages:workflow_action",
            args=(page.pk, "approve", state.current_task_state.pk),
        ),
        {"comment": ""},
    )
    page.refresh_from_db()
    assert page.live


def test_marketing_schedules_a_publication(client, editing, superuser, monkeypatch):
    """An approved page with a go-live date goes live when the beat task runs."""
    from datetime import timedelta

    from django.utils import timezone

    from cms.tasks import publish_scheduled_pages

    client.force_login(editing["marketing"])
    add_url = reverse("wagtailadmin_pages:add", args=("cms", "campaignpage", editing["home"].pk))
    go_live = timezone.localtime() + timedelta(days=2)
    client.post(
        add_url,
        {
            **editing["data"],
            "go_live_at": go_live.strftime("%Y-%m-%d %H:%M"),
            "action-submit": "action-submit",
        },
    )
    page = CampaignPage.objects.get(slug="tiers-lieux")
    client.force_login(superuser)
    client.post(
        reverse(
            "wagtailadmin_pages:workflow_action",
            args=(page.pk, "approve", page.current_workflow_state.current_task_state.pk),
        ),
        {"comment": ""},
    )
    page.refresh_from_db()
    assert not page.live
    revision = page.latest_revision
    assert revision.approved_go_live_at is not None

    publish_scheduled_pages()
    page.refresh_from_db()
    assert not page.live  # not yet

    later = timezone.now() + timedelta(days=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    publish_scheduled_pages()
    page.refresh_from_db()
    assert page.live


def test_the_page_keeps_its_revisions(client, editing):
    """Each save is a revision an editor can compare and restore."""
    client.force_login(editing["marketing"])
    add_url = reverse("wagtailadmin_pages:add", args=("cms", "campaignpage", editing["home"].pk))
    client.post(add_url, editing["data"])
    page = CampaignPage.objects.get(slug="tiers-lieux")
    client.post(
        reverse("wagtailadmin_pages:edit", args=(page.pk,)),
        {**editing["data"], "title": "Tiers-lieux et fablabs"},
    )
    assert page.revisions.count() == 2
    history = client.get(reverse("wagtailadmin_pages:history", args=(page.pk,)))
    assert history.status_code == 200


@pytest.mark.parametrize("url", PIPELINE_URLS)
def test_marketing_cannot_reach_the_pipeline(client, marketing_user, url):
    """Marketing edits the site but never sees organisations, engagements or messages."""
    client.force_login(marketing_user)
    assert client.get(url).status_code in (302, 403)
    dashboard = client.get("/admin/").content.decode()
    assert "/admin/pipeline/" not in dashboard


def test_marketing_reaches_the_campaign_site_tools(client, demo_site, marketing_user):
    """Pages, images, menus, categories and site settings are open to marketing."""
    client.force_login(marketing_user)
    home = Page.objects.get(pk=demo_site["home"].pk)
    for url in (
        reverse("wagtailadmin_explore", args=(home.pk,)),
        reverse("wagtailimages:index"),
        reverse("wagtailimages:add"),
        "/admin/snippets/cms/navigationmenu/",
        "/admin/snippets/cms/articlecategory/",
        "/admin/settings/cms/sitesettings/",
    ):
        assert client.get(url, follow=True).status_code == 200, url


def test_an_image_without_alt_text_is_refused(client, marketing_user):
    """Alt text is mandatory, with a French message."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "PNG")
    client.force_login(marketing_user)
    response = client.post(
        reverse("wagtailimages:add"),
        {
            "title": "Sans texte alternatif",
            "file": SimpleUploadedFile("x.png", buffer.getvalue(), content_type="image/png"),
            "description": "",
        },
    )
    assert response.status_code == 200
    assert "description" in response.context["form"].errors, response.context["form"].errors
    assert response.context["form"].errors["description"] == ["Champ requis."]
