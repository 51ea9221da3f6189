"""Placeholders in consultants' e-mails and the templates consultants edit."""

import pytest

from pipeline import placeholders
from pipeline.factories import ContactFactory, EngagementFactory
from pipeline.models import EmailTemplate

pytestmark = pytest.mark.django_db


@pytest.fixture
def context(consultant):
    engagement = EngagementFactory(owner=consultant, organisation__name="Mairie d'Aubusson")
    contact = ContactFactory(organisation=engagement.organisation, name="Marie-Claire Dupont")
    return placeholders.PlaceholderContext(
        engagement=engagement, contact=contact, sender=consultant
    )


def test_names_ignore_case_accents_and_spaces_and_braces_can_be_doubled(context):
    """{Prénom}, { prenom } and {prenom} are the same; {{ and }} write a brace."""
    text = "{Prénom} / { prenom } / {NOM} — {organisation} {{pas une variable}}"
    assert placeholders.render(text, context) == (
        "Marie-Claire / Marie-Claire / Marie-Claire Dupont — Mairie d'Aubusson {pas une variable}"
    )


def test_an_unknown_name_is_reported_with_a_suggestion_and_the_list(context):
    """A typo names the variable, suggests the closest one and lists those that exist."""
    with pytest.raises(placeholders.PlaceholderError) as error:
        placeholders.render("Bonjour {prenon} de {structure}", context)
    message = str(error.value)
    assert "{prenon} (vouliez-vous dire {prenom} ?)" in message
    assert "{structure}" in message and "{lien_rendez_vous}" in message


def test_a_draft_keeps_per_recipient_names_and_links_for_the_sending(context):
    """Partial rendering: meeting facts filled in, {prenom} and the booking link kept."""
    text = "Bonjour {prenom}, voici {lien_rendez_vous} — {organisation} {{x}}"
    kept = placeholders.render(text, context, keep={"prenom", "lien_rendez_vous"})
    assert kept == "Bonjour {prenom}, voici {lien_rendez_vous} — Mairie d'Aubusson {{x}}"
    context.preview = True
    assert placeholders.render(kept, context).endswith("Mairie d'Aubusson {x}")


def test_consultants_edit_templates_and_unknown_variables_are_refused(client, consultant):
    """Pipeline › Modèles d'e-mail: consultants add templates; a bad variable is explained."""
    client.force_login(consultant)
    assert client.get("/admin/pipeline/email-templates/").status_code == 200
    data = {
        "name": "Relance douce",
        "purpose": "general",
        "language": "fr",
        "subject": "Des nouvelles, {organisation} ?",
        "body": "Bonjour {prénon},",
    }
    response = client.post("/admin/pipeline/email-templates/new/", data)
    assert response.status_code == 200
    assert "vouliez-vous dire {prenom}" in response.content.decode()
    response = client.post(
        "/admin/pipeline/email-templates/new/", {**data, "body": "Bonjour {prénom},"}
    )
    assert response.status_code == 302
    assert EmailTemplate.objects.get(name="Relance douce").body == "Bonjour {prénom},"
    crlf = client.post(
        "/admin/pipeline/email-templates/new/", {**data, "name": "x", "subject": "a\r\nBcc: b"}
    )
    assert "une seule ligne" in crlf.content.decode()
