"""GDPR: export of what we hold, erasure everywhere, retention of closed engagements."""

import datetime
import json

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import Revision
from wagtail.search.models import IndexEntry

from audits.models import AuditSubmission
from pipeline import services
from pipeline.factories import ConsultantFactory, ContactFactory, EngagementFactory
from pipeline.models import (
    ActivityKind,
    Contact,
    Engagement,
    Notification,
    NotificationStatus,
    Organisation,
    PrivacyAction,
    PrivacyLog,
)
from pipeline.services import gdpr
from pipeline.stages import LostReason, Stage

pytestmark = pytest.mark.django_db

NAME = "Léa Moreau-Garnier"
EMAIL = "lea.moreau@atelier-bois.coop"
PHONE = "06 12 34 56 78"


def person_answers(**overrides):
    data = {
        "organisation_name": "Scop Atelier Bois",
        "contact_name": NAME,
        "email": EMAIL,
        "phone": PHONE,
        "postcode": "44000",
        "organisation_type": "cooperative",
        "comment": f"Rappelez-moi au {PHONE}, {NAME}",
        "consent_contact": True,
        "current_suite": "google",
    }
    data.update(overrides)
    return data


@pytest.fixture
def audit_page(demo_site):
    return demo_site["audit_page"]


def leave_traces_everywhere(consultant, audit_page):
    """The person as they end up spread over the database in real life."""
    result = services.intake_submission(person_answers(), source="Questionnaire")
    engagement, contact = result.engagement, result.contact
    AuditSubmission.objects.create(
        page=audit_page, form_data=person_answers(), engagement=engagement
    )
    from pipeline import outbox

    outbox.queue_email(
        kind="audit_confirmation",
        to=[EMAIL],
        template="audit_confirmation",
        context={"contact": contact, "organisation": result.organisation, "engagement": engagement},
        idempotency_key="test-confirmation",
        engagement=engagement,
    )
    services.add_note(engagement, f"Appel avec {NAME} ({PHONE})", user=consultant)
    services.add_task(engagement, f"Envoyer le devis à {EMAIL}", user=consultant)
    services.set_next_action(engagement, f"Rappeler {NAME}", None, user=consultant)
    services.move_stage(engagement, Stage.QUALIFIED, user=consultant, note=f"Vu avec {NAME}")
    contact.role = "Gérante"
    contact._history_user = consultant
    contact.save()
    log(contact, "wagtail.edit", user=consultant)
    content_type = ContentType.objects.get_for_model(Contact)
    Revision.objects.create(
        content_type=content_type,
        base_content_type=content_type,
        object_id=str(contact.pk),
        content={"name": NAME, "email": EMAIL, "phone": PHONE},
        object_str=NAME,
    )
    IndexEntry.objects.create(
        content_type=content_type,
        object_id=str(contact.pk),
        title=NAME,
        autocomplete=NAME,
        body=f"{EMAIL} {PHONE}",
    )
    # A consultant's e-mail to the person, and their address flagged after a bounce.
    services.send_email(
        engagement,
        subject="Votre audit, {nom}",
        body="Bonjour {nom},",
        contacts=[Contact.objects.get(pk=contact.pk)],
        user=consultant,
    )
    services.flag_address(EMAIL, f"550 5.1.1 <{EMAIL}>: User unknown")
    return result


def text_columns(model):
    for field in model._meta.concrete_fields:
        if field.is_relation:
            continue
        if isinstance(field, models.JSONField) or field.get_internal_type() in {
            "CharField",
            "TextField",
            "EmailField",
            "URLField",
            "SlugField",
            "JSONField",
        }:
            yield field


def raw(value):
    """StreamField values as their stored JSON."""
    return list(value.raw_data) if hasattr(value, "raw_data") else str(value)


def tables_holding(*needles):
    """Every table (all models from django.apps), every text or JSON column, every row."""
    wanted = [n.lower() for n in needles]
    found = set()
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        fields = list(text_columns(model))
        if not fields:
            continue
        for row in model._base_manager.values_list(*[f.attname for f in fields]):
            for field, value in zip(fields, row, strict=True):
                if value is None:
                    continue
                text = (
                    value
                    if isinstance(value, str)
                    else json.dumps(value, ensure_ascii=False, default=raw)
                )
                for needle in wanted:
                    if needle in text.lower():
                        found.add((model._meta.label, field.name, needle))
    return found


