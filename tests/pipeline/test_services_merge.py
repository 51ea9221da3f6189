"""Merging duplicate organisations."""

import pytest
from django.core.exceptions import PermissionDenied

from pipeline import services
from pipeline.factories import (
    ConsultantFactory,
    ContactFactory,
    EngagementFactory,
    OrganisationFactory,
)
from pipeline.models import ActivityKind, Contact, Engagement, Organisation
from pipeline.stages import Stage

pytestmark = pytest.mark.django_db


def test_merge_moves_contacts_engagements_and_activities_and_records_itself(consultant):
    """Everything of the duplicate lands on the kept organisation; the merge is on the timeline
    and the duplicate points at the kept one."""
    kept = OrganisationFactory(name="Mairie de Montreval", siren="", website="")
    duplicate = OrganisationFactory(
        name="Ville de Montreval", siren="213102554", website="https://montreval.fr"
    )
    ContactFactory(organisation=kept, email="dsi@montreval.fr")
    moved = ContactFactory(organisation=duplicate, email="maire@montreval.fr")
    engagement = EngagementFactory(organisation=duplicate, stage=Stage.QUALIFIED)
    services.add_note(engagement, "Premier appel", user=consultant)

    result = services.merge_organisations(kept, duplicate, user=consultant)

    assert (result.moved_contacts, result.moved_engagements) == (1, 1)
    assert Contact.objects.get(pk=moved.pk).organisation == kept
    engagement.refresh_from_db()
    assert engagement.organisation == kept
    assert engagement.activities.filter(kind=ActivityKind.NOTE).exists()
    merge = engagement.activities.get(kind=ActivityKind.MERGE)
    assert "Ville de Montreval" in merge.summary and merge.actor == consultant
    duplicate.refresh_from_db()
    kept.refresh_from_db()
    assert duplicate.merged_into == kept
    assert (kept.siren, kept.website) == ("213102554", "https://montreval.fr")
    # History stays readable: the engagement's history shows the move, by whom.
    latest = engagement.history.first()
    assert latest.organisation_id == kept.pk and latest.history_user == consultant
    assert engagement.history.last().organisation_id == duplicate.pk
    # Intake never lands on the absorbed organisation again.
    assert services.find_organisation(email="x@gmail.com", name="", siren="213102554") == kept


def test_the_same_person_on_both_sides_becomes_one_contact(consultant):
    """Two contacts with the same e-mail are merged into one, completed with the other's data."""
    kept, duplicate = OrganisationFactory(), OrganisationFactory()
    first = ContactFactory(organisation=kept, email="jo@asso.fr", phone="")
    ContactFactory(organisation=duplicate, email="JO@asso.fr", phone="0601020304")
    result = services.merge_organisations(kept, duplicate, user=consultant)
    assert result.merged_contacts == 1
    assert list(kept.contacts.values_list("pk", flat=True)) == [first.pk]
    first.refresh_from_db()
    assert first.phone == "0601020304"


def test_merging_into_itself_or_twice_is_refused(consultant):
    """Impossible merges say why, in French, and change nothing."""
    kept, duplicate = OrganisationFactory(), OrganisationFactory()
    with pytest.raises(ValueError, match="elle-même"):
        services.merge_organisations(kept, kept, user=consultant)
    services.merge_organisations(kept, duplicate, user=consultant)
    with pytest.raises(ValueError, match="déjà été fusionnée"):
        services.merge_organisations(kept, duplicate, user=consultant)
    assert Organisation.objects.filter(merged_into__isnull=True).count() == 1


def test_limited_consultant_cannot_merge_organisations_they_do_not_follow(settings):
    """With PIPELINE_CONSULTANTS_SEE_OWN_ONLY, both organisations must be theirs."""
    settings.PIPELINE_CONSULTANTS_SEE_OWN_ONLY = True
    mine, other = ConsultantFactory(), ConsultantFactory()
    kept = EngagementFactory(owner=mine).organisation
    duplicate = EngagementFactory(owner=other).organisation
    with pytest.raises(PermissionDenied):
        services.merge_organisations(kept, duplicate, user=mine)
    assert Engagement.objects.filter(organisation=kept).count() == 1
