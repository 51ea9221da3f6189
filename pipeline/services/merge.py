"""Merging duplicate organisations (same structure entered twice)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from pipeline import outbox
from pipeline.models import Activity, ActivityKind, Contact, Organisation
from pipeline.services.base import actor_name, record_history_user, require_organisation

# Identity fields the kept organisation takes from the duplicate when it has none.
FILLABLE_FIELDS = ("kind", "headcount", "siren", "domain", "postcode", "territory", "website")
CONTACT_FILLABLE_FIELDS = ("role", "phone")


@dataclass(frozen=True)
class MergeResult:
    target: Organisation
    duplicate: Organisation
    moved_contacts: int
    merged_contacts: int
    moved_engagements: int
    open_engagements: int


@transaction.atomic
def merge_organisations(
    target: Organisation, duplicate: Organisation, *, user: AbstractBaseUser | None
) -> MergeResult:
    """Move everything from `duplicate` into `target` and keep `duplicate` as a pointer.

    Contacts and engagements (with their activities, tasks, stage history and messages) move to
    `target`; a contact present on both sides (same e-mail) becomes one. The duplicate row stays,
    marked `merged_into`, so old history rows and links still resolve, and intake never picks it
    again. The merge is written on the timeline of every engagement of `target`.
    """
    require_organisation(user, "pipeline.change_organisation", target)
    require_organisation(user, "pipeline.change_organisation", duplicate)
    if target.pk == duplicate.pk:
        raise ValueError(_("Une organisation ne peut pas être fusionnée avec elle-même."))
    locked = {
        o.pk: o
        for o in Organisation.objects.select_for_update(of=("self",)).filter(
            pk__in=[target.pk, duplicate.pk]
        )
    }
    target, duplicate = locked[target.pk], locked[duplicate.pk]
    if duplicate.merged_into_id:
        raise ValueError(
            _("« %(name)s » a déjà été fusionnée dans une autre organisation.")
            % {"name": duplicate.name}
        )
    if target.merged_into_id:
        raise ValueError(
            _("« %(name)s » a été fusionnée : choisissez l'organisation qui l'a absorbée.")
            % {"name": target.name}
        )

    filled = [f for f in FILLABLE_FIELDS if not getattr(target, f) and getattr(duplicate, f)]
    for field in filled:
        setattr(target, field, getattr(duplicate, field))
    if "territory" in filled:
        target.time_zone = duplicate.time_zone
    if filled:
        record_history_user(target, user)
        target._change_reason = _("Fusion de « %(name)s »") % {"name": duplicate.name}
        target.save()

    moved_contacts = merged_contacts = 0
    existing = {c.email.lower(): c for c in target.contacts.all()}
    for contact in list(duplicate.contacts.all()):
        twin = existing.get(contact.email.lower())
        if twin is None:
            contact.organisation = target
            record_history_user(contact, user)
            contact.save()
            existing[contact.email.lower()] = contact
            moved_contacts += 1
        else:
            _merge_contact(twin, contact, user=user)
            merged_contacts += 1

    engagements = list(duplicate.engagements.all())
    for engagement in engagements:
        engagement.organisation = target
        record_history_user(engagement, user)
        engagement._change_reason = _("Fusion d'organisations")
        engagement.save()

    duplicate.merged_into = target
    record_history_user(duplicate, user)
    duplicate._change_reason = _("Fusionnée dans « %(name)s »") % {"name": target.name}
    duplicate.save()

    summary = outbox.single_line(
        _("Fusion : « %(duplicate)s » fusionnée dans « %(target)s » par %(by)s")
        % {"duplicate": duplicate.name, "target": target.name, "by": actor_name(user)},
        300,
    )
    details = {
        "duplicate_id": duplicate.pk,
        "target_id": target.pk,
        "moved_contacts": moved_contacts,
        "merged_contacts": merged_contacts,
        "moved_engagement_ids": [e.pk for e in engagements],
        "filled_fields": filled,
    }
    Activity.objects.bulk_create(
        Activity(
            engagement=engagement,
            kind=ActivityKind.MERGE,
            actor=user,
            summary=summary,
            data=details,
        )
        for engagement in target.engagements.all()
    )
    return MergeResult(
        target=target,
        duplicate=duplicate,
        moved_contacts=moved_contacts,
        merged_contacts=merged_contacts,
        moved_engagements=len(engagements),
        open_engagements=target.engagements.open().count(),
    )


def _merge_contact(keep: Contact, twin: Contact, *, user) -> None:
    """One person entered twice: keep the first, completed with what the other knew."""
    for field in CONTACT_FILLABLE_FIELDS:
        if not getattr(keep, field) and getattr(twin, field):
            setattr(keep, field, getattr(twin, field))
    for consent in ("consent_contact", "consent_newsletter"):
        if getattr(twin, consent) and not getattr(keep, consent):
            setattr(keep, consent, True)
            setattr(keep, f"{consent}_at", getattr(twin, f"{consent}_at"))
    record_history_user(keep, user)
    keep.save()
    record_history_user(twin, user)
    twin._change_reason = _("Doublon du contact #%(pk)s") % {"pk": keep.pk}
    twin.delete()


def duplicate_candidates(organisation: Organisation, queryset=None):
    """Organisations that look like the same structure: same SIREN, domain or name."""
    from pipeline import identity

    queryset = (queryset if queryset is not None else Organisation.objects.all()).filter(
        merged_into__isnull=True
    )
    queryset = queryset.exclude(pk=organisation.pk)
    matches = []
    if organisation.siren:
        matches += list(queryset.filter(siren=organisation.siren)[:20])
    if organisation.domain:
        matches += list(queryset.filter(domain=organisation.domain)[:20])
    wanted = identity.normalise_name(organisation.name)
    first_word = wanted.split(" ")[0] if wanted else ""
    if first_word:
        for candidate in queryset.filter(name__icontains=first_word)[:200]:
            if identity.normalise_name(candidate.name) == wanted:
                matches.append(candidate)
    seen, unique = set(), []
    for match in matches:
        if match.pk not in seen:
            seen.add(match.pk)
            unique.append(match)
    return unique


__all__ = ["MergeResult", "duplicate_candidates", "merge_organisations"]