def test_erasure_leaves_no_trace_of_name_email_or_phone_in_any_table(consultant, audit_page):
    """After erasing a person, no column of any table — history, logs, revisions, search index,
    submissions, outbox, timeline — still holds their name, e-mail or phone."""
    result = leave_traces_everywhere(consultant, audit_page)
    digits = PHONE.replace(" ", "")
    assert tables_holding(NAME, EMAIL, PHONE), "the fixture must leave traces to erase"

    erased = services.erase_contact(result.contact, user=consultant)

    assert tables_holding(NAME, EMAIL, PHONE, digits) == set()
    assert erased.total > 0
    engagement = Engagement.objects.get(pk=result.engagement.pk)
    # Aggregated figures stay.
    assert engagement.stage == Stage.QUALIFIED
    assert engagement.answers["current_suite"] == "google"
    assert engagement.answers["organisation_type"] == "cooperative"
    assert "email" not in engagement.answers
    log_row = PrivacyLog.objects.get()
    assert (log_row.action, log_row.subject_id, log_row.performed_by) == (
        PrivacyAction.ERASURE,
        result.contact.pk,
        consultant,
    )
    assert engagement.activities.filter(kind=ActivityKind.PRIVACY).exists()


def test_erasure_stops_messages_still_waiting_for_the_person(consultant, audit_page):
    """A pending message to an erased person is never sent."""
    result = leave_traces_everywhere(consultant, audit_page)
    services.erase_contact(result.contact, user=consultant)
    for message in Notification.objects.filter(engagement=result.engagement):
        assert EMAIL not in message.recipients
        if message.recipients == ["[effacé]"]:
            assert message.status == NotificationStatus.DEAD


def test_organisation_erasure_anonymises_identity_and_every_contact(consultant, audit_page):
    """Erasing an organisation removes its name, its people and its domain; stages remain."""
    result = leave_traces_everywhere(consultant, audit_page)
    colleague = ContactFactory(
        organisation=result.organisation, name="Bruno Colleague", email="bruno@atelier-bois.coop"
    )
    services.erase_organisation(result.organisation, user=consultant)
    assert (
        tables_holding(NAME, EMAIL, "Bruno Colleague", colleague.email, "Scop Atelier Bois")
        == set()
    )
    organisation = Organisation.objects.get(pk=result.organisation.pk)
    assert organisation.anonymised_at and organisation.kind == "cooperative"
    assert Engagement.objects.get(pk=result.engagement.pk).stage == Stage.QUALIFIED


def test_contact_export_holds_their_answers_messages_and_history(consultant, audit_page):
    """The export of a person has their record, submissions, messages and history, as JSON
    and CSV; the export itself is recorded."""
    result = leave_traces_everywhere(consultant, audit_page)
    data = services.export_contact(result.contact, user=consultant)
    assert data["contact"]["email"] == EMAIL
    assert data["submissions"][0]["answers"]["phone"] == PHONE
    assert any(EMAIL in m["recipients"] for m in data["messages"])
    assert [h["type"] for h in data["history"]][:1] == ["création"]
    assert any("role" in h.get("changes", {}) for h in data["history"])
    json.loads(gdpr.as_json(data))
    csv_text = gdpr.as_csv(data)
    assert EMAIL in csv_text and "section;enregistrement;champ;valeur" in csv_text
    assert PrivacyLog.objects.filter(action=PrivacyAction.EXPORT, subject_type="contact").exists()


def test_organisation_export_covers_engagements_timeline_and_history(consultant, audit_page):
    """The organisation export lists contacts, engagements, stage changes, timeline, messages."""
    result = leave_traces_everywhere(consultant, audit_page)
    data = services.export_organisation(result.organisation, user=consultant)
    assert data["organisation"]["name"] == "Scop Atelier Bois"
    assert [c["email"] for c in data["contacts"]] == [EMAIL]
    assert data["engagements"][0]["stage"] == Stage.QUALIFIED
    assert [c["to_stage"] for c in data["stage_changes"]] == [Stage.NEW, Stage.QUALIFIED]
    assert any("Appel avec" in a["summary"] for a in data["activities"])
    assert data["messages"] and data["history"]["engagements"]


def test_csv_export_neutralises_formulas(consultant):
    """A value typed as a formula cannot run when the export is opened in a spreadsheet."""
    result = services.intake_submission(person_answers(comment='=HYPERLINK("http://x")'))
    csv_text = gdpr.as_csv(services.export_organisation(result.organisation, user=consultant))
    assert "'=HYPERLINK" in csv_text
    assert ";=HYPERLINK" not in csv_text and ';"=HYPERLINK' not in csv_text


def test_marketing_cannot_export_or_erase(marketing_user):
    """Personal data exports and erasure are refused to people outside the pipeline."""
    contact = ContactFactory()
    with pytest.raises(PermissionDenied):
        services.export_contact(contact, user=marketing_user)
    with pytest.raises(PermissionDenied):
        services.erase_contact(contact, user=marketing_user)


