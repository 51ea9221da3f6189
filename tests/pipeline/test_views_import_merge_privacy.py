"""Admin screens for importing leads, merging organisations and personal data requests."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pipeline.factories import ContactFactory, EngagementFactory, OrganisationFactory
from pipeline.models import Contact, Engagement, Organisation, PrivacyLog

pytestmark = pytest.mark.django_db
IMPORT = "/admin/pipeline/import/"
FILE = (
    "organisation;e-mail;étape\n"
    "Asso Bonne;contact@bonne.org;Qualifié\n"
    "Asso Mauvaise;pas-une-adresse;Qualifié\n"
).encode()


def test_import_screen_checks_then_imports_and_reimport_changes_nothing(client, consultant):
    """Upload → row-by-row report, nothing saved → confirm → saved; the same file again adds
    nothing."""
    client.force_login(consultant)
    check = client.post(IMPORT, {"step": "check", "file": SimpleUploadedFile("leads.csv", FILE)})
    page = check.content.decode()
    assert "Vérification de « leads.csv »" in page
    assert "adresse e-mail invalide « pas-une-adresse »" in page
    assert "Importer la ligne valide" in page
    assert Organisation.objects.count() == 0
    content = check.context["content"]
    done = client.post(IMPORT, {"step": "import", "content": content, "filename": "leads.csv"})
    assert "Import terminé : 1 nouvelle(s) organisation(s)" in done.content.decode()
    assert list(Organisation.objects.values_list("name", flat=True)) == ["Asso Bonne"]
    client.post(IMPORT, {"step": "import", "content": content, "filename": "leads.csv"})
    assert Organisation.objects.count() == 1 and Engagement.objects.count() == 1


def test_import_screen_refuses_unreadable_input_politely(client, consultant):
    """A file without the organisation column, or a tampered confirmation: French messages."""
    client.force_login(consultant)
    response = client.post(
        IMPORT, {"step": "check", "file": SimpleUploadedFile("x.csv", b"nom;ville\na;b\n")}
    )
    assert "Colonne « organisation » introuvable" in response.content.decode()
    response = client.post(IMPORT, {"step": "import", "content": "%%%"})
    assert "illisible" in response.content.decode()
    assert client.get(IMPORT + "?sample=1")["Content-Type"].startswith("text/csv")


def test_merge_screen_merges_the_chosen_duplicate(client, consultant):
    """The merge page suggests the duplicate (same domain) and merges it on confirmation."""
    kept = OrganisationFactory(name="Ville de Montreval", domain="montreval.fr")
    duplicate = OrganisationFactory(name="Mairie Montreval", domain="montreval.fr")
    EngagementFactory(organisation=duplicate)
    client.force_login(consultant)
    page = client.get(f"/admin/pipeline/organisations/{kept.pk}/merge/").content.decode()
    assert "Mairie Montreval" in page and "Doublons probables" in page
    response = client.post(
        f"/admin/pipeline/organisations/{kept.pk}/merge/", {"duplicate": duplicate.pk}, follow=True
    )
    assert "a été fusionnée dans « Ville de Montreval »" in response.content.decode()
    duplicate.refresh_from_db()
    assert duplicate.merged_into == kept
    assert Engagement.objects.get().organisation == kept
    assert "Mairie Montreval" not in client.get("/admin/pipeline/organisations/").content.decode()


def test_contact_export_downloads_json_and_csv_and_is_logged(client, consultant):
    """The contact page offers JSON and CSV exports; each is recorded in the register."""
    contact = ContactFactory(name="Zoé Export", email="zoe@export.fr")
    EngagementFactory(organisation=contact.organisation)
    client.force_login(consultant)
    response = client.get(f"/admin/pipeline/contacts/{contact.pk}/export.json")
    assert json.loads(response.content)["contact"]["email"] == "zoe@export.fr"
    assert "attachment" in response["Content-Disposition"]
    response = client.get(f"/admin/pipeline/contacts/{contact.pk}/export.csv")
    assert "zoe@export.fr" in response.content.decode("utf-8-sig")
    assert PrivacyLog.objects.filter(action="export").count() == 2
    register = client.get("/admin/pipeline/privacy/").content.decode()
    assert "Export" in register


def test_erasure_screen_asks_for_confirmation_then_erases(client, consultant):
    """Erasure needs the word EFFACER typed; then the contact is anonymised."""
    contact = ContactFactory(name="Zoé Efface", email="zoe@efface.fr")
    EngagementFactory(organisation=contact.organisation)
    client.force_login(consultant)
    url = f"/admin/pipeline/contacts/{contact.pk}/erase/"
    assert "Tapez EFFACER pour confirmer" in client.get(url).content.decode()
    response = client.post(url, {"confirm": "oui"})
    assert "Tapez EFFACER pour confirmer." in response.content.decode()
    assert Contact.objects.get(pk=contact.pk).name == "Zoé Efface"
    response = client.post(url, {"confirm": "effacer"}, follow=True)
    assert "Données personnelles effacées" in response.content.decode()
    contact.refresh_from_db()
    assert contact.erased_at and "zoe@efface.fr" not in contact.email
    org_url = f"/admin/pipeline/organisations/{contact.organisation_id}/erase/"
    client.post(org_url, {"confirm": "EFFACER"})
    assert Organisation.objects.get(pk=contact.organisation_id).anonymised_at
