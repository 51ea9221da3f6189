"""Writing to the organisation from the engagement page: compose, preview, send, timeline."""

import re
from email import message_from_bytes, policy

import pytest
from django.core import mail

from pipeline import outbox
from pipeline.factories import ContactFactory, EngagementFactory
from pipeline.models import (
    Activity,
    ActivityKind,
    EmailTemplate,
    EngagementEmail,
    Notification,
    NotificationStatus,
)
from pipeline.stages import Stage

pytestmark = pytest.mark.django_db


@pytest.fixture
def engagement(consultant):
    engagement = EngagementFactory(
        owner=consultant, organisation__name="Ressourcerie du Littoral", stage=Stage.QUALIFIED
    )
    ContactFactory(
        organisation=engagement.organisation, name="Julien Roux", email="julien@ressourcerie.fr"
    )
    return engagement


@pytest.fixture
def signed_in(client, consultant):
    consultant.first_name, consultant.last_name = "Camille", "Durand-Lefèvre"
    consultant.save()
    client.force_login(consultant)
    return client


def compose_url(engagement):
    return f"/admin/pipeline/engagements/{engagement.pk}/email/"


def page_url(engagement):
    return f"/admin/pipeline/engagements/inspect/{engagement.pk}/"


def form_values(page: str) -> dict:
    """The hidden fields of the compose form, as the browser would send them back."""
    values = {}
    for name in ("send_key", "preview_hash", "purpose", "meeting", "draft"):
        match = re.search(rf'name="{name}"(?: value="([^"]*)")?', page)
        if match is None:
            match = re.search(rf'value="([^"]*)"[^>]*name="{name}"', page)
        values[name] = (match.group(1) or "") if match else ""
    return values


def compose(client, engagement, **fields):
    page = client.get(compose_url(engagement)).content.decode()
    data = {
        **form_values(page),
        "recipients": [c.pk for c in engagement.organisation.contacts.all()],
        "language": "fr",
        "subject": "Votre audit, {organisation}",
        "body": "Bonjour {prenom},\n\nVoici la suite.\n\n{consultant}",
        **fields,
    }
    return data


def preview_then_send(client, engagement, data):
    preview = client.post(compose_url(engagement), {**data, "intent": "preview"})
    assert preview.status_code == 200
    data = {**data, **form_values(preview.content.decode())}
    assert data["preview_hash"], "the preview must carry its fingerprint"
    return preview, client.post(compose_url(engagement), {**data, "intent": "send"})


def test_consultant_email_goes_through_the_outbox_with_reply_to_and_shows_on_the_timeline(
    signed_in, consultant, engagement
):
    """Compose → preview → send: one outbox row per recipient with Reply-To the consultant and
    From in their name; the timeline shows it with its state, pending then sent."""
    data = compose(signed_in, engagement)
    preview, response = preview_then_send(signed_in, engagement, data)
    text = preview.content.decode()
    assert "Votre audit, Ressourcerie du Littoral" in text
    assert "Bonjour Julien," in text and "Camille Durand-Lefèvre (Passerelle)" in text
    assert response.status_code == 302
    assert response["Location"].startswith(page_url(engagement))

    notification = Notification.objects.get(kind="consultant_message")
    assert notification.status == NotificationStatus.PENDING
    assert notification.reply_to == ["consultant@passerelle.test"]
    assert notification.recipients == ["julien@ressourcerie.fr"]
    page = signed_in.get(page_url(engagement)).content.decode()
    assert "E-mail « Votre audit, Ressourcerie du Littoral » à Julien Roux" in page
    assert "pl-status--pending" in page and "En attente" in page

    outbox.dispatch_due()
    [message] = mail.outbox
    assert message.reply_to == ["consultant@passerelle.test"]
    received = message_from_bytes(message.message().as_bytes(), policy=policy.default)
    assert received["From"].addresses[0].display_name == "Camille Durand-Lefèvre (Passerelle)"
    assert str(received["Reply-To"]) == "consultant@passerelle.test"
    assert message.subject == "Votre audit, Ressourcerie du Littoral"
    assert message.body.startswith("Bonjour Julien,")
    html = message.alternatives[0][0]
    assert "Bonjour Julien," in html and "<html" in html
    page = signed_in.get(page_url(engagement)).content.decode()
    assert "pl-status--sent" in page
    activity = Activity.objects.get(kind=ActivityKind.EMAIL)
    assert activity.actor == consultant and activity.notification == notification


