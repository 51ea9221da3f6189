import pytest

from pipeline import services
from pipeline.models import Contact, Engagement, Organisation
from pipeline.stages import Stage

pytestmark = pytest.mark.django_db


def answers(**overrides):
    data = {
        "organisation_name": "Les Amis du Vélo",
        "contact_name": "Jeanne Dupont",
        "email": "jeanne@amis-du-velo.fr",
        "postcode": "69007",
        "organisation_type": "association",
        "consent_contact": True,
    }
    data.update(overrides)
    return data


def test_intake_creates_organisation_contact_and_new_engagement(consultant):
    """First submission: one organisation, one contact, one engagement in `new`, owned."""
    result = services.intake_submission(answers())
    assert result.created_organisation and result.created_engagement
    organisation = result.organisation
    assert (organisation.domain, organisation.territory, organisation.kind) == (
        "amis-du-velo.fr",
        "69",
        "association",
    )
    assert result.engagement.stage == Stage.NEW
    assert result.engagement.owner == consultant
    assert result.contact.consent_contact and result.contact.consent_contact_at


def test_same_domain_twice_is_one_organisation_with_one_open_engagement(consultant):
    """A colleague from the same domain joins the existing organisation and engagement."""
    services.intake_submission(answers())
    second = services.intake_submission(
        answers(contact_name="Paul Martin", email="paul@amis-du-velo.fr", organisation_name="AMV")
    )
    assert not second.created_organisation and not second.created_engagement
    assert Organisation.objects.count() == 1
    assert Engagement.objects.count() == 1
    assert Contact.objects.count() == 2


def test_webmail_addresses_do_not_merge_different_organisations():
    """Two associations on gmail.com stay two organisations."""
    services.intake_submission(answers(email="a@gmail.com", organisation_name="Asso A"))
    services.intake_submission(answers(email="b@gmail.com", organisation_name="Asso B"))
    assert Organisation.objects.count() == 2


def test_webmail_organisation_is_recognised_by_name_and_postcode():
    """Without a domain, the same name in the same postcode is the same organisation."""
    services.intake_submission(answers(email="a@gmail.com", organisation_name="Mairie d'Éze"))
    services.intake_submission(answers(email="b@orange.fr", organisation_name="MAIRIE D'EZE"))
    assert Organisation.objects.count() == 1


def test_siren_identifies_the_organisation_first():
    """A SIRET maps to its SIREN and wins over a different domain."""
    services.intake_submission(answers(siren="123 456 789"))
    services.intake_submission(
        answers(email="x@autre-domaine.fr", organisation_name="Autre nom", siren="12345678900012")
    )
    assert Organisation.objects.count() == 1


def test_overseas_postcode_sets_the_local_time_zone():
    """Réunion is not on Paris time."""
    result = services.intake_submission(answers(postcode="97410", email="m@saintpierre974.re"))
    assert result.organisation.territory == "974"
    assert result.organisation.time_zone == "Indian/Reunion"


def test_unanswered_optional_questions_stay_empty_not_none(consultant):
    """An answer given as None (a question left out or hidden) is stored as "", never as the
    text "None"; the contact's language is the questionnaire's."""
    result = services.intake_submission(
        answers(phone=None, role=None, siren=None, headcount=None), language="en"
    )
    contact = result.contact
    assert (contact.phone, contact.role, contact.language) == ("", "", "en")
    assert result.organisation.headcount == "" and result.organisation.siren == ""
