"""Roadmap services: draft, publish, new link, the organisation's actions, digests, completion."""

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.utils import timezone

from pipeline import services
from pipeline.models import (
    ActivityKind,
    Notification,
    NotificationKind,
    Roadmap,
    RoadmapItem,
    RoadmapItemStatus,
    RoadmapUpdate,
)
from pipeline.services import roadmaps
from pipeline.stages import Stage
from tests.pipeline.roadmaps import (
    START,
    engagement_for_roadmap,
    link_from,
    published_roadmap,
)

pytestmark = pytest.mark.django_db


def test_draft_is_generated_from_the_answers_and_moves_the_stage(consultant):
    """After the meeting, the draft has one step per usage in use, the commune's State tools,
    months counted from the start, and the engagement moves to "roadmap_draft"."""
    engagement = engagement_for_roadmap(consultant)
    roadmap = services.generate_roadmap_draft(engagement, user=consultant, start=START)
    engagement.refresh_from_db()
    assert engagement.stage == Stage.ROADMAP_DRAFT
    items = list(roadmap.items.select_related("usage", "target_tool"))
    assert {i.usage.slug for i in items if i.usage} >= {"email", "visio", "chat", "files"}
    visio = next(i for i in items if i.usage and i.usage.slug == "visio")
    assert (visio.target_tool.slug, visio.state_instance, visio.phase) == ("la-suite-meet", True, 1)
    assert visio.target_month == datetime.date(2027, 2, 1)
    assert visio.next_step and visio.change_actions
    assert roadmap.summary.startswith("Nous vous proposons")
    assert engagement.activities.filter(kind=ActivityKind.ROADMAP).exists()
    assert roadmap.current_score == engagement.score  # nothing done yet
    assert RoadmapItem.history.filter(roadmap_id=roadmap.pk).count() == len(items)


def test_draft_waits_for_the_meeting_and_is_not_made_twice(consultant):
    """Before the meeting is held, or when one already exists, drafting is refused in French."""
    early = engagement_for_roadmap(consultant, stage=Stage.QUALIFIED)
    with pytest.raises(services.RoadmapError, match="après le rendez-vous"):
        services.generate_roadmap_draft(early, user=consultant)
    engagement = engagement_for_roadmap(consultant, name="Autre mairie")
    services.generate_roadmap_draft(engagement, user=consultant, start=START)
    with pytest.raises(services.RoadmapError, match="déjà une feuille de route"):
        services.generate_roadmap_draft(engagement, user=consultant)
    again = services.generate_roadmap_draft(engagement, user=consultant, replace=True)
    assert Roadmap.objects.filter(engagement=engagement).count() == 1 and again.items.exists()


def test_marketing_may_not_draft_or_publish(consultant, marketing_user):
    """Roadmaps are the consultants' work."""
    engagement = engagement_for_roadmap(consultant)
    with pytest.raises(PermissionDenied):
        services.generate_roadmap_draft(engagement, user=marketing_user)
    roadmap = services.generate_roadmap_draft(engagement, user=consultant, start=START)
    with pytest.raises(PermissionDenied):
        services.publish_roadmap(roadmap, user=marketing_user)


def test_consultants_limited_to_their_own_engagements(consultant, settings):
    """With PIPELINE_CONSULTANTS_SEE_OWN_ONLY, a colleague's roadmap is out of reach."""
    from pipeline.factories import ConsultantFactory

    settings.PIPELINE_CONSULTANTS_SEE_OWN_ONLY = True
    engagement = engagement_for_roadmap(ConsultantFactory())
    with pytest.raises(PermissionDenied):
        services.generate_roadmap_draft(engagement, user=consultant)


def test_publish_emails_each_contact_a_link_that_opens_the_page(client, consultant, run_on_commit):
    """Publish → "roadmap_shared", one e-mail per contact with a private link → the page shows
    the roadmap."""
    with run_on_commit():
        roadmap = published_roadmap(consultant, contacts=2)
    engagement = roadmap.engagement
    engagement.refresh_from_db()
    assert engagement.stage == Stage.ROADMAP_SHARED
    assert roadmap.version == 1 and roadmap.published_at
    assert len(mail.outbox) == 2
    assert {m.to[0] for m in mail.outbox} == {
        "contact0@bellecombe.test",
        "contact1@bellecombe.test",
    }
    message = mail.outbox[0]
    assert "Votre feuille de route" in message.subject
    assert message.reply_to == [consultant.email]
    page = client.get(link_from(message)).content.decode()
    assert "Mairie de Bellecombe" in page
    for item in roadmap.items.all():
        assert item.title.replace("'", "&#x27;") in page