def test_each_recipient_gets_a_personal_message_and_a_double_click_sends_once(
    signed_in, engagement, run_on_commit
):
    """{prenom} differs per person; sending the same form twice queues nothing more."""
    ContactFactory(organisation=engagement.organisation, name="Inès Martin", email="ines@r.fr")
    data = compose(signed_in, engagement)
    preview, _first = preview_then_send(signed_in, engagement, data)
    data = {**data, **form_values(preview.content.decode()), "intent": "send"}
    signed_in.post(compose_url(engagement), data)
    assert EngagementEmail.objects.count() == 1
    assert Notification.objects.filter(kind="consultant_message").count() == 2
    with run_on_commit():
        outbox.dispatch_due()
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert bodies["julien@ressourcerie.fr"].startswith("Bonjour Julien,")
    assert bodies["ines@r.fr"].startswith("Bonjour Inès,")


def test_sending_needs_a_preview_of_exactly_what_is_sent(signed_in, engagement):
    """Text changed after the preview: the page previews again instead of sending."""
    data = compose(signed_in, engagement)
    preview = signed_in.post(compose_url(engagement), {**data, "intent": "preview"})
    data = {**data, **form_values(preview.content.decode())}
    changed = signed_in.post(
        compose_url(engagement), {**data, "body": "Autre texte {prenom}", "intent": "send"}
    )
    assert changed.status_code == 200
    assert "a changé depuis l" in changed.content.decode()
    assert "Autre texte Julien" in changed.content.decode()
    never = signed_in.post(compose_url(engagement), {**data, "preview_hash": "", "intent": "send"})
    assert "Relisez l" in never.content.decode()
    assert not Notification.objects.exists()


ALL = ("preview", "send", "save")


@pytest.mark.parametrize(
    "fields, error, actions",
    [
        ({"subject": "Bonjour\r\nBcc: victim@example.org"}, "une seule ligne", ALL),
        ({"body": "Bonjour {prénon}"}, "vouliez-vous dire {prenom}", ALL),
        ({"subject": "Suivi {date_rdv}"}, "Variable inconnue : {date_rdv}", ALL),
        ({"recipients": ["999999999999999999999"]}, "Corrigez les erreurs", ALL),
        ({"language": "xx"}, "Corrigez les erreurs", ALL),
        ({"recipients": []}, "au moins un destinataire", ("preview", "send")),
        ({"body": "   "}, "Le message est vide", ("preview", "send")),
    ],
)
def test_bad_input_gets_a_clear_french_message_and_nothing_is_sent(
    signed_in, engagement, fields, error, actions
):
    """CRLF in the subject, unknown placeholders, no recipient: a message, never a 500."""
    data = compose(signed_in, engagement, **fields)
    for action in actions:
        response = signed_in.post(compose_url(engagement), {**data, "intent": action})
        assert response.status_code == 200, action
        assert error in response.content.decode(), action
    assert not Notification.objects.exists()
    assert not EngagementEmail.objects.exists()


def test_html_typed_in_the_message_is_escaped_in_the_preview_the_email_and_the_timeline(
    signed_in, engagement
):
    """A consultant's text (or an organisation's name) never becomes markup."""
    engagement.organisation.name = "Asso <b>Gras</b>"
    engagement.organisation.save()
    body = "Bonjour {prenom}, <script>alert(1)</script> & {organisation}"
    data = compose(signed_in, engagement, body=body, subject="<i>Sujet</i>")
    preview, _response = preview_then_send(signed_in, engagement, data)
    text = preview.content.decode()
    assert "<script>alert(1)</script>" not in text
    assert "&lt;i&gt;Sujet&lt;/i&gt;" in text
    # The e-mail's HTML sits escaped in a sandboxed iframe's srcdoc, never in the admin page.
    assert re.search(r'<iframe class="pl-preview__frame" sandbox="" srcdoc="&lt;!DOCTYPE', text)
    assert "<table role=" not in text
    outbox.dispatch_due()
    html = mail.outbox[0].alternatives[0][0]
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;Gras&lt;/b&gt;" in html
    assert mail.outbox[0].body.count("<script>") == 1  # the text part stays as written
    page = signed_in.get(page_url(engagement)).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_only_contacts_who_consented_can_be_chosen(signed_in, engagement):
    """A contact without consent is listed greyed out, and refused if forced into the form."""
    refused = ContactFactory(
        organisation=engagement.organisation, name="Sans Accord", consent_contact=False
    )
    page = signed_in.get(compose_url(engagement)).content.decode()
    assert re.search(rf'value="{refused.pk}" id="recipient-{refused.pk}"[^>]*disabled', page)
    assert "accepté d&#x27;être recontacté·e" in page
    data = compose(signed_in, engagement, recipients=[refused.pk])
    response = signed_in.post(compose_url(engagement), {**data, "intent": "preview"})
    assert "Sans Accord ne peut pas recevoir d&#x27;e-mail" in response.content.decode()
    assert not Notification.objects.exists()


