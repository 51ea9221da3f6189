"""Roadmaps in the admin: the engagement page's panel, drafting, the editor with inline steps,
preview, publishing, and who may do it."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.test.utils.form_data import querydict_from_html

from pipeline import services
from pipeline.factories import ConsultantFactory
from pipeline.models import Roadmap, RoadmapItem, RoadmapItemStatus, RoadmapUpdate
from pipeline.stages import Stage
from tests.pipeline.roadmaps import START, engagement_for_roadmap, published_roadmap

pytestmark = pytest.mark.django_db


def page_url(engagement):
    return f"/admin/pipeline/engagements/inspect/{engagement.pk}/"


def test_panel_offers_the_draft_after_the_meeting_only(client, consultant):
    """Before the meeting: it waits; once held: "Générer le brouillon" makes it and opens the
    editor."""
    client.force_login(consultant)
    early = engagement_for_roadmap(consultant, stage=Stage.MEETING_SCHEDULED, name="Tôt")
    assert "se prépare après le rendez-vous" in client.get(page_url(early)).content.decode()
    engagement = engagement_for_roadmap(consultant)
    page = client.get(page_url(engagement)).content.decode()
    assert "Générer le brouillon" in page
    response = client.post(f"/admin/pipeline/roadmaps/generate/{engagement.pk}/")
    roadmap = Roadmap.objects.get(engagement=engagement)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/pipeline/roadmaps/edit/{roadmap.pk}/"
    page = client.get(page_url(engagement)).content.decode()
    assert "Brouillon" in page and "Publier et envoyer le lien" in page
    for title in roadmap.items.values_list("title", flat=True)[:3]:
        assert title.replace("'", "&#x27;") in page


def test_editor_saves_inline_steps_reorders_adds_free_steps_and_records_news(client, consultant):
    """The consultant edits steps inline: state and month changes become news for the digest,
    a free step is added, one is removed, the order is kept."""
    roadmap = published_roadmap(consultant)
    client.force_login(consultant)
    url = f"/admin/pipeline/roadmaps/edit/{roadmap.pk}/"
    html = client.get(url).content.decode()
    assert "Étapes" in html and "items-0-title" in html
    data = querydict_from_html(html, form_id="w-editor-form")
    items = list(roadmap.items.order_by("sort_order", "pk"))
    total = int(data["items-TOTAL_FORMS"])
    assert total == len(items)
    data["items-0-status"] = RoadmapItemStatus.DONE
    data["items-1-target_month"] = "2027-09"
    data["items-2-DELETE"] = "1"
    data["items-0-ORDER"], data["items-3-ORDER"] = "3", "0"  # swap two steps
    new = f"items-{total}-"
    data.update(
        {
            f"{new}title": "Atelier « charte d'usage » avec les élu·es",
            f"{new}phase": "2",
            f"{new}target_month": "2027-04",
            f"{new}status": RoadmapItemStatus.PLANNED,
            f"{new}effort": "low",
            f"{new}ORDER": str(total),
            f"{new}DELETE": "",
            f"{new}id": "",
        }
    )
    data["items-TOTAL_FORMS"] = str(total + 1)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == page_url(roadmap.engagement)
    items_after = {i.pk: i for i in RoadmapItem.objects.filter(roadmap=roadmap)}
    assert items[2].pk not in items_after
    assert items_after[items[0].pk].status == RoadmapItemStatus.DONE
    assert items_after[items[1].pk].target_month == datetime.date(2027, 9, 1)
    assert items_after[items[0].pk].sort_order > items_after[items[3].pk].sort_order
    assert RoadmapItem.objects.filter(roadmap=roadmap, title__startswith="Atelier").exists()
    kinds = sorted(RoadmapUpdate.objects.filter(roadmap=roadmap).values_list("kind", flat=True))
    assert kinds == ["added", "date", "removed", "status"]


def test_editor_refuses_bad_input_in_french(client, consultant):
    """A step without title, an impossible month, both a host and the State: errors, nothing
    saved."""
    roadmap = services.generate_roadmap_draft(
        engagement_for_roadmap(consultant), user=consultant, start=START
    )
    client.force_login(consultant)
    url = f"/admin/pipeline/roadmaps/edit/{roadmap.pk}/"
    data = querydict_from_html(client.get(url).content.decode(), form_id="w-editor-form")
    data["items-0-title"] = " \r\n "
    data["items-1-target_month"] = "mars"
    from audits.models import Host

    data["items-2-host"] = str(Host.objects.get(slug="lasuite-coop").pk)
    data["items-2-state_instance"] = "on"
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Champ requis." in page
    assert "Indiquez un mois au format AAAA-MM" in page
    assert "pas les deux" in page
    assert not RoadmapItem.objects.filter(roadmap=roadmap, title="").exists()


def test_preview_shows_the_organisation_page_without_forms(client, consultant):
    """The preview is the public page, marked as such, with its forms switched off."""
    roadmap = services.generate_roadmap_draft(
        engagement_for_roadmap(consultant), user=consultant, start=START
    )
    client.force_login(consultant)
    response = client.get(f"/admin/pipeline/roadmaps/{roadmap.pk}/preview/")
    page = response.content.decode()
    assert response.status_code == 200 and "Aperçu" in page
    assert "Mairie de Bellecombe" in page and "csrfmiddlewaretoken" not in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    pdf = client.get(f"/admin/pipeline/roadmaps/{roadmap.pk}/pdf/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_publish_and_relink_from_the_panel(client, consultant, run_on_commit):
    """The panel's buttons publish (e-mail to the contacts) and regenerate the link."""
    engagement = engagement_for_roadmap(consultant)
    roadmap = services.generate_roadmap_draft(engagement, user=consultant, start=START)
    client.force_login(consultant)
    with run_on_commit():
        response = client.post(f"/admin/pipeline/roadmaps/{roadmap.pk}/publish/", follow=True)
    assert "Version 1 publiée" in response.content.decode()
    assert len(mail.outbox) == 1
    engagement.refresh_from_db()
    assert engagement.stage == Stage.ROADMAP_SHARED
    with run_on_commit():
        response = client.post(f"/admin/pipeline/roadmaps/{roadmap.pk}/relink/", follow=True)
    assert "Ancien lien désactivé" in response.content.decode()
    assert len(mail.outbox) == 2
    item = roadmap.items.first()
    client.post(
        f"/admin/pipeline/roadmaps/{roadmap.pk}/item-status/",
        {"item": item.pk, "status": RoadmapItemStatus.SKIPPED},
    )
    item.refresh_from_db()
    assert item.status == RoadmapItemStatus.SKIPPED


