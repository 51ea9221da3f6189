"""Importing existing leads from a CSV file."""

import pytest
from django.core import mail

from pipeline import services
from pipeline.factories import ConsultantFactory, OrganisationFactory
from pipeline.models import ActivityKind, Contact, Engagement, Organisation, StageChange
from pipeline.services.importing import RowStatus
from pipeline.stages import LostReason, Stage

pytestmark = pytest.mark.django_db

# fmt: off
GOOD_AND_BAD = """organisation;type;code postal;contact;fonction;e-mail;téléphone;étape;consultant;échéance;prochaine action;note
Mairie de Vaulx;Commune / intercommunalité;69120;Anne Roy;DGS;anne.roy@vaulx.fr;04 72 00 00 00;Qualifié;camille;15/03/2027;Rappeler;Vue au salon
Asso Vélo;association;69007;Jo Vélo;Présidente;jo@velo.org;;Rendez-vous tenu;;;;
;association;69007;Sans Nom;;sans@nom.fr;;;;;;
Coop Erreurs;coopérative;ABC;Eve;;pas-une-adresse;;Signé;inconnu;31/02/2027;;
Scop Perdue;cooperative;44000;Luc;;luc@perdue.coop;;Perdu;;;;
"""  # noqa: E501
# fmt: on


@pytest.fixture
def camille(db):
    return ConsultantFactory(username="camille", first_name="Camille", last_name="Durand")


def test_dry_run_reports_each_bad_row_and_writes_nothing(camille):
    """The dry run lists every row with what it would do and each error, and saves nothing."""
    report = services.import_leads(GOOD_AND_BAD.encode(), user=camille, dry_run=True)
    statuses = [(row.line, row.status) for row in report.rows]
    assert statuses == [
        (2, RowStatus.CREATED),
        (3, RowStatus.CREATED),
        (4, RowStatus.ERROR),
        (5, RowStatus.ERROR),
        (6, RowStatus.CREATED),
    ]
    bad = report.rows[3].messages
    assert any("code postal invalide « ABC »" in m for m in bad)
    assert any("adresse e-mail invalide « pas-une-adresse »" in m for m in bad)
    assert any("étape inconnue « Signé »" in m for m in bad)
    assert any("consultant·e inconnu·e « inconnu »" in m for m in bad)
    assert any("date invalide « 31/02/2027 »" in m for m in bad)
    assert report.rows[2].messages == ["le nom de l'organisation est vide"]
    assert Organisation.objects.count() == 0 and Engagement.objects.count() == 0


def test_import_creates_valid_rows_and_running_it_again_creates_nothing(camille, run_on_commit):
    """Valid rows become organisations, contacts and engagements at the given stage; the
    same file imported twice creates no duplicate."""
    with run_on_commit():
        report = services.import_leads(
            GOOD_AND_BAD.encode(), user=camille, dry_run=False, filename="leads.csv"
        )
    assert report.counts[RowStatus.CREATED] == 3 and len(report.errors) == 2
    vaulx = Engagement.objects.get(organisation__name="Mairie de Vaulx")
    assert (vaulx.stage, vaulx.owner, vaulx.next_action, str(vaulx.next_action_due)) == (
        Stage.QUALIFIED,
        camille,
        "Rappeler",
        "2027-03-15",
    )
    assert (
        vaulx.organisation.territory == "69"
        and vaulx.organisation.kind == "commune_intercommunalite"
    )
    assert vaulx.activities.filter(kind=ActivityKind.IMPORT).exists()
    assert vaulx.activities.get(kind=ActivityKind.NOTE).body == "Vue au salon"
    assert StageChange.objects.get(engagement=vaulx).to_stage == Stage.QUALIFIED
    assert vaulx.history.first().history_user == camille
    lost = Engagement.objects.get(organisation__name="Scop Perdue")
    assert (lost.stage, lost.lost_from_stage, lost.lost_reason) == (
        Stage.LOST,
        Stage.NEW,
        LostReason.OTHER,
    )
    counts = (Organisation.objects.count(), Contact.objects.count(), Engagement.objects.count())

    again = services.import_leads(GOOD_AND_BAD.encode(), user=camille, dry_run=False)
    assert [r.status for r in again.rows if not r.is_error] == [RowStatus.UNCHANGED] * 3
    assert (
        Organisation.objects.count(),
        Contact.objects.count(),
        Engagement.objects.count(),
    ) == counts


def test_import_completes_known_organisations_without_a_second_engagement(camille):
    """A known organisation (same domain) gets the new contact, not a second engagement."""
    known = OrganisationFactory(name="Mairie de Vaulx", domain="vaulx.fr", postcode="")
    Engagement.objects.create(organisation=known, stage=Stage.MEETING_HELD)
    data = "organisation;email;code postal\nMairie de Vaulx en Velin;elu@vaulx.fr;69120\n"
    report = services.import_leads(data.encode(), user=camille, dry_run=False)
    assert report.rows[0].status == RowStatus.UPDATED
    assert Engagement.objects.get().stage == Stage.MEETING_HELD
    known.refresh_from_db()
    assert known.postcode == "69120" and known.contacts.get().email == "elu@vaulx.fr"


def test_owners_of_imported_engagements_get_one_email_each(camille, run_on_commit):
    """One summary e-mail per consultant, not one per row."""
    other = ConsultantFactory(username="paul", email="paul@passerelle.test")
    data = "organisation;consultant\nA;paul\nB;paul\nC;camille\n"
    with run_on_commit():
        services.import_leads(data.encode(), user=camille, dry_run=False)
    assert [m.to for m in mail.outbox] == [[other.email]]
    assert "2 accompagnements importés" in mail.outbox[0].subject


def test_unreadable_files_are_refused_with_a_clear_message(camille):
    """No organisation column, or an empty file: a French message, nothing imported."""
    with pytest.raises(services.ImportFileError, match="Colonne « organisation » introuvable"):
        services.import_leads(b"nom;ville\nx;y\n", user=camille)
    with pytest.raises(services.ImportFileError, match="vide"):
        services.import_leads(b"", user=camille)


def test_excel_style_files_are_read(camille):
    """Windows-1252 encoding and comma separators from older spreadsheets work too."""
    data = "organisation,contact,email\nCrèche Les Pétales,Zoé,zoe@petales.fr\n".encode("cp1252")
    report = services.import_leads(data, user=camille, dry_run=False)
    assert report.rows[0].status == RowStatus.CREATED
    assert Organisation.objects.get().name == "Crèche Les Pétales"


def test_marketing_cannot_import(marketing_user):
    """Importing leads is a pipeline right."""
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.import_leads(b"organisation\nA\n", user=marketing_user)
