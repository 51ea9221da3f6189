"""Admin forms for organisations, contacts and territory rules validate what people type."""

import pytest

from pipeline import tasks
from pipeline.factories import EngagementFactory, OrganisationFactory
from pipeline.models import Contact, Organisation, TerritoryRule

pytestmark = pytest.mark.django_db


def test_organisation_form_normalises_and_refuses_bad_values(client, consultant):
    """SIREN, postcode, domain, territory and time zone are checked, in French."""
    organisation = EngagementFactory(owner=consultant).organisation
    client.force_login(consultant)
    url = f"/admin/pipeline/organisations/edit/{organisation.pk}/"
    data = {
        "name": "Mairie",
        "kind": "commune_intercommunalite",
        "siren": "21 31 02 554 00017",
        "domain": "WWW.Mairie.fr",
        "postcode": "31000",
        "territory": "",
        "website": "",
        "headcount": "",
        "time_zone": "Europe/Paris",
    }
    assert client.post(url, data).status_code == 302
    organisation.refresh_from_db()
    assert (organisation.siren, organisation.domain, organisation.territory) == (
        "213102554",
        "mairie.fr",
        "31",
    )
    response = client.post(url, {**data, "siren": "12", "time_zone": "Mars/Olympus"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Un SIREN a 9 chiffres" in page and "Fuseau horaire inconnu" in page


def test_contact_created_from_the_admin_records_consent_time(client, consultant):
    """A contact added by hand gets its consent date."""
    organisation = OrganisationFactory()
    client.force_login(consultant)
    response = client.post(
        "/admin/pipeline/contacts/new/",
        {
            "organisation": organisation.pk,
            "name": "Nina Ajout",
            "role": "",
            "email": "nina@ajout.fr",
            "phone": "",
            "consent_contact": "on",
        },
    )
    assert response.status_code == 302
    contact = Contact.objects.get(email="nina@ajout.fr")
    assert contact.consent_contact_at is not None


def test_territory_rule_form_accepts_departments_only(client, superuser, consultant):
    """Territory rules take department numbers and active consultants."""
    client.force_login(superuser)
    response = client.post(
        "/admin/pipeline/territories/new/", {"territory": "2a", "consultant": consultant.pk}
    )
    assert response.status_code == 302
    assert TerritoryRule.objects.get().territory == "2A"
    response = client.post(
        "/admin/pipeline/territories/new/", {"territory": "Lyon", "consultant": consultant.pk}
    )
    assert "numéro de département" in response.content.decode()


def test_retention_task_runs_the_service():
    """The nightly Celery task anonymises nothing when nothing is old enough."""
    EngagementFactory(stage="lost")
    assert tasks.apply_retention() == 0
    assert Organisation.objects.filter(anonymised_at__isnull=False).count() == 0
