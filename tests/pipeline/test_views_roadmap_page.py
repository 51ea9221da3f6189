"""The private roadmap page and its PDF: private headers, fixed queries, forms without
JavaScript, French errors, escaping, and a PDF that holds the whole roadmap."""

import io
import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from pipeline import services
from pipeline.models import RoadmapComment, RoadmapItem, RoadmapItemStatus
from tests.pipeline.roadmaps import START, link_from, published_roadmap

pytestmark = pytest.mark.django_db


@pytest.fixture
def roadmap_link(consultant, run_on_commit):
    with run_on_commit():
        roadmap = published_roadmap(consultant)
    return roadmap, link_from(mail.outbox[-1])


def test_page_is_private_noindex_and_never_cached(client, roadmap_link):
    """noindex (header and meta), same-origin referrer, no-store, not kept by the page cache."""
    _roadmap, path = roadmap_link
    response = client.get(path)
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
    assert "X-Page-Cache" not in response
    assert client.get(path).status_code == 200 and "X-Page-Cache" not in client.get(path)
    page = response.content.decode()
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert page.count("<h1") == 1 and 'lang="fr"' in page


def test_unknown_link_is_a_404_with_the_resend_form(client):
    """A made-up or mangled token shows the "send me a new link" form."""
    for token in ("x" * 43, "court", "%3Cscript%3E"):
        response = client.get(f"/feuille-de-route/{token}/")
        assert response.status_code == 404
        assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "M'envoyer un nouveau lien" in response.content.decode()


def test_page_shows_summary_scores_calendar_steps_and_the_consultant(client, roadmap_link):
    """What §4d asks: summary, exposure now vs at the audit, Gantt by phase, steps with status
    and next step, change management, vigilance, next steps, the consultant's contact."""
    roadmap, path = roadmap_link
    page = client.get(path).content.decode()
    for text in (
        "Synthèse",
        "Exposition au Cloud Act",
        "Lors de l'audit",
        "Aujourd'hui",
        "rm-gantt__bar--phase4",
        "Prochaine étape :",
        "Accompagnement du changement",
        "Points de vigilance",
        "Prochaines étapes",
        "Votre consultant·e",
        "version 1",
        "Publiée le",
    ):
        assert text in page, text
    assert roadmap.engagement.owner.email in page


def test_queries_do_not_grow_with_steps_and_comments(client, roadmap_link):
    """The page and the PDF cost a fixed number of queries (8 steps vs 30 steps + comments)."""
    roadmap, path = roadmap_link

    def count(url):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    count(path), count(path + "feuille-de-route.pdf")  # warm the per-process caches
    small_page, small_pdf = count(path), count(path + "feuille-de-route.pdf")
    items = [
        RoadmapItem(roadmap=roadmap, title=f"Étape libre {i}", target_month=START, phase=i % 6)
        for i in range(22)
    ]
    RoadmapItem.objects.bulk_create(items)
    for item in RoadmapItem.objects.filter(roadmap=roadmap):
        RoadmapComment.objects.create(item=item, body="Une question", author_name="Léa")
    services.set_roadmap_item_status(
        roadmap.items.last(), RoadmapItemStatus.DONE, user=roadmap.engagement.owner
    )
    assert count(path) == small_page
    assert count(path + "feuille-de-route.pdf") == small_pdf
    assert small_page <= 30  # 7 for the roadmap, the rest for the site header and footer


def test_marking_a_step_done_works_without_javascript_and_needs_csrf(roadmap_link):
    """A plain form POST with the CSRF token marks the step done and comes back to it; without
    the token it is refused."""
    roadmap, path = roadmap_link
    browser = Client(enforce_csrf_checks=True)
    item = roadmap.items.filter(status=RoadmapItemStatus.PLANNED).first()
    action = f"{path}etapes/{item.pk}/"
    assert browser.post(action, {"action": "done"}).status_code == 403
    page = browser.get(path).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = browser.post(action, {"action": "done", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert response["Location"] == f"{path}?ok=fait#etape-{item.pk}"
    item.refresh_from_db()
    assert item.status == RoadmapItemStatus.DONE
    assert "notée comme faite" in browser.get(response["Location"]).content.decode()


@pytest.mark.parametrize(
    "data, message",
    [
        ({"action": "effacer"}, "Cette action n&#x27;existe pas."),
        (
            {"action": "comment", "body": "   "},
            "Écrivez votre commentaire avant de l&#x27;envoyer.",
        ),
        ({"action": "comment", "body": "x" * 2001}, "Le commentaire est trop long"),
        ({"action": "skipped"}, "Cette action n&#x27;existe pas."),
        ({"action": "done", "author_name": "x" * 121}, "Le prénom est trop long."),
    ],
)
def test_bad_input_gets_a_clear_french_message(client, roadmap_link, data, message):
    """Bad input: 400, the page again with the message by the step, nothing saved."""
    roadmap, path = roadmap_link
    item = roadmap.items.filter(status=RoadmapItemStatus.PLANNED).first()
    response = client.post(f"{path}etapes/{item.pk}/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    item.refresh_from_db()
    assert item.status == RoadmapItemStatus.PLANNED and not item.comments.exists()


def test_a_step_of_another_roadmap_is_a_404(client, roadmap_link, consultant):
    """A token opens its own roadmap's steps only."""
    _roadmap, path = roadmap_link
    other = published_roadmap(consultant, name="Autre commune")
    item = other.items.first()
    assert client.post(f"{path}etapes/{item.pk}/", {"action": "done"}).status_code == 404


def test_comments_and_names_are_escaped_everywhere(client, roadmap_link, run_on_commit):
    """HTML and line breaks typed by the organisation are shown as text on the page, in the
    e-mail to the consultant and in the PDF."""
    roadmap, path = roadmap_link
    item = roadmap.items.first()
    mail.outbox.clear()
    with run_on_commit():
        client.post(
            f"{path}etapes/{item.pk}/",
            {
                "action": "comment",
                "body": "<script>alert(1)</script>\r\nligne 2",
                "author_name": "<i>Léa</i>\r\nX",
            },
        )
    page = client.get(path).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;<br>" in page
    assert "&lt;i&gt;Léa&lt;/i&gt; X" in page
    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "\r" not in mail.outbox[0].subject
    text = pdf_text(client.get(path + "feuille-de-route.pdf").content)
    assert "<script>alert(1)</script>" in text  # shown as text, not run


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_pdf_is_valid_and_holds_the_organisation_and_every_step(client, roadmap_link):
    """The PDF opens, is A4, French, and its text holds the organisation's name and every
    step's title."""
    from pypdf import PdfReader

    roadmap, path = roadmap_link
    RoadmapItem.objects.create(
        roadmap=roadmap, title="Former les élu·es à Tchap", target_month=START, phase=2
    )
    roadmap.revision += 1  # a new step: the cached PDF is stale
    type(roadmap).objects.filter(pk=roadmap.pk).update(revision=roadmap.revision)
    response = client.get(path + "feuille-de-route.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="feuille-de-route-mairie-de-bellecombe.pdf"' in response["Content-Disposition"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) >= 2
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    text = pdf_text(response.content)
    assert "Mairie de Bellecombe" in text
    for title in roadmap.items.values_list("title", flat=True):
        assert " ".join(title.split()) in text, title
    assert "Calendrier" in text and "Prochaines étapes" in text