def test_publishing_needs_a_step_and_a_contact(consultant):
    """Nothing to send, or nobody to send it to: a clear refusal, nothing half-done."""
    engagement = engagement_for_roadmap(consultant, contacts=0)
    roadmap = services.generate_roadmap_draft(engagement, user=consultant, start=START)
    with pytest.raises(services.RoadmapError, match="Aucun contact"):
        services.publish_roadmap(roadmap, user=consultant)
    roadmap.refresh_from_db()
    assert roadmap.version == 0
    roadmap.items.all().delete()
    with pytest.raises(services.RoadmapError, match="au moins une étape"):
        services.publish_roadmap(roadmap, user=consultant)


def test_regenerated_link_replaces_the_old_one(client, consultant, run_on_commit):
    """After "refaire le lien", the old link is a 404 with the resend form; the new one works."""
    with run_on_commit():
        roadmap = published_roadmap(consultant)
    old = link_from(mail.outbox[-1])
    assert client.get(old).status_code == 200
    with run_on_commit():
        result = services.regenerate_roadmap_link(roadmap, user=consultant)
    assert result.sent == 1
    new = link_from(mail.outbox[-1])
    assert "remplacé le lien" in mail.outbox[-1].body
    response = client.get(old)
    assert response.status_code == 404
    assert "Recevoir un nouveau lien" in response.content.decode()
    assert client.get(new).status_code == 200


def test_an_expired_link_offers_to_send_a_new_one(client, consultant, run_on_commit):
    """Past ROADMAP_LINK_DAYS the link is dead; the form e-mails a fresh one to a known
    address and answers the same for an unknown one."""
    with run_on_commit():
        published_roadmap(consultant)
    old = link_from(mail.outbox[-1])
    from pipeline.models import AccessToken

    AccessToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(old).status_code == 404
    with run_on_commit():
        known = client.post(
            "/feuille-de-route/nouveau-lien/", {"email": "contact0@bellecombe.test"}
        )
        unknown = client.post("/feuille-de-route/nouveau-lien/", {"email": "inconnu@ailleurs.fr"})
    assert known.content == unknown.content and known.status_code == 200
    assert client.get(link_from(mail.outbox[-1])).status_code == 200
    bad = client.post("/feuille-de-route/nouveau-lien/", {"email": "pas une adresse"})
    assert bad.status_code == 400 and "pas valide" in bad.content.decode()


def test_ten_changes_in_one_period_make_one_digest_listing_all_ten(consultant, run_on_commit):
    """Never one e-mail per change: ten steps moved within the period → one e-mail with the ten
    lines, sent once the period is over, and not again."""
    with run_on_commit():
        roadmap = published_roadmap(consultant)
    for index in range(10 - roadmap.items.count()):
        RoadmapItem.objects.create(
            roadmap=roadmap, title=f"Étape libre {index}", target_month=START, phase=5
        )
    mail.outbox.clear()
    items = list(roadmap.items.order_by("pk")[:10])
    with run_on_commit():
        for item in items:
            services.set_roadmap_item_status(item, RoadmapItemStatus.IN_PROGRESS, user=consultant)
    assert RoadmapUpdate.objects.filter(roadmap=roadmap, digested_at=None).count() == 10
    assert not Notification.objects.filter(kind=NotificationKind.ROADMAP_DIGEST).exists()

    now = timezone.now()
    assert services.send_roadmap_digests(now=now + datetime.timedelta(minutes=30)) == 0
    with run_on_commit():
        assert services.send_roadmap_digests(now=now + datetime.timedelta(minutes=61)) == 1
    assert services.send_roadmap_digests(now=now + datetime.timedelta(minutes=62)) == 0
    digests = [m for m in mail.outbox if "nouveautés" in m.subject]
    assert len(digests) == 1
    body = digests[0].body
    for item in items:
        assert f"« {item.title} » : Prévue → En cours" in body
    assert "10 nouveautés" in digests[0].subject
    assert "Ne plus recevoir ces nouvelles" in body