def test_retention_anonymises_closed_engagements_untouched_for_36_months(consultant, audit_page):
    """Lost or completed and untouched for N months: people anonymised, figures kept; open or
    recent ones are left alone."""
    old = leave_traces_everywhere(consultant, audit_page)
    services.mark_lost(old.engagement, LostReason.BUDGET, user=consultant)
    recent = ContactFactory(name="Recent Person", email="recent@recent.fr")
    EngagementFactory(organisation=recent.organisation, stage=Stage.LOST)
    still_open = ContactFactory(name="Open Person", email="open@open.fr")
    EngagementFactory(organisation=still_open.organisation, stage=Stage.QUALIFIED)

    in_four_years = timezone.now() + datetime.timedelta(days=4 * 365)
    # "Recent" was touched 1 year before that date.
    Engagement.objects.filter(organisation=recent.organisation).update(
        updated_at=in_four_years - datetime.timedelta(days=365)
    )
    assert services.apply_retention(now=in_four_years) == 1
    assert tables_holding(NAME, EMAIL) == set()
    assert Contact.objects.get(pk=recent.pk).name == "Recent Person"
    assert Contact.objects.get(pk=still_open.pk).name == "Open Person"
    assert PrivacyLog.objects.filter(action=PrivacyAction.RETENTION).count() == 1
    assert services.apply_retention(now=in_four_years) == 0


def test_erasing_twice_is_refused_with_a_clear_message(consultant):
    """A second erasure of the same person says it was already done."""
    contact = ContactFactory()
    EngagementFactory(organisation=contact.organisation)
    services.erase_contact(contact, user=consultant)
    with pytest.raises(ValueError, match="déjà été effacées"):
        services.erase_contact(contact, user=consultant)


def test_limited_consultant_cannot_erase_someone_elses_contact(settings):
    """With PIPELINE_CONSULTANTS_SEE_OWN_ONLY, a consultant cannot touch another's organisation."""
    settings.PIPELINE_CONSULTANTS_SEE_OWN_ONLY = True
    mine, other = ConsultantFactory(), ConsultantFactory()
    contact = ContactFactory()
    EngagementFactory(organisation=contact.organisation, owner=other)
    with pytest.raises(PermissionDenied):
        services.erase_contact(contact, user=mine)


def leave_traces_in_a_roadmap(consultant, engagement):
    """Owner names, comments and news of a roadmap, with their history rows."""
    from pipeline.models import Roadmap, RoadmapItem, RoadmapItemStatus
    from pipeline.services import roadmaps

    roadmap = roadmaps.build_roadmap(engagement, start=datetime.date(2027, 1, 1))
    Roadmap.objects.filter(pk=roadmap.pk).update(version=1, published_at=timezone.now())
    roadmap.refresh_from_db()
    item = RoadmapItem.objects.create(
        roadmap=roadmap, title=f"Former {NAME}", target_month=datetime.date(2027, 3, 1), phase=1
    )
    item.owner = "Léa (gérante)"
    item.note = f"Joindre au {PHONE}"
    item.save()
    roadmaps.set_item_status(item, RoadmapItemStatus.DONE, user=consultant)
    roadmaps.organisation_comment(roadmap, item, f"Écrivez-moi à {EMAIL}", author_name="Léa")
    bruno = RoadmapItem.objects.create(
        roadmap=roadmap,
        title="Messagerie",
        target_month=datetime.date(2027, 6, 1),
        phase=4,
        owner="Bruno Colleague",
    )
    bruno.save()
    return roadmap


def test_erasure_covers_roadmaps_and_their_history(consultant, audit_page):
    """A person's name, e-mail, phone and first name leave roadmap steps, comments, news and
    every history row; erasing the organisation also forgets the owners it named."""
    from pipeline.models import RoadmapComment, RoadmapItem

    result = leave_traces_everywhere(consultant, audit_page)
    roadmap = leave_traces_in_a_roadmap(consultant, result.engagement)
    assert {t[0] for t in tables_holding(NAME, EMAIL, PHONE)} >= {
        "pipeline.RoadmapItem",
        "pipeline.HistoricalRoadmapItem",
        "pipeline.RoadmapComment",
        "pipeline.RoadmapUpdate",
    }

    services.erase_contact(result.contact, user=consultant)
    assert tables_holding(NAME, EMAIL, PHONE) == set()
    assert not RoadmapComment.objects.filter(author_name__icontains="Léa").exists()
    assert not RoadmapItem.history.filter(owner__icontains="Léa").exists()

    services.erase_organisation(result.organisation, user=consultant)
    assert tables_holding("Bruno Colleague") == set()
    assert not RoadmapItem.objects.filter(roadmap=roadmap).exclude(owner="").exists()
    assert roadmap.items.filter(status="done").exists()  # the figures stay


def test_organisation_export_includes_its_roadmap(consultant, audit_page):
    """The export of an organisation holds its roadmap, steps and comments."""
    result = leave_traces_everywhere(consultant, audit_page)
    leave_traces_in_a_roadmap(consultant, result.engagement)
    data = services.export_organisation(result.organisation, user=consultant)
    (roadmap,) = data["roadmaps"]
    assert any(i["owner"] == "Léa (gérante)" for i in roadmap["items"])
    assert roadmap["comments"][0]["author_name"] == "Léa"
