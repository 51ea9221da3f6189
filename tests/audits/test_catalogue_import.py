import copy
from io import StringIO

import pytest
from django.core.management import call_command

from audits.catalogue_import import import_catalogue, load_catalogue_file
from audits.models import Alternative, Host, Phase, Tool, Usage

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_catalogue")]


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue_file()


@pytest.fixture
def empty_catalogue():
    """The session imports the catalogue once; these tests start from nothing."""
    for model in (Alternative, Tool, Usage, Host, Phase):
        model.objects.all().delete()


def counts():
    return [m.objects.count() for m in (Phase, Usage, Tool, Host, Alternative)]


def test_import_loads_everything_once_and_twice_changes_nothing(catalogue):
    """The shipped catalogue imports fully; importing again creates no duplicate."""
    first = import_catalogue(catalogue)
    assert counts() == [6, 18, 176, 19, 88]
    assert first.total("created") == sum(counts())
    second = import_catalogue(catalogue)
    assert counts() == [6, 18, 176, 19, 88]
    assert second.total("created") == second.total("updated") == 0


def test_reimport_updates_untouched_rows_and_keeps_local_edits(catalogue):
    """A changed file updates rows nobody edited; a row edited here is kept and flagged."""
    import_catalogue(catalogue)
    zoom = Tool.objects.get(slug="zoom")
    zoom.note = "Vu avec le client : contrat jusqu'en juin."
    zoom.save()

    changed = copy.deepcopy(catalogue)
    for tool in changed["tools"]:
        if tool["slug"] in {"zoom", "slack"}:
            tool["vendor"] = "Nouvel éditeur"
    report = import_catalogue(changed)

    zoom.refresh_from_db()
    assert zoom.note == "Vu avec le client : contrat jusqu'en juin."
    assert zoom.vendor != "Nouvel éditeur"
    assert zoom.locally_edited
    assert Tool.objects.get(slug="slack").vendor == "Nouvel éditeur"
    assert any("Zoom" in entry for entry in report.kept_local)


def test_alternatives_keep_the_file_order(catalogue):
    """Targets stay in the recommended order of tools.yaml."""
    import_catalogue(catalogue)
    gmail = Alternative.objects.get(from_tool__slug="gmail", usage__slug="email")
    assert [t.tool.slug for t in gmail.targets.all()][:2] == ["la-suite-messages", "bluemind"]


def test_import_command_reports_in_french():
    """The command prints a French summary."""
    output = StringIO()
    call_command("import_catalogue", stdout=output)
    assert "Catalogue importé : 307 créés" in output.getvalue()


def test_questionnaire_grid_is_imported_in_order_and_local_edits_are_kept(catalogue):
    """The tools offered per usage come from questionnaire.yaml, in order; a grid edited in
    the admin survives a re-import (and is flagged)."""
    from audits.catalogue_data import questionnaire_grid

    import_catalogue(catalogue)
    rows = {row.usage: [option.value for option in row.options] for row in questionnaire_grid()}
    assert len(rows) == 13
    assert rows["visio"] == ["zoom", "google-meet", "microsoft-teams", "webex", "autre", "aucun"]

    visio = Usage.objects.get(slug="visio")
    visio.questionnaire_tools.filter(tool__slug="webex").delete()
    report = import_catalogue(catalogue)
    assert report.total("updated") == 0
    assert Usage.objects.get(slug="visio").locally_edited
    rows = {row.usage: [option.value for option in row.options] for row in questionnaire_grid()}
    assert "webex" not in rows["visio"]
    assert "webex" in rows["chat"] or "slack" in rows["chat"]