def test_a_template_fills_the_form_and_english_is_possible(signed_in, engagement):
    """Choosing a template replaces subject and body; the e-mail's frame follows its language."""
    template = EmailTemplate.objects.create(
        name="Relance EN", language="en", subject="Hello {prenom}", body="Dear {nom},\n\nBye"
    )
    data = compose(signed_in, engagement, template=template.pk)
    loaded = signed_in.post(compose_url(engagement), {**data, "intent": "load"}).content.decode()
    assert 'value="Hello {prenom}"' in loaded and "Dear {nom}," in loaded
    data.update(subject="Hello {prenom}", body="Dear {nom},\n\nBye", language="en")
    preview_then_send(signed_in, engagement, data)
    outbox.dispatch_due()
    html = mail.outbox[0].alternatives[0][0]
    assert mail.outbox[0].subject == "Hello Julien"
    assert '<html lang="en">' in html  # the frame follows the message's language
    assert EngagementEmail.objects.get().language == "en"


def test_a_draft_is_kept_then_sent_or_discarded(signed_in, engagement):
    """Saving keeps a draft shown on the engagement page; sending it turns it into the sent
    message; another draft can be thrown away."""
    data = compose(signed_in, engagement, subject="Brouillon {organisation}")
    response = signed_in.post(compose_url(engagement), {**data, "intent": "save"})
    draft = EngagementEmail.objects.get(status="draft")
    assert response["Location"].endswith(f"?draft={draft.pk}")
    assert "Brouillon {organisation}" in signed_in.get(page_url(engagement)).content.decode()
    page = signed_in.get(f"{compose_url(engagement)}?draft={draft.pk}").content.decode()
    data = {**data, **form_values(page)}
    assert data["draft"] == str(draft.pk)
    preview_then_send(signed_in, engagement, data)
    draft.refresh_from_db()
    assert draft.status == "sent" and EngagementEmail.objects.count() == 1

    other = compose(signed_in, engagement, subject="À jeter")
    signed_in.post(compose_url(engagement), {**other, "intent": "save"})
    thrown = EngagementEmail.objects.get(status="draft")
    signed_in.post(compose_url(engagement), {**other, "draft": thrown.pk, "intent": "discard"})
    assert not EngagementEmail.objects.filter(pk=thrown.pk).exists()


def test_a_consultant_without_an_address_is_told_replies_could_not_reach_them(
    signed_in, consultant, engagement
):
    """Reply-To must be a real address: without one, a clear message and nothing sent."""
    consultant.email = ""
    consultant.save()
    data = compose(signed_in, engagement)
    response = signed_in.post(compose_url(engagement), {**data, "intent": "preview"})
    assert "pas d&#x27;adresse e-mail" in response.content.decode()
    assert not Notification.objects.exists()


def test_others_engagements_and_marketing_cannot_use_the_compose_page(
    client, marketing_user, engagement, settings
):
    """Marketing is refused; with the own-only setting, a colleague's engagement is a 404."""
    client.force_login(marketing_user)
    response = client.get(compose_url(engagement))
    assert response.status_code == 302 and response["Location"] == "/admin/"  # Wagtail's refusal
    settings.PIPELINE_CONSULTANTS_SEE_OWN_ONLY = True
    from pipeline.factories import ConsultantFactory

    client.force_login(ConsultantFactory())
    assert client.get(compose_url(engagement)).status_code == 404