@override_settings(ROADMAP_DIGEST_MINUTES=15)
def test_digest_period_is_a_setting_and_undone_changes_are_left_out(consultant, run_on_commit):
    """A step started then put back within the period is no news; the period is configurable."""
    with run_on_commit():
        roadmap = published_roadmap(consultant)
    first, second = roadmap.items.order_by("pk")[:2]
    services.set_roadmap_item_status(first, RoadmapItemStatus.IN_PROGRESS, user=consultant)
    services.set_roadmap_item_status(first, RoadmapItemStatus.PLANNED, user=consultant)
    services.set_roadmap_item_status(second, RoadmapItemStatus.DONE, user=consultant)
    mail.outbox.clear()
    with run_on_commit():
        assert services.send_roadmap_digests(timezone.now() + datetime.timedelta(minutes=16)) == 1
    assert len(mail.outbox) == 1
    assert second.title in mail.outbox[0].body and first.title not in mail.outbox[0].body


def test_opted_out_contacts_get_no_digest(client, consultant, run_on_commit):
    """The opt-out link asks first (GET), then stops the digests for that person (POST)."""
    with run_on_commit():
        roadmap = published_roadmap(consultant, contacts=2)
    contact = roadmap.engagement.organisation.contacts.order_by("pk").first()
    from pipeline.roadmap import links

    path = links.opt_out_url(contact).removeprefix("http://testserver")
    assert "Ne plus recevoir" in client.get(path).content.decode()
    assert roadmap.digest_unsubscribed.count() == 0
    assert "Vous ne recevrez plus" in client.post(path).content.decode()
    services.set_roadmap_item_status(roadmap.items.first(), RoadmapItemStatus.DONE, user=consultant)
    mail.outbox.clear()
    with run_on_commit():
        services.send_roadmap_digests(timezone.now() + datetime.timedelta(hours=2))
    assert [m.to for m in mail.outbox] == [["contact1@bellecombe.test"]]


def test_organisation_marks_done_the_consultant_is_told_and_the_score_drops(
    consultant, run_on_commit
):
    """A step done from the private page: timeline entry, e-mail to the consultant, the
    engagement moves on to "in_transition", the exposure score now is lower than at the audit."""
    with run_on_commit():
        roadmap = published_roadmap(consultant)
    visio = roadmap.items.get(usage__slug="visio")
    mail.outbox.clear()
    with run_on_commit():
        services.organisation_set_item_status(
            roadmap, visio, RoadmapItemStatus.DONE, author_name="Sophie\r\nBcc: x@y.z"
        )
    roadmap.refresh_from_db()
    engagement = roadmap.engagement
    engagement.refresh_from_db()
    assert engagement.stage == Stage.IN_TRANSITION
    assert roadmap.current_score < engagement.score
    activity = engagement.activities.filter(kind=ActivityKind.ROADMAP).first()
    assert "Sophie Bcc: x@y.z" in activity.summary and "\n" not in activity.summary
    assert [m.to for m in mail.outbox] == [[consultant.email]]
    assert "du nouveau" in mail.outbox[0].subject
    with pytest.raises(services.RoadmapError, match="Écarter"):
        services.organisation_set_item_status(roadmap, visio, RoadmapItemStatus.SKIPPED)


def test_organisation_comments_are_checked_and_reach_the_consultant(consultant, run_on_commit):
    """Empty or too long comments are refused in French; a good one reaches the consultant."""
    with run_on_commit():
        roadmap = published_roadmap(consultant)
    item = roadmap.items.first()
    with pytest.raises(services.RoadmapError, match="vide"):
        services.comment_roadmap_item(roadmap, item, "  \r\n ")
    with pytest.raises(services.RoadmapError, match="trop long"):
        services.comment_roadmap_item(roadmap, item, "x" * 2001)
    mail.outbox.clear()
    with run_on_commit():
        services.comment_roadmap_item(
            roadmap, item, "<b>Quand</b> commence-t-on ?\r\nMerci", author_name="Karim"
        )
    assert item.comments.get().body == "<b>Quand</b> commence-t-on ?\nMerci"
    html = mail.outbox[0].alternatives[0][0]
    assert "&lt;b&gt;Quand&lt;/b&gt;" in html and "<b>Quand" not in html