def test_marketing_and_other_consultants_are_kept_out(client, consultant, marketing_user, settings):
    """Marketing gets 403 everywhere; a consultant limited to their own engagements gets 404 on
    a colleague's roadmap."""
    roadmap = published_roadmap(consultant)
    urls = [
        "/admin/pipeline/roadmaps/",
        f"/admin/pipeline/roadmaps/edit/{roadmap.pk}/",
        f"/admin/pipeline/roadmaps/{roadmap.pk}/preview/",
        f"/admin/pipeline/roadmaps/{roadmap.pk}/pdf/",
    ]
    client.force_login(marketing_user)
    for url in urls:
        assert client.get(url).status_code in (302, 403), url
    assert client.post(f"/admin/pipeline/roadmaps/{roadmap.pk}/publish/").status_code in (302, 403)
    roadmap.refresh_from_db()
    assert roadmap.version == 1
    settings.PIPELINE_CONSULTANTS_SEE_OWN_ONLY = True
    colleague = ConsultantFactory(username="colleague")
    client.force_login(colleague)
    for url in urls[1:]:
        assert client.get(url).status_code == 404, url
    assert "Bellecombe" not in client.get(urls[0]).content.decode()


def test_roadmap_list_shows_progress(client, consultant):
    """The list of roadmaps gives each one's stage, version and progress."""
    roadmap = published_roadmap(consultant)
    first = roadmap.items.first()
    services.set_roadmap_item_status(first, RoadmapItemStatus.DONE, user=consultant)
    client.force_login(consultant)
    page = client.get("/admin/pipeline/roadmaps/").content.decode()
    assert "Mairie de Bellecombe" in page and "En transition" in page
    assert f"(1/{roadmap.items.count()})" in page


def test_panel_queries_do_not_grow_with_steps(client, consultant):
    """The engagement page with its roadmap panel: same queries for 8 or 30 steps."""
    roadmap = published_roadmap(consultant)
    client.force_login(consultant)
    url = page_url(roadmap.engagement)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    count()
    before = count()
    RoadmapItem.objects.bulk_create(
        RoadmapItem(roadmap=roadmap, title=f"Étape {i}", target_month=START, phase=3)
        for i in range(22)
    )
    assert count() == before
