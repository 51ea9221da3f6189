"""Injection, everywhere a visitor's words travel: e-mail headers, calendar invites, admin
pages, e-mails, and spreadsheets opened by consultants."""

import csv
import io
import re
from email import message_from_bytes

import pytest
from django.core import mail
from icalendar import Calendar
from openpyxl import load_workbook

from audits.models import AuditSubmission
from calendar_sync import links
from calendar_sync.factories import ConsultantCalendarFactory
from pipeline.models import Contact, Engagement, Notification
from tests.audits.helpers import submit_questionnaire, valid_answers

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("xss")</script>'
IMG = "<img src=x onerror=alert(1)>"
CRLF = "Asso\r\nBcc: victime@example.org\r\nX-Injected: oui"
FORMULA = '=HYPERLINK("http://evil.example","clic")'
VECTORS = {"script": SCRIPT, "img": IMG, "crlf": CRLF, "formula": FORMULA}
RAW_MARKUP = re.compile(r"<script>alert|<img src=x onerror", re.I)


@pytest.fixture
def hostile(client, demo_site, consultant, run_on_commit, settings):
    """A questionnaire full of hostile text, then a booking with a hostile agenda."""
    settings.SPAM_PROTECTION = False
    ConsultantCalendarFactory(consultant=consultant)
    answers = valid_answers(
        organisation_name=FORMULA + " " + SCRIPT,
        contact_name=CRLF + " " + IMG,
        role=SCRIPT,
        comment=f"{SCRIPT} {IMG} {FORMULA}",
        postcode="69007",
    )
    with run_on_commit():
        assert submit_questionnaire(client, answers).status_code == 303
    engagement = Engagement.objects.get()
    booking = links.booking_url(engagement).removeprefix("http://testserver")
    page = client.get(booking).content.decode()
    slot = re.search(r'name="slot"[^>]*value="([^"]+)"', page).group(1)
    with run_on_commit():
        response = client.post(
            booking,
            {"slot": slot, "kind": "video", "agenda": f"{CRLF}\r\nATTENDEE:mailto:x@y.z {SCRIPT}"},
        )
    assert response.status_code in (302, 303), response.content.decode()[-3000:]
    return engagement


def test_no_header_of_any_email_can_be_injected(hostile):
    """Every e-mail that left has single-line headers and only the intended recipients."""
    assert mail.outbox
    for message in mail.outbox:
        parsed = message_from_bytes(message.message().as_bytes())
        assert parsed["Bcc"] is None and parsed["X-Injected"] is None
        for header, value in parsed.items():
            assert "\n" not in str(value).replace("\r\n ", "").replace("\n ", ""), header
        assert all("victime" not in address for address in message.recipients())


def test_invites_carry_the_text_but_no_extra_property(hostile):
    """The hostile agenda stays inside DESCRIPTION: one event, its attendees only."""
    contact = Contact.objects.get()
    for message in mail.outbox:
        for content, mimetype in message.alternatives:
            if not mimetype.startswith("text/calendar"):
                continue
            calendar = Calendar.from_ical(content)
            events = list(calendar.walk("VEVENT"))
            assert len(events) == 1
            attendees = events[0].get("ATTENDEE")
            attendees = attendees if isinstance(attendees, list) else [attendees]
            assert [str(a).removeprefix("mailto:").lower() for a in attendees] == [
                contact.email.lower()
            ]
            assert "x@y.z" not in str(attendees)
            assert "Bcc" in str(events[0].get("DESCRIPTION"))  # kept as text, harmless


def test_html_never_reaches_a_page_or_an_email_unescaped(client, hostile, consultant):
    """Results page, admin pages and HTML e-mails show the text escaped, never as markup."""
    pages = [AuditSubmission.objects.get()]
    submission = pages[0]
    client.force_login(consultant)
    urls = [
        "/admin/pipeline/board/",
        "/admin/pipeline/engagements/",
        f"/admin/pipeline/engagements/inspect/{hostile.pk}/",
        "/admin/pipeline/organisations/",
        f"/admin/pipeline/organisations/inspect/{hostile.organisation.pk}/",
        "/admin/pipeline/contacts/",
        "/admin/pipeline/notifications/",
        f"/admin/pipeline/notifications/inspect/{Notification.objects.first().pk}/",
        "/admin/calendar/",
        f"/admin/forms/submissions/{submission.page_id}/",
        "/admin/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not RAW_MARKUP.search(html), url
    for message in mail.outbox:
        for content, mimetype in message.alternatives:
            if mimetype == "text/html":
                assert not RAW_MARKUP.search(content), message.subject


def cells_of(response) -> list[str]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if response["Content-Type"].startswith("text/csv"):
        text = body.decode("utf-8-sig")
        delimiter = (
            ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
        )
        return [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]
    workbook = load_workbook(io.BytesIO(body))
    return [
        str(cell.value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


def test_no_spreadsheet_export_lets_a_formula_run(client, hostile, consultant):
    """Every CSV/XLSX export prefixes = + - @ with an apostrophe."""
    submission = AuditSubmission.objects.get()
    client.force_login(consultant)
    exports = [
        "/admin/pipeline/engagements/?export=csv",
        "/admin/pipeline/engagements/?export=xlsx",
        "/admin/pipeline/organisations/?export=csv",
        "/admin/pipeline/organisations/?export=xlsx",
        "/admin/pipeline/contacts/?export=csv",
        "/admin/pipeline/contacts/?export=xlsx",
        f"/admin/pipeline/organisations/{hostile.organisation.pk}/export.csv",
        f"/admin/forms/submissions/{submission.page_id}/?export=csv",
        f"/admin/forms/submissions/{submission.page_id}/?export=xlsx",
        "/admin/pipeline/reports/?export=csv",
        "/admin/audience/?export=csv",
    ]
    checked = 0
    for url in exports:
        response = client.get(url)
        assert response.status_code == 200, url
        cells = cells_of(response)
        assert cells, url
        dangerous = [c for c in cells if c[:1] in ("=", "+", "-", "@")]
        assert dangerous == [], (url, dangerous[:3])
        checked += any(FORMULA in c for c in cells)
    assert checked >= 5  # the hostile organisation name really was in most exports


def test_the_roadmap_page_and_pdf_show_hostile_text_as_text(client, hostile, consultant):
    """Names, notes and comments with markup: escaped on the private page, plain text in the
    PDF (never rendered as HTML)."""
    from pypdf import PdfReader

    from pipeline import services
    from pipeline.models import RoadmapItem
    from pipeline.roadmap import links as roadmap_links
    from pipeline.stages import Stage

    Engagement.objects.filter(pk=hostile.pk).update(stage=Stage.MEETING_HELD)
    roadmap = services.generate_roadmap_draft(hostile, user=consultant)
    RoadmapItem.objects.filter(roadmap=roadmap).update(
        note=f"{SCRIPT} {IMG}", owner=f"{CRLF} {SCRIPT}"[:100], next_step=SCRIPT
    )
    services.publish_roadmap(roadmap, user=consultant)
    item = roadmap.items.first()
    services.comment_roadmap_item(roadmap, item, f"{SCRIPT} {IMG}", author_name=SCRIPT)

    path = roadmap_links.page_url(roadmap).removeprefix("http://testserver")
    html = client.get(path).content.decode()
    assert not RAW_MARKUP.search(html)
    assert "&lt;script&gt;alert" in html
    pdf = client.get(f"{path}feuille-de-route.pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "<script>alert" in text  # printed as characters, not interpreted