def test_progress_counts_done_steps_and_leaves_skipped_ones_out(consultant):
    """Progress is the share of steps done among those not skipped."""
    roadmap = services.generate_roadmap_draft(
        engagement_for_roadmap(consultant), user=consultant, start=START
    )
    items = list(roadmap.items.all())
    items[0].status = RoadmapItemStatus.DONE
    items[1].status = RoadmapItemStatus.SKIPPED
    state = roadmaps.progress(items)
    assert (state.done, state.skipped, state.counted) == (1, 1, len(items) - 1)
    assert state.percent == round(100 / (len(items) - 1))
    assert not state.all_closed


def test_engagement_completes_only_when_every_step_is_done_or_skipped(consultant):
    """Completing is refused while steps remain; then the engagement is completed."""
    roadmap = published_roadmap(consultant)
    with pytest.raises(services.RoadmapError, match="Il reste"):
        services.complete_roadmap(roadmap, user=consultant)
    RoadmapItem.objects.filter(roadmap=roadmap).update(status=RoadmapItemStatus.DONE)
    RoadmapItem.objects.filter(roadmap=roadmap, phase=5).update(status=RoadmapItemStatus.SKIPPED)
    engagement = services.complete_roadmap(roadmap, user=consultant)
    assert engagement.stage == Stage.COMPLETED
    stages = list(engagement.stage_changes.values_list("to_stage", flat=True))
    assert stages[-2:] == [Stage.IN_TRANSITION, Stage.COMPLETED]


def test_major_rework_back_to_draft_then_republish_sends_version_two(consultant, run_on_commit):
    """roadmap_shared → roadmap_draft (rework) → publish again: version 2, "mise à jour" e-mail."""
    with run_on_commit():
        roadmap = published_roadmap(consultant)
    services.move_stage(roadmap.engagement, Stage.ROADMAP_DRAFT, user=consultant, note="Refonte")
    mail.outbox.clear()
    with run_on_commit():
        result = services.publish_roadmap(roadmap, user=consultant)
    assert result.roadmap.version == 2
    assert "mise à jour (version 2)" in mail.outbox[0].subject
    roadmap.engagement.refresh_from_db()
    assert roadmap.engagement.stage == Stage.ROADMAP_SHARED


def test_roadmap_lock_is_valid_postgresql_when_the_engagement_has_no_consultant():
    """The lock taken to follow a roadmap names the roadmap row only (FOR UPDATE OF): locking
    the outer-joined consultant, who may be missing, is an error on PostgreSQL."""
    from django.db.utils import ConnectionHandler

    from pipeline.services.roadmaps import locked_with_people

    postgresql = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "never_connected"}}
    )["default"]
    # Compile only: a stand-in connection, inside a transaction (FOR UPDATE needs one).
    postgresql.connection, postgresql.autocommit = object(), False
    queryset = locked_with_people(1)
    sql, _params = queryset.query.get_compiler(connection=postgresql).as_sql()
    assert 'LEFT OUTER JOIN "auth_user"' in sql
    assert sql.endswith('FOR UPDATE OF "pipeline_roadmap"')


def test_each_contact_is_written_to_in_their_own_language(client, consultant, run_on_commit):
    """A contact who answered in English gets the roadmap e-mail and its link in English; the
    French contact of the same organisation keeps French."""
    engagement = engagement_for_roadmap(consultant, contacts=2)
    engagement.organisation.contacts.filter(email="contact1@bellecombe.test").update(language="en")
    roadmap = services.generate_roadmap_draft(engagement, user=consultant, start=START)
    with run_on_commit():
        services.publish_roadmap(roadmap, user=consultant)
    french, english = (
        next(m for m in mail.outbox if m.to == [f"contact{n}@bellecombe.test"]) for n in (0, 1)
    )
    assert "Votre feuille de route" in french.subject and "/feuille-de-route/" in french.body
    assert "/en/feuille-de-route/" not in french.body
    assert "Your roadmap" in english.subject
    path = re.search(r"http://testserver(/en/feuille-de-route/[A-Za-z0-9_-]+/)", english.body)
    page = client.get(path.group(1))
    assert page.status_code == 200 and 'lang="en"' in page.content.decode()
