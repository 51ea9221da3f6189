"""The engagement list: search, filters, sortable columns, CSV/XLSX exports that are safe."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from pipeline.factories import ConsultantFactory, ContactFactory, EngagementFactory
from pipeline.models import Engagement
from pipeline.stages import Stage

pytestmark = pytest.mark.django_db
LIST = "/admin/pipeline/engagements/"


@pytest.fixture
def engagements(consultant):
    first = EngagementFactory(
        owner=consultant,
        organisation__name='=HYPERLINK("http://pirate")',
        organisation__kind="association",
        stage=Stage.QUALIFIED,
        score=40,
        next_action="+33 rappeler",
    )
    ContactFactory(organisation=first.organisation, name="@Jeanne", email="jeanne@velo.fr")
    second = EngagementFactory(
        organisation__name="Mairie de Vaulx",
        organisation__kind="commune_intercommunalite",
        stage=Stage.LOST,
        lost_from_stage=Stage.NEW,
        lost_reason="budget",
        score=90,
    )
    ContactFactory(organisation=second.organisation, email="dgs@vaulx.fr")
    return first, second


def names(client, query=""):
    page = client.get(LIST + query).content.decode()
    return [n for n in ("HYPERLINK", "Mairie de Vaulx") if n in page]


def test_search_filters_and_sorting(client, consultant, engagements):
    """Search by organisation or contact e-mail, filter by stage and type, sort by score."""
    client.force_login(consultant)
    assert names(client) == ["HYPERLINK", "Mairie de Vaulx"] or set(names(client)) == {
        "HYPERLINK",
        "Mairie de Vaulx",
    }
    assert names(client, "?q=vaulx") == ["Mairie de Vaulx"]
    assert names(client, "?q=jeanne%40velo") == ["HYPERLINK"]
    assert names(client, "?stage=lost") == ["Mairie de Vaulx"]
    assert names(client, "?kind=association") == ["HYPERLINK"]
    assert names(client, "?owner=me") == ["HYPERLINK"]
    page = client.get(LIST + "?ordering=-score").content.decode()
    assert page.index("Mairie de Vaulx") < page.index("HYPERLINK")
    page = client.get(LIST + "?ordering=score").content.decode()
    assert page.index("HYPERLINK") < page.index("Mairie de Vaulx")


def test_csv_export_has_readable_labels_and_no_formula(client, consultant, engagements):
    """Headings and values are human labels; cells starting with = + - @ are neutralised."""
    client.force_login(consultant)
    response = client.get(LIST + "?export=csv&ordering=organisation__name")
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["Organisation", "Étape", "Consultant·e", "Type de structure"]
    by_name = {row[0]: row for row in rows[1:]}
    pirate = by_name['\'=HYPERLINK("http://pirate")']
    assert pirate[1] == "Qualifié" and pirate[3] == "Association"
    assert pirate[rows[0].index("Prochaine action")] == "'+33 rappeler"
    assert pirate[rows[0].index("Contact")] == "'@Jeanne"
    vaulx = by_name["Mairie de Vaulx"]
    assert vaulx[1] == "Perdu" and vaulx[rows[0].index("Raison de la perte")] == "Budget"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_xlsx_export_keeps_formulas_as_text(client, consultant, engagements):
    """The XLSX export has the same labels, and a value like =HYPERLINK stays text."""
    client.force_login(consultant)
    response = client.get(LIST + "?export=xlsx")
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    headings = [cell.value for cell in sheet[1]]
    assert headings[:2] == ["Organisation", "Étape"]
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    pirate = next(c for c in cells if c.value and "HYPERLINK" in str(c.value))
    assert pirate.data_type == "s"
    assert "Qualifié" in [c.value for c in cells]


def test_list_queries_do_not_grow_with_organisations(client, consultant):
    """Listing, filtering and exporting: same number of queries at 5 and 50 organisations."""
    client.force_login(consultant)

    def add(count):
        for index in range(count):
            engagement = EngagementFactory(owner=ConsultantFactory() if index % 2 else None)
            ContactFactory(organisation=engagement.organisation)

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            assert response.status_code == 200
            if response.streaming:
                b"".join(response.streaming_content)
        return len(captured)

    urls = [LIST, LIST + "?q=a&score=low&overdue=false", LIST + "?export=csv"]
    add(5)
    small = [queries(url) for url in urls]
    add(45)
    assert [queries(url) for url in urls] == small


# PostgreSQL streams through a server-side cursor: "DECLARE … CURSOR … FOR SELECT …".
ENGAGEMENT_ROWS = 'SELECT "pipeline_engagement"."id"'


def _export_peak(client, chunks: list[int]) -> tuple[int, int]:
    """Rows of the streamed CSV export and the peak traced memory while it is read."""
    import tracemalloc

    response = client.get(LIST + "?export=csv")
    assert response.streaming
    tracemalloc.start()
    start, _ = tracemalloc.get_traced_memory()
    rows = 0
    for chunk in response.streaming_content:
        rows += chunk.count(b"\n")
        chunks.append(len(chunk))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return rows - 1, peak - start


def test_csv_export_is_read_in_chunks_while_it_streams(client, consultant, monkeypatch):
    """The CSV export loads no row before it streams, then reads them a chunk at a time: the
    memory it needs stays flat whether it sends 20 or 620 engagements, in one query."""
    from pipeline import random_data
    from pipeline.views.engagements import EngagementIndexView

    monkeypatch.setattr(EngagementIndexView, "export_chunk_size", 20)
    client.force_login(consultant)
    random_data.create(20, extras=False)
    with CaptureQueriesContext(connection) as before_streaming:
        client.get(LIST + "?export=csv")
    assert not [q for q in before_streaming if ENGAGEMENT_ROWS in q["sql"]]

    small_rows, small_peak = _export_peak(client, [])
    random_data.create(600, extras=False)
    with CaptureQueriesContext(connection) as streaming:
        big_rows, big_peak = _export_peak(client, [])
    assert (small_rows, big_rows) == (20, 620)
    assert len([q for q in streaming if ENGAGEMENT_ROWS in q["sql"]]) == 1
    # Loading the 620 rows at once takes well over a megabyte; a chunk of 20, a few dozen kB.
    assert big_peak < small_peak + 300_000, (small_peak, big_peak)


def test_organisation_contact_task_and_message_searches_find_by_their_fields(client, consultant):
    """Each listing's search box matches the fields it promises, and nothing else."""
    from pipeline import services
    from pipeline.factories import ContactFactory, EngagementFactory, OrganisationFactory
    from pipeline.models import Notification

    client.force_login(consultant)
    organisation = OrganisationFactory(name="Mairie de Quimperlé", postcode="29300")
    OrganisationFactory(name="Association Vélo")
    ContactFactory(organisation=organisation, name="Maëlle Le Goff", email="mlg@quimperle.test")
    engagement = EngagementFactory(organisation=organisation, owner=consultant)
    services.add_task(engagement, "Relancer la DGS", user=consultant)
    Notification.objects.create(
        kind="other", idempotency_key="search-1", engagement=engagement, subject="Compte rendu"
    )
    for url, query, expected in (
        ("/admin/pipeline/organisations/", "29300", "Mairie de Quimperlé"),
        ("/admin/pipeline/contacts/", "mlg@quimperle", "Maëlle Le Goff"),
        ("/admin/pipeline/tasks/", "DGS", "Relancer la DGS"),
        ("/admin/pipeline/notifications/", "Compte rendu", "Compte rendu"),
    ):
        content = client.get(url, {"q": query}).content.decode()
        assert expected in content, url
        assert "Association Vélo" not in content, url


def test_default_order_is_read_from_an_index_not_sorted(engagements):
    """The list's default order (newest first, then id) walks an index: its first page
    never sorts the whole table, however many organisations there are."""
    first_page = Engagement.objects.order_by("-created_at", "-pk")[:50]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # A few rows would be sorted in memory; forbid that to see what the index allows.
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_sort = off")
            plan = first_page.explain()
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_sort")
        assert "engagement_created_idx" in plan
        assert "Sort" not in plan.replace("Sort Key", "")
    else:
        plan = first_page.explain()
        assert "engagement_created_idx" in plan
        assert "TEMP B-TREE" not in plan.upper()
