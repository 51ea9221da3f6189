"""Who reaches the pipeline admin: every URL under /admin/pipeline/, from the URL resolver."""

import pytest

from pipeline.factories import ConsultantFactory, ContactFactory, EngagementFactory
from pipeline.models import Engagement, StageChange
from pipeline.stages import Stage
from tests.pipeline.urls import concrete, pipeline_routes

pytestmark = pytest.mark.django_db

REFUSED = {302, 403, 404, 405}


def test_the_resolver_lists_every_pipeline_screen():
    """The walk below covers the board, list, engagement page, reports, import and GDPR."""
    names = {(namespace, name) for _route, namespace, name in pipeline_routes()}
    for expected in [
        ("pipeline_board", "index"),
        ("pipeline_board", "move"),
        ("pipeline_engagements", "index"),
        ("pipeline_engagements", "inspect"),
        ("pipeline_engagements", "action"),
        ("pipeline_reports", "index"),
        ("pipeline_import", "index"),
        ("pipeline_organisations", "merge"),
        ("pipeline_contacts", "erase"),
        ("pipeline_contacts", "export"),
    ]:
        assert expected in names
    assert len(names) > 40


def test_marketing_is_refused_on_every_pipeline_url(client, marketing_user, pipeline_objects):
    """Marketing gets no pipeline page, by GET or POST, and changes nothing."""
    client.force_login(marketing_user)
    stages_before = list(Engagement.objects.values_list("stage", flat=True))
    for route, namespace, name in pipeline_routes():
        url = concrete(route, namespace, pipeline_objects)
        for method in (client.get, client.post):
            response = method(url, {"target": Stage.MEETING_SCHEDULED, "engagement": 1})
            assert response.status_code in REFUSED, (method.__name__, url, name)
            if response.status_code == 302:
                assert "/admin/pipeline/" not in response["Location"], url
    assert list(Engagement.objects.values_list("stage", flat=True)) == stages_before
    assert client.get("/admin/").status_code == 200


def test_consultant_reaches_every_pipeline_screen(client, consultant, pipeline_objects):
    """Every page a consultant can open answers 200 (POST-only endpoints answer 405 to GET)."""
    client.force_login(consultant)
    post_only = {"move", "action", "open", "generate"}
    for route, namespace, name in pipeline_routes():
        url = concrete(route, namespace, pipeline_objects)
        response = client.get(url)
        if name in post_only:
            assert response.status_code == 405, url
        elif (namespace, name) in {
            ("pipeline_engagements", "add"),
            ("pipeline_engagements", "delete"),
            ("pipeline_organisations", "delete"),
            ("pipeline_contacts", "delete"),
        } or (namespace == "pipeline_territories" and name not in {"index", "index_results"}):
            # No blank engagement form, no deletion (erasure instead), rules are an admin's.
            assert response.status_code == 302, url
        else:
            assert response.status_code == 200, url


def test_the_admin_menu_leads_to_board_list_and_reports(client, consultant, marketing_user):
    """The Pipeline menu shows the board, the list and the reports; Marketing has no such menu."""
    client.force_login(consultant)
    home = client.get("/admin/").content.decode()
    for url in (
        "/admin/pipeline/board/",
        "/admin/pipeline/engagements/",
        "/admin/pipeline/reports/",
    ):
        assert url in home
    client.force_login(marketing_user)
    assert "/admin/pipeline/board/" not in client.get("/admin/").content.decode()


def test_own_only_setting_hides_other_consultants_engagements_everywhere(client, settings):
    """With PIPELINE_CONSULTANTS_SEE_OWN_ONLY, a consultant reaches none of a colleague's
    engagement, organisation, contact, task or message URLs, and sees only theirs listed."""
    settings.PIPELINE_CONSULTANTS_SEE_OWN_ONLY = True
    me, colleague = ConsultantFactory(), ConsultantFactory()
    mine = EngagementFactory(owner=me, organisation__name="Ma Mairie")
    theirs = EngagementFactory(owner=colleague, organisation__name="Leur Asso")
    ContactFactory(organisation=theirs.organisation)
    from pipeline import services
    from pipeline.models import Notification, Roadmap

    objects = {
        "engagement": theirs.pk,
        "organisation": theirs.organisation_id,
        "contact": theirs.organisation.contacts.get().pk,
        "task": services.add_task(theirs, "x", user=colleague).pk,
        "notification": Notification.objects.create(
            kind="other", idempotency_key="k", engagement=theirs, recipients=["a@b.fr"], subject="s"
        ).pk,
        "territory": 0,
        "privacy": 0,
        "roadmap": Roadmap.objects.create(engagement=theirs).pk,
    }
    client.force_login(me)
    for route, namespace, _name in pipeline_routes():
        if not any(f"<{kind}" in route for kind in ("int:pk", "pk")):
            continue
        # Shared by every consultant, not tied to an engagement.
        if namespace in {"pipeline_territories", "pipeline_privacy", "pipeline_email_templates"}:
            continue
        url = concrete(route, namespace, objects)
        assert client.get(url).status_code in REFUSED, url
        assert client.post(url, {"text": "note", "to_stage": "qualified"}).status_code in REFUSED
    assert not StageChange.objects.filter(engagement=theirs).exists()
    for listing in ("/admin/pipeline/engagements/", "/admin/pipeline/board/",
                    "/admin/pipeline/organisations/", "/admin/pipeline/contacts/"):  # fmt: skip
        page = client.get(listing).content.decode()
        assert "Leur Asso" not in page, listing
    assert "Ma Mairie" in client.get("/admin/pipeline/board/").content.decode()
    response = client.post(
        "/admin/pipeline/board/move/", {"engagement": theirs.pk, "target": Stage.QUALIFIED}
    )
    assert response.status_code == 404
    assert mine.stage == Stage.NEW
