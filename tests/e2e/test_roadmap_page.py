"""The private roadmap page in a real browser: phone and desktop screenshots, no horizontal
scroll, a step marked done with the keyboard; and the PDF's first page rendered to PNG."""

import pytest
from django.core import mail
from django.utils import timezone

from pipeline import services
from pipeline.models import RoadmapItemStatus
from pipeline.services.roadmaps import add_months
from tests.e2e.conftest import ARTIFACTS
from tests.pipeline.roadmaps import engagement_for_roadmap, link_from

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def roadmap_path(demo_site, consultant, django_capture_on_commit_callbacks):
    """A commune's roadmap published two months ago, some steps done, one in progress."""
    consultant.first_name, consultant.last_name = "Camille", "Durand"
    consultant.save()
    engagement = engagement_for_roadmap(consultant, name="Mairie de Bellecombe-sur-Loire")
    start = add_months(timezone.localdate().replace(day=1), -2)
    with django_capture_on_commit_callbacks(execute=True):
        roadmap = services.generate_roadmap_draft(engagement, user=consultant, start=start)
        items = list(roadmap.items.order_by("phase", "sort_order"))
        items[0].owner = "Sophie, secrétaire de mairie"
        items[0].save()
        services.publish_roadmap(roadmap, user=consultant)
        path = link_from(mail.outbox[-1])
        services.organisation_set_item_status(roadmap, items[0], RoadmapItemStatus.DONE)
        services.organisation_set_item_status(roadmap, items[1], RoadmapItemStatus.DONE)
        services.organisation_set_item_status(roadmap, items[2], RoadmapItemStatus.IN_PROGRESS)
        services.comment_roadmap_item(
            roadmap,
            items[2],
            "Le conseil municipal vote le nom de domaine le 12 ; on vous tient au courant.",
            author_name="Sophie",
        )
    return path


@pytest.mark.parametrize("width", [375, 1280])
def test_roadmap_page_at_phone_and_desktop_widths(
    live_server, roadmap_path, page_at, screenshot, width
):
    """One h1, every section there, no horizontal scroll; screenshots kept."""
    page = page_at(width)
    page.goto(live_server.url + roadmap_path)
    assert page.locator("h1").count() == 1
    for section in ("#synthese", "#calendrier", "#etapes", "#prochaines-etapes"):
        assert page.locator(section).count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"roadmap-{width}")


def test_step_marked_done_with_the_keyboard(live_server, roadmap_path, page_at):
    """Open a step's form from the keyboard, press "C'est fait": the page says so."""
    page = page_at(1280)
    page.goto(live_server.url + roadmap_path)
    step = page.locator(".rm-item--planned").first
    step.locator(".rm-update summary").focus()
    page.keyboard.press("Enter")
    step.get_by_role("button", name="C'est fait").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert "notée comme faite" in page.locator(".alert--success").first.inner_text()


def test_pdf_first_page_rendered_to_png(live_server, roadmap_path, page_at):
    """The PDF opens, and its first page is kept as a picture to look at."""
    import pypdfium2

    page = page_at(1280)
    response = page.request.get(live_server.url + roadmap_path + "feuille-de-route.pdf")
    assert response.status == 200 and response.body().startswith(b"%PDF")
    document = pypdfium2.PdfDocument(response.body())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    document[0].render(scale=1.5).to_pil().save(ARTIFACTS / "roadmap-pdf-page1.png")
    assert len(document) >= 2


def test_consultant_sees_the_panel_and_the_editor(live_server, roadmap_path, page_at, screenshot):
    """The engagement page's roadmap section and the editor with its inline steps."""
    from pipeline.models import Roadmap
    from tests.e2e.test_pipeline_admin import sign_in

    roadmap = Roadmap.objects.get()
    page = page_at(1280, 1000)
    sign_in(page, live_server.url, username="consultant-test")
    page.goto(f"{live_server.url}/admin/pipeline/engagements/inspect/{roadmap.engagement_id}/")
    section = page.locator("[data-pl-slot=roadmap]")
    assert "Version 1 publiée" in section.inner_text()
    section.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "roadmap-admin-panel.png"))
    page.goto(f"{live_server.url}/admin/pipeline/roadmaps/edit/{roadmap.pk}/")
    assert page.locator("[id^=inline_child_items]").count() >= 8
    screenshot(page, "roadmap-admin-editor")
